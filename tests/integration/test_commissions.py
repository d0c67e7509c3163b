"""Commissions end to end through the API, on SQLite and PostgreSQL: closed months never change, late facts
become adjustments in the next run, plan revisions apply from their date, foreign deals convert."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from flask.testing import FlaskClient

from tests.conftest import Post

D = Decimal


class Payroll:
    """A team on one plan, driven through the API by an admin (calculator) and HR (approver)."""

    def __init__(self, post: Post, hr_post: Post, client: FlaskClient, make: Any, rules: dict[str, Any],
                 currency: str = "CNY", hired_on: str = "2025-01-02") -> None:
        self.post, self.hr_post, self.client = post, hr_post, client
        self.team = make.team()["id"]
        self.plan = self.ok(post("/api/v1/commission-plans", {
            "name": f"plan-{uuid4().hex[:6]}", "currency": currency, "effective_from": "2025-01-01", "rules": rules}))
        self.ok(post(f"/api/v1/commission-plans/{self.plan['id']}/assignments",
                     {"scope": "team", "scope_id": self.team, "starts_on": "2025-01-01"}))
        self.make = make
        self.rep = make.rep(team_id=self.team, hired_on=hired_on)["id"]
        self.customer = make.customer()["id"]

    @staticmethod
    def ok(response: Any) -> Any:
        assert response.status_code in (200, 201), response.json
        return response.json

    def deal(self, amount: str, closed_on: str, currency: str = "CNY", at: str | None = None, rep: str | None = None,
             splits: list[dict[str, str]] | None = None) -> dict[str, Any]:
        return self.ok(self.post("/api/v1/deals", {
            "rep_id": rep or self.rep, "customer_id": self.customer, "amount": amount, "currency": currency,
            "product": "p", "customer_type": "existing", "closed_on": closed_on, "splits": splits,
            "occurred_at": at or f"{closed_on}T10:00:00+00:00"}))

    def statement(self, period: str, rep: str | None = None) -> dict[str, Any]:
        return self.get(f"/api/v1/reps/{rep or self.rep}/statement?period={period}")

    def reverse(self, deal: dict[str, Any], amount: str, at: str) -> None:
        self.ok(self.post(f"/api/v1/deals/{deal['id']}/reverse",
                          {"kind": "refund", "reason": "returned", "amount": amount, "currency": "CNY", "occurred_at": at}))

    def run(self, period: str) -> dict[str, Any]:
        return self.ok(self.post("/api/v1/payout-runs", {"period": period, "team_id": self.team}))

    def pay(self, period: str) -> dict[str, Any]:
        run = self.run(period)
        self.ok(self.hr_post(f"/api/v1/payout-runs/{run['id']}/approve", {}))
        return self.ok(self.post(f"/api/v1/payout-runs/{run['id']}/pay", {"paid_on": "2026-06-01", "reference": "bank"}))

    def get(self, url: str) -> Any:
        response = self.client.get(url)
        assert response.status_code == 200, response.json
        return response.json


@pytest.fixture()
def payroll(post: Post, hr_post: Post, client: FlaskClient, make: Any) -> Any:
    return lambda rules, currency="CNY", **kw: Payroll(post, hr_post, client, make, rules, currency, **kw)


def test_reversal_two_months_after_payout_claws_back_in_the_next_run_and_leaves_the_paid_run_alone(payroll: Any) -> None:
    p = payroll({"base_rate": "0.10", "clawback": {"window_days": 180}})
    deal = p.deal("8000.00", "2026-01-15")
    january = p.pay("2026-01")
    assert D(january["total"]) == D("800.00")
    paid_before = p.get(f"/api/v1/payout-runs/{january['id']}")
    p.reverse(deal, "8000.00", "2026-03-10T09:00:00+00:00")
    march = p.run("2026-03")
    claw = [line for line in march["lines"] if line["kind"] == "clawback"]
    assert [(D(c["amount"]), c["corrects_period"], c["corrects_run_id"]) for c in claw] == [
        (D("-800.00"), "2026-01", january["id"])]
    assert p.get(f"/api/v1/payout-runs/{january['id']}") == paid_before  # the paid run is untouched
    statement = p.get(f"/api/v1/reps/{p.rep}/statement?period=2026-01")
    assert D(statement["earned"]) == D("800.00") and D(statement["paid"]) == D("800.00") and D(statement["due"]) == 0


def test_back_dated_reversal_of_a_paid_month_becomes_a_negative_adjustment_in_the_next_run(payroll: Any) -> None:
    p = payroll({"base_rate": "0.10"})
    deal = p.deal("5000.00", "2026-01-10")
    january = p.pay("2026-01")
    p.reverse(deal, "1000.00", "2026-01-20T09:00:00+00:00")  # recorded now, back-dated into the paid month
    february = p.run("2026-02")
    adjustments = february["adjustments"]
    assert [(D(a["amount"]), a["source"], a["corrects_period"], a["corrects_run_id"]) for a in adjustments] == [
        (D("-100.00"), "recalculation", "2026-01", january["id"])]
    assert adjustments[0]["positions"]  # the reversal's position is named
    history = p.get(f"/api/v1/payout-runs/{february['id']}/history")
    assert [e["type"] for e in history["events"]][-1] == "PayoutRun.Adjusted"
    recalculated = p.ok(p.post(f"/api/v1/payout-runs/{february['id']}/recalculate", {}))
    assert len(recalculated["adjustments"]) == 1  # recalculating owes nothing more
    assert D(p.get(f"/api/v1/payout-runs/{january['id']}")["total"]) == D("500.00")


def test_late_deal_for_a_paid_month_is_paid_as_an_adjustment_next_month(payroll: Any) -> None:
    p = payroll({"base_rate": "0.05"})
    p.deal("1000.00", "2026-01-05")
    january = p.pay("2026-01")
    p.deal("3000.00", "2026-01-25", at="2026-02-02T10:00:00+00:00")  # reported late
    february = p.run("2026-02")
    assert [(D(a["amount"]), a["corrects_run_id"]) for a in february["adjustments"]] == [(D("150.00"), january["id"])]
    assert D(february["total"]) == D("150.00")


def test_plan_revision_applies_from_its_date_and_never_rewrites_a_paid_month(payroll: Any, post: Post) -> None:
    p = payroll({"base_rate": "0.05"})
    p.deal("10000.00", "2026-01-10")
    january = p.pay("2026-01")
    revised = post(f"/api/v1/commission-plans/{p.plan['id']}/revise",
                   {"rules": {"base_rate": "0.08"}, "effective_from": "2026-02-01", "reason": "new year"})
    assert revised.status_code == 200, revised.json
    p.deal("10000.00", "2026-02-10")
    february = p.run("2026-02")
    assert [(D(line["amount"]), line["plan_version"]) for line in february["lines"]] == [(D("800.00"), 3)]
    assert february["adjustments"] == []  # January keeps the version then in force
    assert D(p.get(f"/api/v1/reps/{p.rep}/statement?period=2026-01")["earned"]) == D("500.00")
    assert p.get(f"/api/v1/payout-runs/{january['id']}")["status"] == "paid"


def test_foreign_deal_is_paid_in_the_plan_currency_at_the_recorded_rate(payroll: Any, post: Post) -> None:
    # USD paid in CNY in a fresh database; a random two-decimal pair when the shared database already has it
    pairs = [("USD", "CNY")] + [(a, b) for a in ("EUR", "GBP", "CHF", "SGD", "HKD", "AUD", "CAD", "NZD", "SEK", "NOK")
                                for b in ("MYR", "THB", "PHP", "INR", "ZAR", "BRL", "MXN", "PLN", "CZK", "DKK")]
    for base, quote in [pairs[0], *random.sample(pairs[1:], 5)]:
        p = payroll({"base_rate": "0.10"}, currency=quote)
        p.deal("1000.00", "2026-02-03", currency=base)
        response = p.client.get(f"/api/v1/reps/{p.rep}/statement?period=2026-02")
        if response.status_code != 200:  # 200: the shared database already has this pair's rate
            break
    assert response.status_code == 409 and response.json["code"] == "missing-fx-rate"  # an error, not a guess
    assert f"{base}/{quote}" in response.json["errors"]["fx_rate"][0]
    rate = post("/api/v1/fx-rates", {"base": base, "quote": quote, "rate": "7.2000", "on": "2026-02-01"})
    assert rate.status_code in (200, 201), rate.json
    line = p.statement("2026-02")["lines"][0]
    assert (D(line["base"]), D(line["amount"]), line["currency"]) == (D("7200.00"), D("720.00"), quote)


def test_simulation_with_the_plan_in_force_matches_a_real_calculation(payroll: Any, post: Post) -> None:
    rules = {"base_rate": "0", "quota": "100000", "tiers": {"mode": "marginal", "bands": [
        {"from": 0, "to": 50, "rate": "0.05"}, {"from": 50, "to": 100, "rate": "0.10"},
        {"from": 100, "to": 150, "rate": "0.15"}, {"from": 150, "to": None, "rate": "0.20"}]}}
    p = payroll(rules)
    p.deal("160000.00", "2026-04-10")
    head = p.get("/api/v1/events?limit=1")["head"]
    response = post("/api/v1/plans/simulate", {"currency": "CNY", "rules": rules, "plan_id": p.plan["id"],
                                               "team_id": p.team, "period_from": "2026-04", "period_to": "2026-04"})
    assert response.status_code == 200, response.json
    rows = response.json["rows"]
    assert [(D(r["actual"]), D(r["simulated"]), D(r["difference"])) for r in rows] == [
        (D("17000.00"), D("17000.00"), D("0.00"))]
    assert p.get(f"/api/v1/events?after={head}")["events"] == []  # a simulation records no fact (only its read audit)
    run = p.run("2026-04")
    assert D(run["total"]) == D(rows[0]["simulated"])


REFERENCE = {"mode": "marginal", "bands": [
    {"from": 0, "to": 50, "rate": "0.05"}, {"from": 50, "to": 100, "rate": "0.10"},
    {"from": 100, "to": 150, "rate": "0.15"}, {"from": 150, "to": None, "rate": "0.20"}]}


@pytest.mark.parametrize(("mode", "earned"), [("marginal", "17000.00"), ("retroactive", "32000.00")])
def test_reference_tiered_plan_on_160000_of_bookings(payroll: Any, mode: str, earned: str) -> None:
    p = payroll({"base_rate": "0", "quota": "100000", "tiers": {**REFERENCE, "mode": mode}})
    p.deal("100000.00", "2026-05-04")
    p.deal("60000.00", "2026-05-18")
    statement = p.statement("2026-05")
    assert (D(statement["attainment"]), D(statement["earned"])) == (D("160.00"), D(earned))


def test_split_60_40_is_credited_once_across_the_team(payroll: Any) -> None:
    p = payroll({"base_rate": "0.10"})
    other = p.make.rep(team_id=p.team, hired_on="2025-01-02")["id"]
    p.deal("10000.00", "2026-05-04", splits=[{"rep_id": p.rep, "share": "60"}, {"rep_id": other, "share": "40"}])
    run = p.run("2026-05")
    by_rep = {rep: sum(D(x["amount"]) for x in run["lines"] if x["rep_id"] == rep) for rep in (p.rep, other)}
    assert by_rep == {p.rep: D("600.00"), other: D("400.00")}
    booked = D(p.statement("2026-05")["bookings"]) + D(p.statement("2026-05", other)["bookings"])
    assert booked == D("10000.00")


def test_draw_is_recovered_over_three_months(payroll: Any) -> None:
    p = payroll({"base_rate": "0.10", "draw": {"amount": "3000.00", "recoverable": True}}, hired_on="2026-01-01")
    for amount, day in (("10000.00", "2026-01-10"), ("42000.00", "2026-02-10"), ("50000.00", "2026-03-10")):
        p.deal(amount, day)
    figures = [(D(s["earned"]), D(s["draw_balance"])) for s in (p.statement(m) for m in ("2026-01", "2026-02", "2026-03"))]
    assert figures == [(D("3000.00"), D("2000.00")), (D("3000.00"), D("800.00")), (D("4200.00"), D("0.00"))]


def test_ramped_new_hire_gets_a_prorated_reduced_quota(payroll: Any) -> None:
    p = payroll({"base_rate": "0", "quota": "100000", "tiers": {**REFERENCE, "mode": "retroactive"},
                 "ramp": {"quotas": ["0.2", "0.4", "0.6", "0.8"]}}, hired_on="2026-04-16")
    p.deal("20000.00", "2026-04-20")
    april = p.statement("2026-04")
    assert (D(april["quota"]), D(april["attainment"]), D(april["earned"])) == (D("10000.00"), D("200.00"), D("2000.00"))


@pytest.mark.parametrize(("amounts", "expected"), [
    (("40000.00", "30000.00", "20000.00", "10000.00"), ("4000.00", "3000.00", "2000.00", "1000.00")),
    # 99,000 booked: exact shares 4040.404.., 3030.303.., 2020.202.., 909.090..: one cent of residue, which goes
    # to the largest remainder (0.0040.. for the first rep)
    (("40000.00", "30000.00", "20000.00", "9000.00"), ("4040.41", "3030.30", "2020.20", "909.09")),
])
def test_team_bonus_pool_of_10000_split_by_bookings_with_the_residue(
        payroll: Any, amounts: tuple[str, ...], expected: tuple[str, ...]) -> None:
    p = payroll({"base_rate": "0", "team_pool": {"target": "99000", "amount": "10000.00", "split": "bookings"}})
    reps = [p.rep] + [p.make.rep(team_id=p.team, hired_on="2025-01-02")["id"] for _ in range(3)]
    for rep, amount in zip(reps, amounts, strict=True):
        p.deal(amount, "2026-05-06", rep=rep)
    shares = [sum(D(x["amount"]) for x in p.statement("2026-05", rep)["lines"] if x["kind"] == "team-pool")
              for rep in reps]
    assert shares == [D(e) for e in expected] and sum(shares) == D("10000.00")
