"""Commissions API: plan assignments, statements traced to the events behind them, and what-if simulations."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from flask.testing import FlaskClient

from ledger.application import LedgerApplication
from tests.api.commission_world import World, ok
from tests.api.helpers import assert_refused, recorded
from tests.conftest import Post

V1 = "/api/v1"
RICHER = {"base_rate": "0.05", "rates": [{"product": "Implementation", "rate": "0.08"}],
          "new_customer_bonus": {"flat": "300"}}


def define_plan(post: Post, rate: str, effective_from: str = "2026-01-01") -> dict[str, Any]:
    return ok(post(f"{V1}/commission-plans", {"name": f"plan-{uuid4().hex[:8]}", "currency": "CNY",
                                              "effective_from": effective_from, "rules": {"base_rate": rate}}), 201)


def assign(post: Post, plan: dict[str, Any], **body: Any) -> Any:
    return post(f"{V1}/commission-plans/{plan['id']}/assignments", body)


# -- assignments ------------------------------------------------------------------------------------------------

def test_plan_assigned_to_a_team_and_to_one_rep_prices_each_deal_by_the_assignment_of_its_day(
        client: FlaskClient, post: Post, make: Any, ledger_app: LedgerApplication) -> None:
    team = make.team()["id"]
    rep, customer = make.rep(team_id=team)["id"], make.customer()["id"]
    standard, special = define_plan(post, "0.05"), define_plan(post, "0.08")
    head = ledger_app.head()
    on_team = ok(assign(post, standard, scope="team", scope_id=team, starts_on="2026-01-01"))
    assert on_team["assignments"] == [{"scope": "team", "scope_id": team, "starts_on": "2026-01-01", "ends_on": None}]
    assert recorded(client, head, standard["id"], "CommissionPlan.Assigned")["payload"] == on_team["assignments"][0]
    on_rep = ok(assign(post, special, scope="rep", scope_id=rep, starts_on="2026-04-01", ends_on="2026-04-30"))
    assert on_rep["assignments"] == [{"scope": "rep", "scope_id": rep, "starts_on": "2026-04-01", "ends_on": "2026-04-30"}]
    assert [e["type"] for e in client.get(f"{V1}/commission-plans/{special['id']}/history").json["events"]] == [
        "CommissionPlan.Defined", "CommissionPlan.Assigned"]
    for closed_on in ("2026-04-15", "2026-05-15"):
        ok(post(f"{V1}/deals", {"rep_id": rep, "customer_id": customer, "amount": "10000.00", "currency": "CNY",
                                "product": "CRM", "customer_type": "existing", "closed_on": closed_on}), 201)
    april = World.statement_of(client, rep, "2026-04")
    may = World.statement_of(client, rep, "2026-05")
    assert [(line["plan_id"], line["rate"], line["amount"]) for line in april["lines"]] == [(special["id"], "0.08", "800.00")]
    assert [(line["plan_id"], line["rate"], line["amount"]) for line in may["lines"]] == [(standard["id"], "0.05", "500.00")]


def test_assignment_ending_before_it_starts_or_malformed_is_422(post: Post, make: Any,
                                                               ledger_app: LedgerApplication) -> None:
    plan, rep = define_plan(post, "0.05"), make.rep()["id"]
    head = ledger_app.head()
    for body, field in (({"scope": "rep", "scope_id": rep, "starts_on": "2026-03-01", "ends_on": "2026-02-28"}, "ends_on"),
                        ({"scope": "company", "scope_id": rep, "starts_on": "2026-03-01"}, "scope"),
                        ({"scope": "rep", "scope_id": "nope", "starts_on": "2026-03-01"}, "scope_id"),
                        ({"scope": "rep", "scope_id": rep}, "starts_on")):
        response = assign(post, plan, **body)
        assert_refused(response, ledger_app, head, 422, "invalid")
        assert field in response.json["errors"], response.json


def test_assignment_before_the_plan_or_to_an_unknown_rep_or_team_is_409(post: Post, make: Any,
                                                                       ledger_app: LedgerApplication) -> None:
    plan, rep = define_plan(post, "0.05", "2026-02-01"), make.rep()["id"]
    head = ledger_app.head()
    early = assign(post, plan, scope="rep", scope_id=rep, starts_on="2026-01-31")
    assert_refused(early, ledger_app, head, 409, "before-plan")
    assert "2026-02-01" in early.json["errors"]["starts_on"][0]
    for scope in ("rep", "team"):
        unknown = assign(post, plan, scope=scope, scope_id=str(uuid4()), starts_on="2026-02-01")
        assert_refused(unknown, ledger_app, head, 409, "unknown-reference")
        assert unknown.json["errors"] == {"scope_id": [f"unknown {scope}"]}
    missing = post(f"{V1}/commission-plans/{uuid4()}/assignments", {"scope": "rep", "scope_id": rep,
                                                                     "starts_on": "2026-02-01"})
    assert_refused(missing, ledger_app, head, 404, "not-found")


# -- statements -------------------------------------------------------------------------------------------------

def test_statement_right_after_a_deal_shows_its_line_rule_plan_version_and_the_events_behind_it(
        client: FlaskClient, post: Post, make: Any) -> None:
    w = World(post, client, make)
    deal, position = w.deal_position("24010.10", "2026-03-10")
    plan_position = recorded(client, w.started, w.plan["id"], "CommissionPlan.Defined")["position"]
    statement = w.statement("2026-03")
    line = statement["lines"][0]
    assert len(statement["lines"]) == 1 and len(line.pop("line_id")) == 16
    assert line == {"kind": "commission", "deal_id": deal["id"], "rule": "base rate", "plan_id": w.plan["id"],
                    "plan_version": 1, "base": "24010.10", "rate": "0.05", "amount": "1200.51", "currency": "CNY",
                    "positions": [plan_position, position]}
    assert (statement["earned"], statement["due"], statement["bookings"], statement["currency"]) == (
        "1200.51", "1200.51", "24010.10", "CNY")
    assert statement["paid"] in ("0", "0.00") and statement["disputes"] == [] and statement["as_of"] > position
    assert statement["plan"] == {"plan_id": w.plan["id"], "name": w.plan["name"], "version": 1,
                                 "position": plan_position}


def test_statement_as_of_a_position_before_the_deal_has_no_line(client: FlaskClient, post: Post, make: Any) -> None:
    w = World(post, client, make)
    _, position = w.deal_position("24010.10", "2026-03-10")
    before = w.statement("2026-03", as_of=str(position - 1))
    assert (before["lines"], before["as_of"]) == ([], position - 1)
    assert before["earned"] in ("0", "0.00") and before["bookings"] in ("0", "0.00")
    assert [line["amount"] for line in w.statement("2026-03", as_of=str(position))["lines"]] == ["1200.51"]


def test_statement_counts_what_a_paid_run_paid(client: FlaskClient, post: Post, hr_post: Post, make: Any) -> None:
    w = World(post, client, make)
    w.deal("24010.10", "2026-03-10")
    run = w.run("2026-03")
    ok(hr_post(f"{V1}/payout-runs/{run['id']}/approve", {}))
    ok(post(f"{V1}/payout-runs/{run['id']}/pay", {"paid_on": "2026-04-03", "reference": "B"}))
    statement = w.statement("2026-03")
    assert (statement["earned"], statement["paid"], statement["due"]) == ("1200.51", "1200.51", "0.00")


def test_statement_needs_a_month_and_a_known_rep(client: FlaskClient, post: Post, make: Any) -> None:
    rep = make.rep()["id"]
    for period in ("2026", "2026-13", "2026-Q1"):
        response = client.get(f"{V1}/reps/{rep}/statement?period={period}")
        assert (response.status_code, response.content_type) == (422, "application/problem+json")
        assert "query.period" in response.json["errors"]
    assert client.get(f"{V1}/reps/{rep}/statement?period=2026-03&as_of=yesterday").status_code == 422
    assert client.get(f"{V1}/reps/{uuid4()}/statement?period=2026-03").status_code == 404


def test_statement_as_pdf_is_a_pdf_document(client: FlaskClient, post: Post, make: Any) -> None:
    w = World(post, client, make)
    w.deal("24010.10", "2026-03-10")
    response = client.get(f"{V1}/reps/{w.rep}/statement?period=2026-03&format=pdf")
    assert (response.status_code, response.content_type) == (200, "application/pdf")
    assert response.data.startswith(b"%PDF") and response.data.rstrip().endswith(b"%%EOF")


# -- simulation -------------------------------------------------------------------------------------------------

def simulation_world(post: Post, client: FlaskClient, make: Any) -> World:
    """February: 24010.10 CRM to an existing customer; March: 10000.00 Implementation to a new one."""
    w = World(post, client, make)
    w.deal("24010.10", "2026-02-10")
    w.deal("10000.00", "2026-03-12", product="Implementation", customer_type="new")
    return w


def simulate(post: Post, w: World, rules: dict[str, Any], **extra: Any) -> Any:
    return post(f"{V1}/plans/simulate", {"currency": "CNY", "rules": rules, "period_from": "2026-02",
                                          "period_to": "2026-03", "team_id": w.team, **extra})


def test_simulating_the_plan_in_force_gives_the_actual_pay_for_every_row(client: FlaskClient, post: Post,
                                                                        make: Any) -> None:
    w = simulation_world(post, client, make)
    result = ok(simulate(post, w, {"base_rate": "0.05"}, plan_id=w.plan["id"]), 200)
    assert [(r["rep_id"], r["period"], r["actual"], r["simulated"], r["difference"]) for r in result["rows"]] == [
        (w.rep, "2026-02", "1200.51", "1200.51", "0.00"), (w.rep, "2026-03", "500.00", "500.00", "0.00")]
    assert result["totals"] == {"actual": "1700.51", "simulated": "1700.51", "difference": "0.00"}


def test_simulating_a_richer_draft_shows_the_exact_difference_and_writes_nothing(
        client: FlaskClient, post: Post, make: Any, ledger_app: LedgerApplication) -> None:
    w = simulation_world(post, client, make)
    head = ledger_app.head()
    for extra in ({"plan_id": w.plan["id"]}, {}):  # in place of the plan, or for every rep of the team
        result = ok(simulate(post, w, RICHER, **extra), 200)
        assert [(r["period"], r["actual"], r["simulated"], r["difference"]) for r in result["rows"]] == [
            ("2026-02", "1200.51", "1200.51", "0.00"), ("2026-03", "500.00", "1100.00", "600.00")]  # 8% + 300 bonus
        assert result["totals"] == {"actual": "1700.51", "simulated": "2300.51", "difference": "600.00"}
    recorded_since = ledger_app.recorder.select_notifications(start=head + 1, limit=100)
    assert [n.topic.rsplit(":", 1)[1] for n in recorded_since] == ["ReadAudit.SensitiveDataRead"] * 2  # audit only
    assert w.statement("2026-03")["earned"] == "500.00"


def test_simulation_with_bad_rules_or_range_is_422_and_an_unknown_plan_409(post: Post, client: FlaskClient,
                                                                          make: Any, ledger_app: LedgerApplication) -> None:
    w = World(post, client, make)
    head = ledger_app.head()
    for rules, path in (({"base_rate": "0.05", "tier": {}}, "tier: unknown key"),
                        ({"base_rate": "2"}, "base_rate: must be at most 1"),
                        ({"base_rate": "0.05", "rates": [{"rate": "0.1"}]}, "rates[0]: name a product")):
        response = simulate(post, w, rules)
        assert_refused(response, ledger_app, head, 422, "invalid")
        assert response.json["errors"]["rules"][0].startswith(path), response.json
    backwards = simulate(post, w, {"base_rate": "0.05"}, period_from="2026-03", period_to="2026-02")
    assert_refused(backwards, ledger_app, head, 422, "invalid")
    assert "period_to" in backwards.json["errors"]
    unknown = simulate(post, w, {"base_rate": "0.05"}, plan_id=str(uuid4()))
    assert_refused(unknown, ledger_app, head, 409, "unknown-reference")
    assert "plan_id" in unknown.json["errors"]


def test_draft_for_every_rep_replaces_even_a_reps_own_later_assignment(client: FlaskClient, post: Post,
                                                                        make: Any) -> None:
    w = World(post, client, make)
    special = define_plan(post, "0.08")
    ok(assign(post, special, scope="rep", scope_id=w.rep, starts_on="2026-03-01"))
    w.deal("10000.00", "2026-02-10")
    w.deal("10000.00", "2026-03-10")
    result = ok(simulate(post, w, {"base_rate": "0.10"}), 200)
    assert [(r["period"], r["actual"], r["simulated"]) for r in result["rows"]] == [
        ("2026-02", "500.00", "1000.00"), ("2026-03", "800.00", "1000.00")]
