"""The demo year, step by step: organisation, rules, contracts, weekly activity, year end."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.commands import contracts as c
from ledger.commands import org as o
from ledger.commands import payouts as p
from ledger.commands import performance as pf
from ledger.commands import pool as pl
from ledger.commands import rules as r
from ledger.commands import sales as s
from scripts.demo import KINDS, PRODUCTS, REP_NAMES, STAGES, TEAMS, DemoWriter, at, month, quarter

CUSTOMERS = 200
CONTACT_NAMES = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十", "郑一", "冯二"]


@dataclass
class Org:
    teams: list[UUID] = field(default_factory=list)
    reps: list[UUID] = field(default_factory=list)
    team_of: dict[UUID, UUID] = field(default_factory=dict)
    hired: dict[UUID, date] = field(default_factory=dict)
    customers: list[UUID] = field(default_factory=list)
    owner: dict[UUID, UUID | None] = field(default_factory=dict)
    bought: set[UUID] = field(default_factory=set)
    deals: list[tuple[UUID, Decimal]] = field(default_factory=list)
    contracts: dict[UUID, UUID] = field(default_factory=dict)
    revenue: dict[tuple[UUID, str], Decimal] = field(default_factory=dict)
    plan: UUID | None = None


def organisation(w: DemoWriter, rng: random.Random, start: date) -> Org:
    org = Org()
    for i, (name, region) in enumerate(TEAMS):
        team = w.do(w.app.create_team, o.CreateTeam(id=w.id(f"team-{i}"), name=name, region=region, occurred_at=at(start)))
        org.teams.append(team.id)
    for i, name in enumerate(REP_NAMES):
        team_id = org.teams[i % 3]
        # Every fourth rep is a new hire of the last few months: softer KPI weights apply to them.
        hired = start + timedelta(days=250 + 10 * i) if i % 4 == 3 else start - timedelta(days=400 + 90 * i)
        rep = w.do(w.app.onboard_rep, o.OnboardRep(id=w.id(f"rep-{i}"), name=name, team_id=team_id, hired_on=hired,
                                                   post="sales manager" if i < 3 else "sales", personal=_personal(i),
                                                   occurred_at=at(max(hired, start))))
        org.reps.append(rep.id)
        org.team_of[rep.id], org.hired[rep.id] = team_id, hired
    for team_index in range(3):
        members = [rep for rep in org.reps if org.team_of[rep] == org.teams[team_index]][:2]
        w.do(w.app.form_group, o.FormGroup(id=w.id(f"group-{team_index}"), name=f"PK {team_index + 1}", period=quarter(start),
                                           member_ids=members, occurred_at=at(start)))
    levels = ["A"] * 30 + ["B"] * 70 + ["C"] * 100
    for i in range(CUSTOMERS):
        customer = w.do(w.app.register_customer, pl.RegisterCustomer(
            id=w.id(f"customer-{i}"), name=f"客户 {i + 1:03d}", segment=rng.choice(["smb", "mid-market", "enterprise"]),
            source=rng.choice(["trade show", "web", "referral", "cold call"]), region=TEAMS[i % 3][1],
            level=levels[i], contacts=_contacts(i), occurred_at=at(start + timedelta(days=i % 60))))
        org.customers.append(customer.id)
        org.owner[customer.id] = None
    return org


def _personal(i: int) -> o.PersonalDetails:
    """Obviously fictitious details (stored encrypted under each rep's own key)."""
    return o.PersonalDetails(national_id=f"9{i:02d}0001199001{i % 28 + 1:02d}0{i % 10}X", phone=f"+86 139 0000 {1000 + i:04d}",
                             home_address=f"示例市 演示路 {i + 1} 号 (demo)")


def _contacts(i: int) -> list[pl.Contact]:
    """Every tenth customer comes with a contact person (name and phone encrypted under the customer's key)."""
    if i % 10:
        return []
    return [pl.Contact(name=f"{CONTACT_NAMES[i // 10 % 10]} (demo)", phone=f"+86 138 0000 {2000 + i:04d}", title="采购经理 buyer")]


PLAN_RULES: dict[str, Any] = {
    "base_rate": Decimal("0.05"), "quota": Decimal("60000"),
    "tiers": {"mode": "marginal", "bands": [
        {"from": Decimal(0), "to": Decimal(100), "rate": Decimal("0.05")},
        {"from": Decimal(100), "to": Decimal(150), "rate": Decimal("0.08")},
        {"from": Decimal(150), "to": None, "rate": Decimal("0.10")}]},
    "rates": [{"product": "Implementation", "rate": Decimal("0.03")}],
    "new_customer_bonus": {"percent": Decimal("0.02")},
    "clawback": {"window_days": 90, "reduces_attainment": False},
    "ramp": {"quotas": [Decimal("0.2"), Decimal("0.4"), Decimal("0.6"), Decimal("0.8")]},
    "team_pool": {"target": Decimal("300000"), "amount": Decimal("6000.00"), "split": "bookings"},
}


def rules(w: DemoWriter, org: Org, start: date) -> None:
    indicators = [
        {"key": "revenue", "dimension": "result", "weight": Decimal(40)},
        {"key": "repurchase_rate", "dimension": "result", "weight": Decimal(10)},
        {"key": "follow_ups", "dimension": "process", "weight": Decimal(25)},
        {"key": "product_knowledge", "dimension": "capability", "weight": Decimal(25)},
    ]
    new_hires = {"name": "new hires", "max_tenure_months": 6,
                 "weights": {"revenue": Decimal(20), "repurchase_rate": Decimal(5), "follow_ups": Decimal(45), "product_knowledge": Decimal(30)}}
    scheme = w.do(w.app.define_kpi_scheme, r.DefineKpiScheme(id=w.id("kpi"), name="Sales scorecard", effective_from=start,
                                                             indicators=indicators, cohorts=[new_hires], occurred_at=at(start)))
    revised = [dict(i) for i in indicators]
    revised[0]["weight"], revised[1]["weight"] = Decimal(30), Decimal(20)  # repurchase proved to drive revenue
    w.do(w.app.revise_kpi_scheme, r.ReviseKpiScheme(scheme_id=scheme.id, effective_from=start + timedelta(days=182), indicators=revised,
                                                    cohorts=[new_hires], reason="repurchase rate correlates with annual sales", occurred_at=at(start + timedelta(days=170))))
    plan = w.do(w.app.define_commission_plan, r.DefineCommissionPlan(
        id=w.id("plan"), name="Standard 2026", currency="CNY", effective_from=start, occurred_at=at(start),
        rules=PLAN_RULES))
    org.plan = plan.id
    for team in org.teams:
        w.do(w.app.assign_commission_plan, r.AssignCommissionPlan(plan_id=plan.id, scope="team", scope_id=team,
                                                                  starts_on=start, occurred_at=at(start)))
    w.do(w.app.set_pool_policy, r.SetPoolPolicy(effective_from=start, max_customers=25, idle_days=30, distribution="random",
                                                idle_days_by_level={"A": 15, "B": 30, "C": 45}, occurred_at=at(start)))
    w.do(w.app.record_fx_rate, r.RecordFxRate(base="USD", quote="CNY", rate=Decimal("7.1234"), on=start, source="PBOC", occurred_at=at(start)))


def contracts(w: DemoWriter, org: Org, start: date) -> None:
    for i, rep in enumerate(org.reps):
        begins = org.hired[rep]
        contract = w.do(w.app.sign_contract, c.SignContract(
            id=w.id(f"contract-{i}"), rep_id=rep, kind="fixed_term", starts_on=begins, ends_on=begins + timedelta(days=3 * 365),
            probation_months=3, post="sales", base_pay_amount=Decimal(8000 + 500 * (i % 5)), currency="CNY",
            commission_plan_id=org.plan, performance_clause="KPI scorecard per quarter; see scheme 'Sales scorecard'",
            occurred_at=at(max(begins, start))))
        org.contracts[rep] = contract.id
    first = org.reps[0]
    day = start + timedelta(days=120)
    amended = w.do(w.app.propose_amendment, c.ProposeAmendment(
        contract_id=org.contracts[first], amendment_id=w.id("amendment-0"), changes={"base_pay_amount": "9800", "post": "senior sales"},
        effective_on=day + timedelta(days=10), proposed_by="employer", reason="promotion", occurred_at=at(day)))
    for party, signer in (("employer", "HR 刘"), ("employee", REP_NAMES[0])):
        w.do(w.app.sign_amendment, c.SignAmendment(contract_id=amended.id, amendment_id=w.id("amendment-0"), party=party,
                                                   signer=signer, occurred_at=at(day + timedelta(days=2))))


def week(w: DemoWriter, rng: random.Random, org: Org, monday: date) -> None:
    for rep in org.reps:
        if org.hired[rep] > monday:
            continue
        mine = [cid for cid, owner in org.owner.items() if owner == rep]
        if len(mine) < 6:
            pool = [cid for cid, owner in org.owner.items() if owner is None]
            if pool:
                cid = rng.choice(pool)
                w.do(w.app.claim_customer, pl.ClaimCustomer(customer_id=cid, rep_id=rep, occurred_at=at(monday, 9)), actor=f"rep:{rep}")
                org.owner[cid] = rep
                mine.append(cid)
        for visit in range(rng.randint(2, 6)):
            if not mine:
                break
            w.do(w.app.log_follow_up, s.LogFollowUp(rep_id=rep, customer_id=rng.choice(mine), kind=rng.choice(KINDS),
                                                    stage=rng.choice(STAGES), duration_minutes=rng.choice([5, 15, 30, 60]),
                                                    notes="", occurred_at=at(monday + timedelta(days=visit % 5), 11)))
        if mine and rng.random() < 0.3:
            _deal(w, rng, org, rep, rng.choice(mine), monday + timedelta(days=3))
        if mine and len(mine) > 4 and rng.random() < 0.05:
            cid = mine[0]
            w.do(w.app.release_customer, pl.ReleaseCustomer(customer_id=cid, reason="no budget this year", occurred_at=at(monday, 17)))
            org.owner[cid] = None
    if monday.day <= 7:
        _month_start(w, rng, org, monday)


def _deal(w: DemoWriter, rng: random.Random, org: Org, rep: UUID, customer: UUID, day: date) -> None:
    product, list_price = rng.choice(PRODUCTS)
    amount = (list_price * Decimal(rng.choice([80, 90, 100, 120])) / 100).quantize(Decimal("0.01"))
    kind = "existing" if customer in org.bought else "new"
    deal = w.do(w.app.close_deal, s.CloseDeal(rep_id=rep, customer_id=customer, amount=amount, currency="CNY", product=product,
                                              customer_type=kind, closed_on=day, occurred_at=at(day, 15)))
    org.bought.add(customer)
    org.deals.append((deal.id, amount))
    key = (rep, quarter(day))
    org.revenue[key] = org.revenue.get(key, Decimal(0)) + amount
    if rng.random() < 0.06:
        partial = rng.random() < 0.5
        refund = (amount / 2).quantize(Decimal("0.01")) if partial else amount
        w.do(w.app.reverse_deal, s.ReverseDeal(deal_id=deal.id, kind="refund" if partial else "cancellation",
                                               reason="customer downsized" if partial else "contract cancelled",
                                               amount=refund, currency="CNY", occurred_at=at(day + timedelta(days=20), 10)))
        org.revenue[key] -= refund


def _month_start(w: DemoWriter, rng: random.Random, org: Org, day: date) -> None:
    previous = day - timedelta(days=day.day)
    for rep in org.reps:
        if org.hired[rep] > previous:
            continue
        w.do(w.app.record_score, pf.RecordScore(rep_id=rep, indicator="product_knowledge", value=Decimal(rng.randint(55, 98)),
                                                period=month(previous), scorer="manager", comment="", occurred_at=at(day, 16)))
        if rng.random() < 0.25:
            w.do(w.app.record_training, pf.RecordTraining(rep_id=rep, course=rng.choice(["谈判技巧 Negotiation", "产品培训 Product", "CRM hygiene"]),
                                                          hours=Decimal(rng.choice([2, 4, 8])), completed_on=day, provider="Sales Academy",
                                                          occurred_at=at(day, 18)))


def year_end(w: DemoWriter, rng: random.Random, org: Org, until: date, queries: Any) -> None:
    """Documented incompetence, training, a PIP, a complaint, a warning, and a paid quarterly payout."""
    weakest = org.reps[5]
    day = until - timedelta(days=80)
    w.do(w.app.record_complaint, pf.RecordComplaint(rep_id=weakest, customer_id=org.customers[5], severity="medium",
                                                    description="missed two promised callbacks", occurred_at=at(day)))
    warning = w.do(w.app.issue_warning, pf.IssueWarning(rep_id=weakest, level="written", reason="Q2 scorecard below 60 against the known scheme",
                                                        issued_by="manager", occurred_at=at(day + timedelta(days=1))))
    w.do(w.app.acknowledge_warning, pf.AcknowledgeWarning(warning_id=warning.id, acknowledged_on=day + timedelta(days=2),
                                                          occurred_at=at(day + timedelta(days=2))))
    w.do(w.app.record_training, pf.RecordTraining(rep_id=weakest, course="Consultative selling", hours=Decimal(16), kind="coaching",
                                                  completed_on=day + timedelta(days=9), provider="Sales Academy",
                                                  occurred_at=at(day + timedelta(days=9))))
    plan = w.do(w.app.start_improvement_plan, pf.StartImprovementPlan(
        rep_id=weakest, goals=["20 qualified follow-ups a week", "two proposals a month"], starts_on=day + timedelta(days=10),
        ends_on=day + timedelta(days=70), coach_id=org.reps[2], occurred_at=at(day + timedelta(days=10))))
    w.do(w.app.conclude_improvement_plan, pf.ConcludeImprovementPlan(plan_id=plan.id, outcome="met", concluded_on=day + timedelta(days=70),
                                                                     summary="goals met in weeks 6-8", occurred_at=at(day + timedelta(days=70))))
    period = month(until.replace(day=1) - timedelta(days=1))  # the last full month before `until`
    for team in org.teams:
        computed = queries.commissions.calculation(team, period)
        run = w.do(w.app.calculate_payout, p.CalculatePayout(period=period, team_id=team, **computed, calculated_by="payroll",
                                                             occurred_at=at(until - timedelta(days=25))),
                   stable=f"payout:{team}:{period}")
        w.do(w.app.approve_payout, p.ApprovePayout(run_id=run.id, approved_by="finance director",
                                                   occurred_at=at(until - timedelta(days=20))))
        w.do(w.app.pay_payout, p.PayPayout(run_id=run.id, paid_on=until - timedelta(days=15), reference="BANK-2026-0042",
                                           occurred_at=at(until - timedelta(days=15))))
