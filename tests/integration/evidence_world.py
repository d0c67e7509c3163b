"""Two dismissal stories, recorded through the application like any client would.

Team East: Lin is told her monthly revenue target, falls short in March (published), is warned, put on an
improvement plan and trained, is still short in May (published), and is given 30 days' notice. Team West:
Zhao meets every target but ranks last of four twice and is flagged for review; nothing else happens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from jobs.watch import published_figures
from ledger.application import LedgerApplication
from ledger.base import Ctx
from ledger.commands import contracts, evidence, org, performance, pool, rules, sales, targets, watch
from ledger.review_flag import SUGGESTED_ACTIONS
from projections.registry import Queries

MONTHS = ("2026-03", "2026-04", "2026-05")
TARGET = Decimal("100000")
NATIONAL_ID = "110101199001011234"


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}T09:00:00+08:00")


def ctx() -> Ctx:
    return Ctx("hr:test", f"k-{uuid4()}")  # no fingerprint: no request record, so the head is the fact itself


@dataclass
class World:
    east: UUID = field(default_factory=uuid4)
    west: UUID = field(default_factory=uuid4)
    lin: UUID = field(default_factory=uuid4)
    zhao: UUID = field(default_factory=uuid4)
    peers_east: list[UUID] = field(default_factory=lambda: [uuid4(), uuid4()])
    peers_west: list[UUID] = field(default_factory=lambda: [uuid4(), uuid4(), uuid4()])
    contract: UUID = field(default_factory=uuid4)
    positions: dict[str, int] = field(default_factory=dict)

    def mark(self, app: LedgerApplication, name: str) -> None:
        self.positions[name] = app.head()


def _customer(app: LedgerApplication, rep: UUID, on: str, level: str = "B") -> UUID:
    customer = app.register_customer(pool.RegisterCustomer(name=f"c-{uuid4().hex[:6]}", level=level,
                                                           occurred_at=at("2026-02-01")), ctx()).id
    app.claim_customer(pool.ClaimCustomer(customer_id=customer, rep_id=rep, occurred_at=at(on)), ctx())
    return customer


def _sell(app: LedgerApplication, rep: UUID, customer: UUID, amount: str, month: str) -> None:
    app.close_deal(sales.CloseDeal(rep_id=rep, customer_id=customer, amount=Decimal(amount), currency="CNY",
                                   product="CRM", customer_type="existing", closed_on=date.fromisoformat(f"{month}-20"),
                                   occurred_at=at(f"{month}-20")), ctx())


def _publish(app: LedgerApplication, queries: Queries, reps: list[UUID], month: str, on: str) -> None:
    """What the period-close job does for each rep, for these reps only (the test ledger is shared)."""
    moment = queries.read_side.moment()
    for rep in reps:
        card = queries.scorecards.rep(str(rep), month, moment)
        total = Decimal(card["total"]) if card["total"] is not None else None
        app.publish_scorecard(watch.PublishScorecard(rep_id=rep, period=month, total=total,
                                                     figures=published_figures(card), occurred_at=at(on)), ctx())


def _team(app: LedgerApplication, team: UUID, name: str, reps: dict[UUID, str]) -> None:
    app.create_team(org.CreateTeam(name=name, id=team, occurred_at=at("2024-01-02")), ctx())
    for rep, rep_name in reps.items():
        app.onboard_rep(org.OnboardRep(name=rep_name, team_id=team, hired_on=date(2024, 1, 15), id=rep,
                                       occurred_at=at("2024-01-15")), ctx())


def build(app: LedgerApplication, queries: Queries) -> World:
    w = World()
    _team(app, w.east, "East", {w.lin: "林晓", w.peers_east[0]: "E1", w.peers_east[1]: "E2"})
    _team(app, w.west, "West", {w.zhao: "赵强", **{p: f"W{i}" for i, p in enumerate(w.peers_west)}})
    app.record_personal_details(org.RecordPersonalDetails(rep_id=w.lin, national_id=NATIONAL_ID, phone="+86 138 0000 1111",
                                                          occurred_at=at("2024-01-15")), ctx())
    app.define_kpi_scheme(rules.DefineKpiScheme(name="revenue", effective_from=date(2026, 1, 1), team_ids=[w.east, w.west],
                                                indicators=[{"key": "revenue", "dimension": "result", "weight": Decimal(100)}],
                                                occurred_at=at("2026-01-02")), ctx())
    app.sign_contract(contracts.SignContract(rep_id=w.lin, kind="open_ended", starts_on=date(2024, 1, 15), post="sales",
                                             base_pay_amount=Decimal("9000.00"), currency="CNY", id=w.contract,
                                             performance_clause="monthly revenue target set by the manager",
                                             occurred_at=at("2024-01-15")), ctx())
    sick = app.record_protected_status(evidence.RecordProtectedStatus(
        rep_id=w.lin, category="medical_treatment_period", starts_on=date(2026, 1, 5), ends_on=date(2026, 2, 28),
        basis="hospital certificate", occurred_at=at("2026-01-05")), ctx()).id
    app.end_protected_status(evidence.EndProtectedStatus(status_id=sick, ended_on=date(2026, 2, 10), reason="back at work",
                                                         occurred_at=at("2026-02-10")), ctx())
    for month in MONTHS:
        app.set_target(targets.SetTarget(scope="rep", scope_id=w.lin, period=month, indicator="revenue", value=TARGET,
                                         occurred_at=at(f"{month}-01"), reason="monthly quota"), ctx())
        w.mark(app, f"target {month}")
        for team in (w.east, w.west):
            app.set_target(targets.SetTarget(scope="team", scope_id=team, period=month, indicator="revenue",
                                             value=TARGET, occurred_at=at(f"{month}-01")), ctx())
    sales_by_rep = {w.lin: ("50000", "60000", "55000"), w.peers_east[0]: ("120000", "110000", "130000"),
                    w.peers_east[1]: ("90000", "95000", "101000"), w.zhao: ("105000", "102000", "103000"),
                    w.peers_west[0]: ("130000", "125000", "128000"), w.peers_west[1]: ("118000", "119000", "117000"),
                    w.peers_west[2]: ("112000", "115000", "114000")}
    claims = {w.lin: 2, w.peers_east[0]: 5, w.peers_east[1]: 4}
    for rep, amounts in sales_by_rep.items():
        customers = [_customer(app, rep, f"2026-02-{10 + n:02d}") for n in range(claims.get(rep, 1))]
        for month, amount in zip(MONTHS, amounts, strict=True):
            _sell(app, rep, customers[0], amount, month)
    _story(app, queries, w)
    return w


def _story(app: LedgerApplication, queries: Queries, w: World) -> None:
    east, west = [w.lin, *w.peers_east], [w.zhao, *w.peers_west]
    _publish(app, queries, east + west, "2026-03", "2026-04-01")
    w.mark(app, "published 2026-03")
    app.issue_warning(performance.IssueWarning(rep_id=w.lin, level="written", reason="March revenue at 50% of target",
                                               occurred_at=at("2026-04-03")), ctx())
    w.mark(app, "warning")
    plan = app.start_improvement_plan(performance.StartImprovementPlan(
        rep_id=w.lin, goals=["reach the monthly revenue target"], starts_on=date(2026, 4, 5), ends_on=date(2026, 5, 31),
        coach_id=w.peers_east[0], occurred_at=at("2026-04-05")), ctx()).id
    w.mark(app, "plan started")
    app.record_training(performance.RecordTraining(rep_id=w.lin, course="Consultative selling", hours=Decimal("16"),
                                                   completed_on=date(2026, 4, 20), occurred_at=at("2026-04-20")), ctx())
    w.mark(app, "training")
    _publish(app, queries, east + west, "2026-04", "2026-05-01")
    w.mark(app, "published 2026-04")
    _flag(app, w, "2026-04")
    w.mark(app, "flag")
    _publish(app, queries, east, "2026-05", "2026-06-01")
    w.mark(app, "published 2026-05")
    app.conclude_improvement_plan(performance.ConcludeImprovementPlan(
        plan_id=plan, outcome="not_met", concluded_on=date(2026, 5, 31), summary="revenue stayed near 55%",
        occurred_at=at("2026-06-02")), ctx())
    w.mark(app, "plan concluded")
    app.terminate_contract(contracts.TerminateContract(
        contract_id=w.contract, terminated_on=date(2026, 7, 10), ground="art40_incompetence", notice="30_days",
        reason="still incompetent after training", occurred_at=at("2026-06-05")), ctx())
    w.mark(app, "notice")


def _flag(app: LedgerApplication, w: World, month: str) -> None:
    app.flag_for_review(watch.FlagForReview(rep_id=w.zhao, team_id=w.west, period=month, rank=4, of=4,
                                            consecutive_periods=2, suggested_actions=list(SUGGESTED_ACTIONS),
                                            occurred_at=at("2026-05-01")), ctx())


def position_of(events: list[dict[str, Any]], type_: str, **payload: Any) -> int:
    """The one event of a type whose payload has these values."""
    found = [e["position"] for e in events if e["type"] == type_
             and all(e["payload"].get(k) == v for k, v in payload.items())]
    assert len(found) == 1, (type_, payload, found)
    return found[0]
