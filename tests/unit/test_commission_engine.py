"""The commission engine on hand-built facts: every amount pinned to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from ledger.commissions.engine import Engine
from ledger.commissions.facts import Assignment, DealFacts, Facts, PlanVersion, RepFacts, Reversal, RunFacts
from ledger.commissions.pool import split_pool
from ledger.commissions.rules import PlanRules
from ledger.errors import Invalid, RuleViolation

D = Decimal
TEAM = uuid4()
REFERENCE_TIERS = {"mode": "marginal", "bands": [
    {"from": 0, "to": 50, "rate": "0.05"}, {"from": 50, "to": 100, "rate": "0.10"},
    {"from": 100, "to": 150, "rate": "0.15"}, {"from": 150, "to": None, "rate": "0.20"}]}


class World:
    """Facts built step by step; positions increase like the ledger's."""

    def __init__(self) -> None:
        self.facts = Facts()
        self.position = 0

    def next(self) -> int:
        self.position += 1
        return self.position

    def plan(self, rules: dict[str, Any], *, currency: str = "CNY", effective_from: date = date(2025, 1, 1),
             plan_id: UUID | None = None) -> UUID:
        plan_id = plan_id or uuid4()
        versions = self.facts.plans.setdefault(plan_id, [])
        versions.append(PlanVersion(plan_id, "plan", currency, len(versions) + 1, self.next(), effective_from,
                                    PlanRules.parse(rules)))
        return plan_id

    def rep(self, *, hired_on: date = date(2024, 1, 1), plan_id: UUID | None = None, team: UUID = TEAM,
            left_on: date | None = None) -> UUID:
        rep_id = uuid4()
        self.facts.reps[rep_id] = RepFacts(rep_id, hired_on, left_on, ((hired_on, team),))
        if plan_id is not None:
            self.facts.rep_assignments[rep_id] = [Assignment(plan_id, date(2020, 1, 1), None, self.next())]
        return rep_id

    def deal(self, amount: str, closed_on: date, *shares: tuple[UUID, str], currency: str = "CNY",
             product: str = "p", customer_type: str = "existing", margin: str | None = None) -> DealFacts:
        deal = DealFacts(uuid4(), self.next(), closed_on, D(amount), currency, D(margin) if margin else None,
                         product, customer_type, {rep: D(share) for rep, share in shares})
        for rep, _ in shares:
            self.facts.deals.setdefault(rep, []).append(deal)
        return deal

    def reverse(self, deal: DealFacts, amount: str, on: date) -> None:
        reversed_deal = DealFacts(deal.deal_id, deal.position, deal.closed_on, deal.amount, deal.currency,
                                  deal.margin, deal.product, deal.customer_type, deal.shares,
                                  (*deal.reversals, Reversal(self.next(), on, D(amount))))
        for rep in deal.shares:
            self.facts.deals[rep] = [reversed_deal if d.deal_id == deal.deal_id else d for d in self.facts.deals[rep]]

    def engine(self) -> Engine:
        return Engine(self.facts)


def amounts(lines: list[dict[str, Any]], kind: str | None = None) -> list[Decimal]:
    return [line["amount"] for line in lines if kind is None or line["kind"] == kind]


def test_reference_marginal_plan_pays_17000_on_160000() -> None:
    w = World()
    rep = w.rep(plan_id=w.plan({"base_rate": "0", "quota": "100000", "tiers": REFERENCE_TIERS}))
    w.deal("160000.00", date(2026, 3, 10), (rep, "100"))
    st = w.engine().statement(rep, "2026-03")
    assert amounts(st.lines) == [D("2500.00"), D("5000.00"), D("7500.00"), D("2000.00")]
    assert [line["base"] for line in st.lines] == [D("50000.00"), D("50000.00"), D("50000.00"), D("10000.00")]
    assert st.earned == D("17000.00") and st.attainment == D("160.00")


def test_reference_retroactive_plan_pays_32000_on_160000() -> None:
    w = World()
    rep = w.rep(plan_id=w.plan({"base_rate": "0", "quota": "100000",
                                "tiers": {**REFERENCE_TIERS, "mode": "retroactive"}}))
    w.deal("100000.00", date(2026, 3, 10), (rep, "100"))
    w.deal("60000.00", date(2026, 3, 20), (rep, "100"))
    st = w.engine().statement(rep, "2026-03")
    assert amounts(st.lines) == [D("20000.00"), D("12000.00")]  # every deal at the band reached: 20%
    assert st.earned == D("32000.00")


def test_band_edges_follow_the_stated_rule() -> None:
    w = World()
    lower = w.plan({"base_rate": "0", "quota": "100000", "tiers": {**REFERENCE_TIERS, "mode": "retroactive"}})
    upper = w.plan({"base_rate": "0", "quota": "100000",
                    "tiers": {**REFERENCE_TIERS, "mode": "retroactive", "edge": "upper"}})
    a, b = w.rep(plan_id=lower), w.rep(plan_id=upper)
    w.deal("100000.00", date(2026, 3, 1), (a, "100"))
    w.deal("100000.00", date(2026, 3, 1), (b, "100"))
    engine = w.engine()
    assert engine.statement(a, "2026-03").earned == D("15000.00")  # exactly 100%: [100, 150) holds it
    assert engine.statement(b, "2026-03").earned == D("10000.00")  # exactly 100%: (50, 100] holds it


def test_bands_with_a_gap_or_an_overlap_are_refused() -> None:
    gap = {"mode": "marginal", "bands": [{"from": 0, "to": 50, "rate": "0.05"}, {"from": 60, "to": None, "rate": "0.1"}]}
    with pytest.raises(Invalid) as error:
        PlanRules.parse({"base_rate": "0", "quota": "1000", "tiers": gap})
    assert "tiers.bands[1].from" in error.value.errors["rules"][0]
    with pytest.raises(Invalid):
        PlanRules.parse({"base_rate": "0", "quota": "1000", "tier": gap})  # a typo is not silently ignored


def test_decelerator_band_and_cap_limit_the_payout() -> None:
    w = World()
    tiers = {"mode": "marginal", "bands": [{"from": 0, "to": 100, "rate": "0.10"},
                                           {"from": 100, "to": None, "rate": "0.02"}]}  # decelerator
    rep = w.rep(plan_id=w.plan({"base_rate": "0", "quota": "50000", "tiers": tiers, "cap": "5500"}))
    w.deal("150000.00", date(2026, 3, 1), (rep, "100"))
    st = w.engine().statement(rep, "2026-03")
    assert amounts(st.lines, "commission") == [D("5000.00"), D("2000.00")]
    assert amounts(st.lines, "cap") == [D("-1500.00")]
    assert st.earned == D("5500.00")


def test_rates_by_product_and_customer_type_on_revenue_or_margin() -> None:
    w = World()
    rules = {"base_rate": "0.05", "rates": [{"product": "service", "rate": "0.03"},
                                            {"customer_type": "new", "rate": "0.08"},
                                            {"product": "service", "customer_type": "new", "rate": "0.04"}]}
    rep = w.rep(plan_id=w.plan(rules))
    margin_rep = w.rep(plan_id=w.plan({**rules, "basis": "margin"}))
    for who in (rep, margin_rep):
        w.deal("1000.00", date(2026, 3, 1), (who, "100"), margin="400.00")
        w.deal("1000.00", date(2026, 3, 2), (who, "100"), product="service", margin="400.00")
        w.deal("1000.00", date(2026, 3, 3), (who, "100"), customer_type="new", margin="400.00")
        w.deal("1000.00", date(2026, 3, 4), (who, "100"), product="service", customer_type="new", margin="400.00")
    engine = w.engine()
    assert amounts(engine.statement(rep, "2026-03").lines) == [D("50.00"), D("30.00"), D("80.00"), D("40.00")]
    assert amounts(engine.statement(margin_rep, "2026-03").lines) == [D("20.00"), D("12.00"), D("32.00"), D("16.00")]


def test_margin_plan_refuses_a_deal_without_margin() -> None:
    w = World()
    rep = w.rep(plan_id=w.plan({"base_rate": "0.1", "basis": "margin"}))
    w.deal("1000.00", date(2026, 3, 1), (rep, "100"))
    with pytest.raises(RuleViolation) as error:
        w.engine().statement(rep, "2026-03")
    assert error.value.code == "missing-margin"


def test_new_customer_bonus_flat_or_percent_and_spiff_outside_attainment() -> None:
    w = World()
    flat = w.rep(plan_id=w.plan({"base_rate": "0.05", "new_customer_bonus": {"flat": "300.00"}, "spiffs": [
        {"name": "Q1 push", "from": "2026-03-01", "to": "2026-03-15", "amount": "200.00", "product": "p"}]}))
    percent = w.rep(plan_id=w.plan({"base_rate": "0.05", "new_customer_bonus": {"percent": "0.02"}}))
    for who in (flat, percent):
        w.deal("10000.00", date(2026, 3, 10), (who, "100"), customer_type="new")
        w.deal("10000.00", date(2026, 3, 20), (who, "100"), customer_type="new")  # after the contest window
    engine = w.engine()
    st = engine.statement(flat, "2026-03")
    assert amounts(st.lines, "new-customer-bonus") == [D("300.00"), D("300.00")]
    assert amounts(st.lines, "spiff") == [D("200.00")]
    assert st.bookings == D("20000.00")  # the SPIFF adds nothing to attainment
    assert amounts(engine.statement(percent, "2026-03").lines, "new-customer-bonus") == [D("200.00"), D("200.00")]


def test_split_60_40_pays_each_share_and_team_rolls_up_the_deal_once() -> None:
    w = World()
    plan = w.plan({"base_rate": "0.10"})
    a, b = w.rep(plan_id=plan), w.rep(plan_id=plan)
    w.deal("10000.00", date(2026, 3, 5), (a, "60"), (b, "40"))
    team = w.engine().team_statements(TEAM, "2026-03")
    assert team[a].bookings == D("6000.00") and team[b].bookings == D("4000.00")
    assert team[a].earned == D("600.00") and team[b].earned == D("400.00")
    assert sum(st.bookings for st in team.values()) == D("10000.00")


def test_deal_reversed_later_within_window_claws_back_in_the_month_of_reversal() -> None:
    w = World()
    rep = w.rep(plan_id=w.plan({"base_rate": "0.10", "clawback": {"window_days": 120}}))
    deal = w.deal("8000.00", date(2026, 1, 15), (rep, "100"))
    w.reverse(deal, "2000.00", date(2026, 3, 10))
    engine = w.engine()
    assert engine.statement(rep, "2026-01").earned == D("800.00")  # January is untouched
    march = engine.statement(rep, "2026-03")
    assert amounts(march.lines, "clawback") == [D("-200.00")]
    assert march.lines[0]["corrects_period"] == "2026-01"


def test_reversal_outside_the_window_keeps_the_commission() -> None:
    w = World()
    rep = w.rep(plan_id=w.plan({"base_rate": "0.10", "clawback": {"window_days": 30}}))
    deal = w.deal("8000.00", date(2026, 1, 15), (rep, "100"))
    w.reverse(deal, "8000.00", date(2026, 3, 10))
    assert w.engine().statement(rep, "2026-03").lines == []


def test_clawback_can_reduce_attainment_in_the_month_of_reversal() -> None:
    w = World()
    rules = {"base_rate": "0", "quota": "100000", "tiers": {**REFERENCE_TIERS, "mode": "retroactive"},
             "clawback": {"window_days": 365, "reduces_attainment": True}}
    rep = w.rep(plan_id=w.plan(rules))
    old = w.deal("50000.00", date(2026, 1, 10), (rep, "100"))
    w.deal("110000.00", date(2026, 2, 10), (rep, "100"))
    w.reverse(old, "50000.00", date(2026, 2, 20))
    feb = w.engine().statement(rep, "2026-02")
    assert feb.attainment == D("60.00")  # 110,000 booked, 50,000 reversed
    assert amounts(feb.lines, "clawback") == [D("-5000.00")]  # January paid 50,000 at 10%
    assert amounts(feb.lines, "commission") == [D("11000.00")]  # 60% attainment: 10%, not 15%


def test_draw_is_recovered_over_three_months() -> None:
    w = World()
    rep = w.rep(hired_on=date(2026, 1, 1), plan_id=w.plan({"base_rate": "0.10",
                                                          "draw": {"amount": "3000.00", "recoverable": True}}))
    w.deal("10000.00", date(2026, 1, 10), (rep, "100"))   # earns 1,000
    w.deal("42000.00", date(2026, 2, 10), (rep, "100"))   # earns 4,200
    w.deal("50000.00", date(2026, 3, 10), (rep, "100"))   # earns 5,000
    engine = w.engine()
    jan, feb, mar = (engine.statement(rep, m) for m in ("2026-01", "2026-02", "2026-03"))
    assert amounts(jan.lines, "draw") == [D("2000.00")] and jan.earned == D("3000.00") and jan.draw_balance == D("2000.00")
    assert amounts(feb.lines, "draw-recovery") == [D("-1200.00")] and feb.earned == D("3000.00")
    assert feb.draw_balance == D("800.00")
    assert amounts(mar.lines, "draw-recovery") == [D("-800.00")] and mar.earned == D("4200.00")
    assert mar.draw_balance == D("0.00")


def test_ramped_new_hire_has_a_reduced_prorated_quota_and_no_accelerators() -> None:
    w = World()
    rules = {"base_rate": "0", "quota": "100000", "tiers": {**REFERENCE_TIERS, "mode": "retroactive"},
             "ramp": {"quotas": ["0.2", "0.4", "0.6", "0.8"]}}
    plan = w.plan(rules)
    rep = w.rep(hired_on=date(2026, 4, 16), plan_id=plan)  # month 1 is April, 15 of 30 days
    w.deal("20000.00", date(2026, 4, 20), (rep, "100"))
    w.deal("60000.00", date(2026, 5, 20), (rep, "100"))
    w.deal("200000.00", date(2026, 8, 20), (rep, "100"))
    engine = w.engine()
    april, may, august = (engine.statement(rep, m) for m in ("2026-04", "2026-05", "2026-08"))
    assert april.quota == D("10000.00") and april.attainment == D("200.00")
    assert april.earned == D("2000.00")  # 200% but ramping: bands above quota pay the band below it, 10%
    assert may.quota == D("40000.00") and may.earned == D("6000.00")  # 150% of the 40% quota, still 10%
    assert august.quota == D("100000.00") and august.earned == D("40000.00")  # month 5: full quota, 20%


def test_team_pool_splits_by_attainment_and_gives_the_residue_deterministically() -> None:
    w = World()
    pool_plan = w.plan({"base_rate": "0.01", "quota": "10000",
                        "team_pool": {"target": "100000", "amount": "10000.00", "split": "bookings"}})
    team = uuid4()
    w.facts.team_assignments[team] = [Assignment(pool_plan, date(2020, 1, 1), None, w.next())]
    reps = [w.rep(team=team) for _ in range(4)]
    for rep, amount in zip(reps, ("40000.00", "30000.00", "20000.00", "10000.00"), strict=True):
        w.deal(amount, date(2026, 3, 3), (rep, "100"))
    team_view = w.engine().team_statements(team, "2026-03")
    assert [amounts(team_view[r].lines, "team-pool") for r in reps] == [
        [D("4000.00")], [D("3000.00")], [D("2000.00")], [D("1000.00")]]


def test_pool_residue_goes_to_the_largest_remainders_then_by_rep_id() -> None:
    a, b, c = UUID(int=1), UUID(int=2), UUID(int=3)
    assert split_pool(D("10000.00"), "CNY", {a: D(1), b: D(1), c: D(1)}) == {
        a: D("3333.34"), b: D("3333.33"), c: D("3333.33")}
    shares = split_pool(D("10000.00"), "CNY", {a: D(40), b: D(30), c: D(29)})
    assert sum(shares.values()) == D("10000.00")
    assert shares == {a: D("4040.41"), b: D("3030.30"), c: D("2929.29")}


def test_team_below_its_target_gets_no_pool() -> None:
    w = World()
    plan = w.plan({"base_rate": "0.01", "team_pool": {"target": "100000", "amount": "10000.00"}})
    team = uuid4()
    w.facts.team_assignments[team] = [Assignment(plan, date(2020, 1, 1), None, w.next())]
    rep = w.rep(team=team)
    w.deal("99999.99", date(2026, 3, 3), (rep, "100"))
    assert amounts(w.engine().statement(rep, "2026-03").lines, "team-pool") == []


def test_revised_plan_applies_only_from_its_effective_date() -> None:
    w = World()
    plan = w.plan({"base_rate": "0.05"}, effective_from=date(2025, 1, 1))
    w.plan({"base_rate": "0.08"}, effective_from=date(2026, 3, 15), plan_id=plan)
    rep = w.rep(plan_id=plan)
    w.deal("1000.00", date(2026, 3, 14), (rep, "100"))
    w.deal("1000.00", date(2026, 3, 15), (rep, "100"))
    st = w.engine().statement(rep, "2026-03")
    assert amounts(st.lines) == [D("50.00"), D("80.00")]
    assert [line["plan_version"] for line in st.lines] == [1, 2]


def test_deal_in_usd_is_paid_in_cny_at_the_rate_on_the_deal_date() -> None:
    w = World()
    rep = w.rep(plan_id=w.plan({"base_rate": "0.10"}, currency="CNY"))
    w.facts.fx[("USD", "CNY")] = [(date(2026, 3, 1), D("7.1000"), 901), (date(2026, 3, 20), D("7.3000"), 902)]
    w.deal("1000.00", date(2026, 3, 10), (rep, "100"), currency="USD")
    st = w.engine().statement(rep, "2026-03")
    assert st.lines[0]["base"] == D("7100.00") and st.lines[0]["amount"] == D("710.00")
    assert 901 in st.lines[0]["positions"] and st.currency == "CNY"


def test_missing_exchange_rate_is_a_clear_error() -> None:
    w = World()
    rep = w.rep(plan_id=w.plan({"base_rate": "0.10"}))
    w.facts.fx[("USD", "CNY")] = [(date(2026, 4, 1), D("7.1"), 1)]
    w.deal("1000.00", date(2026, 3, 10), (rep, "100"), currency="USD")
    with pytest.raises(RuleViolation) as error:
        w.engine().statement(rep, "2026-03")
    assert error.value.code == "missing-fx-rate" and "2026-03-10" in error.value.errors["fx_rate"][0]


def test_lines_round_half_up_to_the_minor_unit() -> None:
    w = World()
    rep = w.rep(plan_id=w.plan({"base_rate": "0.05"}))
    w.deal("0.10", date(2026, 3, 1), (rep, "100"))  # 0.005 -> 0.01
    assert amounts(w.engine().statement(rep, "2026-03").lines) == [D("0.01")]


def test_paid_run_is_looked_up_for_clawback_references() -> None:
    w = World()
    rep = w.rep(plan_id=w.plan({"base_rate": "0.10", "clawback": {"window_days": 365}}))
    deal = w.deal("1000.00", date(2026, 1, 5), (rep, "100"))
    run = uuid4()
    w.facts.runs.append(RunFacts(run, "2026-01", TEAM, "paid", ({"rep_id": rep, "amount": D("100.00")},), ()))
    w.reverse(deal, "1000.00", date(2026, 3, 1))
    line = w.engine().statement(rep, "2026-03").lines[0]
    assert line["amount"] == D("-100.00") and line["corrects_run_id"] == run
