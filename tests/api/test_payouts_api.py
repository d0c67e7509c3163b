"""Payout runs API: a team's month computed from the ledger, four-eyes approval, payment, adjustments, payroll."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from flask.testing import FlaskClient
from openpyxl import load_workbook

from ledger.application import LedgerApplication
from ledger.payout import PayoutRun
from tests.api.commission_world import World, ok
from tests.api.helpers import assert_refused, recorded
from tests.conftest import Post

BASE = "/api/v1/payout-runs"
BONUS = {"base_rate": "0.05", "new_customer_bonus": {"flat": "500"}}


def two_reps(post: Post, client: FlaskClient, make: Any, rules: dict[str, Any] | None = None) -> tuple[World, str]:
    """A team whose first rep closes 24010.10 (5%: 1200.505 -> 1200.51) and second 999.99 (49.9995 -> 50.00)."""
    w = World(post, client, make, rules)
    second = w.hire()
    w.deal("24010.10", "2026-03-10")
    w.deal("999.99", "2026-03-20", rep=second, customer_type="new")
    return w, second


def calculated(post: Post, client: FlaskClient, make: Any) -> tuple[World, dict[str, Any]]:
    w = World(post, client, make)
    w.deal("24010.10", "2026-03-10")
    return w, w.run("2026-03")


def test_calculated_run_holds_every_members_statement_lines_and_round_trips(
        client: FlaskClient, post: Post, make: Any, ledger_app: LedgerApplication) -> None:
    w, second = two_reps(post, client, make)
    head = ledger_app.head()
    run = w.run("2026-03")
    expected = [{**line, "rep_id": rep} for rep in sorted([w.rep, second])
                for line in w.statement("2026-03", rep)["lines"]]
    assert run["lines"] == expected
    assert [(line["rep_id"], line["amount"]) for line in run["lines"]] == sorted(
        [(w.rep, "1200.51"), (second, "50.00")])
    assert (run["status"], run["total"], run["currency"], run["team_id"], run["period"]) == (
        "calculated", "1250.51", "CNY", w.team, "2026-03")
    assert run["calculated_by"].startswith("admin:") and run["through_position"] == head  # it saw the whole ledger
    assert client.get(f"{BASE}/{run['id']}").json == run
    payload = recorded(client, head, run["id"], "PayoutRun.Calculated")["payload"]
    assert (payload["through_position"], payload["team_id"]) == (run["through_position"], w.team)
    assert [(line["rep_id"], line["amount"], line["base"]) for line in payload["lines"]] == [
        (line["rep_id"], line["amount"], line["base"]) for line in run["lines"]]
    assert [e["type"] for e in client.get(f"{BASE}/{run['id']}/history").json["events"]] == ["PayoutRun.Calculated"]


def test_second_calculation_of_a_team_month_is_refused_and_a_repeated_key_replays(
        client: FlaskClient, post: Post, make: Any, ledger_app: LedgerApplication) -> None:
    w = World(post, client, make)
    w.deal("1000.00", "2026-04-02")
    key = f"run-{uuid4()}"
    first = w.calculate("2026-04", key=key)
    assert first.status_code == 201, first.json
    head = ledger_app.head()
    again = w.calculate("2026-04", key=key)
    assert (again.status_code, again.json, ledger_app.head()) == (201, first.json, head)
    refused = w.calculate("2026-04")
    assert_refused(refused, ledger_app, head, 409, "run-exists")
    assert first.json["id"] in refused.json["errors"]["period"][0]


def test_team_with_nothing_to_pay_or_unknown_is_refused(client: FlaskClient, post: Post, make: Any,
                                                        ledger_app: LedgerApplication) -> None:
    w = World(post, client, make)
    w.deal("1000.00", "2026-04-02")
    head = ledger_app.head()
    assert_refused(w.calculate("2026-05"), ledger_app, head, 409, "nothing-to-pay")
    unknown = post(BASE, {"period": "2026-05", "team_id": str(uuid4())})
    assert_refused(unknown, ledger_app, head, 409, "unknown-reference")
    assert "team_id" in unknown.json["errors"]


def test_recalculation_after_a_new_deal_changes_the_lines_and_keeps_a_manual_adjustment(
        client: FlaskClient, post: Post, make: Any, ledger_app: LedgerApplication) -> None:
    w, run = calculated(post, client, make)
    url = f"{BASE}/{run['id']}"
    ok(post(f"{url}/adjust", {"rep_id": w.rep, "amount": "-0.51", "reason": "rounding agreed"}))
    w.deal("2000.02", "2026-03-28")  # 100.001 -> 100.00
    head = ledger_app.head()
    again = ok(post(f"{url}/recalculate", {}))
    assert [line["amount"] for line in again["lines"]] == ["1200.51", "100.00"]
    assert [(a["amount"], a["source"], a["corrects_period"]) for a in again["adjustments"]] == [
        ("-0.51", "manual", "2026-03")]
    assert again["total"] == "1300.00" and again["through_position"] > run["through_position"]
    event = recorded(client, head, run["id"], "PayoutRun.Recalculated")["payload"]
    assert [line["amount"] for line in event["lines"]] == ["1200.51", "100.00"]
    same = ok(post(f"{url}/recalculate", {}))  # nothing new: the same lines, no further adjustment
    assert (same["lines"], same["adjustments"], same["total"]) == (again["lines"], again["adjustments"], "1300.00")
    assert [e["type"] for e in client.get(f"{url}/history").json["events"]] == [
        "PayoutRun.Calculated", "PayoutRun.Adjusted", "PayoutRun.Recalculated", "PayoutRun.Recalculated"]


def test_run_recorded_with_hand_given_lines_is_not_recalculated(client: FlaskClient, post: Post, make: Any,
                                                                 ledger_app: LedgerApplication) -> None:
    rep = make.rep()["id"]
    legacy = PayoutRun.calculate(  # as issue 5 recorded runs: lines given by the caller, no team
        id=None, period="2026-02", team_id=None, currency="CNY", lines=[{"rep_id": UUID(rep), "amount": Decimal("300.00")}],
        through_position=0, calculated_by="admin:legacy", occurred_at=datetime.now(timezone.utc), actor="admin:legacy",
        idempotency_key=f"legacy-{uuid4()}")
    ledger_app.save(legacy)
    head = ledger_app.head()
    assert_refused(post(f"{BASE}/{legacy.id}/recalculate", {}), ledger_app, head, 409, "not-recalculable")
    assert client.get(f"{BASE}/{legacy.id}").json["total"] == "300.00"


def test_approval_by_a_second_person_then_payment_round_trip(client: FlaskClient, post: Post, hr_post: Post,
                                                             make: Any, ledger_app: LedgerApplication) -> None:
    _, run = calculated(post, client, make)
    url = f"{BASE}/{run['id']}"
    head = ledger_app.head()
    assert_refused(post(f"{url}/approve", {}), ledger_app, head, 409, "four-eyes")
    approved = ok(hr_post(f"{url}/approve", {}))
    approver = approved["approved_by"]
    assert approved["status"] == "approved" and approver.startswith("hr:") and run["calculated_by"].startswith("admin:")
    assert recorded(client, head, run["id"], "PayoutRun.Approved")["payload"] == {"approved_by": approver}
    head = ledger_app.head()
    paid = ok(post(f"{url}/pay", {"paid_on": "2026-04-05", "reference": "BANK-0405"}))
    assert (paid["status"], paid["paid_on"], paid["reference"], paid["total"]) == (
        "paid", "2026-04-05", "BANK-0405", "1200.51")
    assert recorded(client, head, run["id"], "PayoutRun.Paid")["payload"]["reference"] == "BANK-0405"
    assert [e["type"] for e in client.get(f"{url}/history").json["events"]] == [
        "PayoutRun.Calculated", "PayoutRun.Approved", "PayoutRun.Paid"]


def test_whoever_recalculated_a_run_cannot_approve_it(client: FlaskClient, post: Post, hr_post: Post, make: Any,
                                                      ledger_app: LedgerApplication) -> None:
    _, run = calculated(post, client, make)
    url = f"{BASE}/{run['id']}"
    assert ok(hr_post(f"{url}/recalculate", {}))["calculated_by"].startswith("hr:")
    head = ledger_app.head()
    assert_refused(hr_post(f"{url}/approve", {}), ledger_app, head, 409, "four-eyes")
    assert ok(post(f"{url}/approve", {}))["approved_by"].startswith("admin:")


def test_unapproved_run_cannot_be_paid(client: FlaskClient, post: Post, make: Any, ledger_app: LedgerApplication) -> None:
    _, run = calculated(post, client, make)
    head = ledger_app.head()
    response = post(f"{BASE}/{run['id']}/pay", {"paid_on": "2026-04-05", "reference": "B-1"})
    assert_refused(response, ledger_app, head, 409, "not-approved")


def test_approved_run_cannot_be_approved_again(client: FlaskClient, post: Post, hr_post: Post, make: Any,
                                               ledger_app: LedgerApplication) -> None:
    _, run = calculated(post, client, make)
    ok(hr_post(f"{BASE}/{run['id']}/approve", {}))
    head = ledger_app.head()
    assert_refused(hr_post(f"{BASE}/{run['id']}/approve", {}), ledger_app, head, 409, "already-approved")


def test_adjusting_an_approved_run_sends_it_back_for_approval(client: FlaskClient, post: Post, hr_post: Post,
                                                              make: Any, ledger_app: LedgerApplication) -> None:
    w, run = calculated(post, client, make)
    url = f"{BASE}/{run['id']}"
    ok(hr_post(f"{url}/approve", {}))
    adjusted = ok(post(f"{url}/adjust", {"rep_id": w.rep, "amount": "-200.51", "reason": "over-credited"}))
    assert (adjusted["status"], adjusted["approved_by"], adjusted["total"]) == ("calculated", None, "1000.00")
    head = ledger_app.head()
    assert_refused(post(f"{url}/pay", {"paid_on": "2026-04-05", "reference": "B-1"}), ledger_app, head, 409,
                   "not-approved")
    assert ok(hr_post(f"{url}/approve", {}))["status"] == "approved"


def test_paid_run_is_never_approved_paid_adjusted_or_recalculated_again(
        client: FlaskClient, post: Post, hr_post: Post, make: Any, ledger_app: LedgerApplication) -> None:
    w, run = calculated(post, client, make)
    url = f"{BASE}/{run['id']}"
    ok(hr_post(f"{url}/approve", {}))
    ok(post(f"{url}/pay", {"paid_on": "2026-04-05", "reference": "B-1"}))
    paid = client.get(url).json
    w.deal("5000.00", "2026-03-30")  # a late deal must not reach the paid run
    head = ledger_app.head()
    assert_refused(hr_post(f"{url}/approve", {}), ledger_app, head, 409, "already-paid")
    assert_refused(post(f"{url}/pay", {"paid_on": "2026-04-06", "reference": "B-2"}), ledger_app, head, 409,
                   "already-paid")
    assert_refused(post(f"{url}/adjust", {"rep_id": w.rep, "amount": "10.00", "reason": "late"}), ledger_app, head,
                   409, "run-paid")
    assert_refused(post(f"{url}/recalculate", {}), ledger_app, head, 409, "run-paid")
    assert client.get(url).json == paid and paid["total"] == "1200.51"


def test_adjustment_must_name_a_known_rep_and_an_exact_non_zero_amount(
        client: FlaskClient, post: Post, make: Any, ledger_app: LedgerApplication) -> None:
    w, run = calculated(post, client, make)
    url = f"{BASE}/{run['id']}/adjust"
    head = ledger_app.head()
    unknown = post(url, {"rep_id": str(uuid4()), "amount": "10.00", "reason": "x"})
    assert_refused(unknown, ledger_app, head, 409, "unknown-reference")
    assert "rep_id" in unknown.json["errors"]
    for amount in ("1.005", "0", "abc"):
        refused = post(url, {"rep_id": w.rep, "amount": amount, "reason": "x"})
        assert_refused(refused, ledger_app, head, 422, "invalid")
        assert "amount" in refused.json["errors"], refused.json


def test_bad_calculation_input_is_422(post: Post, make: Any, ledger_app: LedgerApplication) -> None:
    team, head = make.team()["id"], ledger_app.head()
    for body, field in (({"period": "2026-13", "team_id": team}, "period"), ({"period": "2026-03"}, "team_id"),
                        ({"period": "2026-Q1", "team_id": team}, "period"),
                        ({"period": "2026-03", "team_id": team, "lines": []}, "lines")):
        response = post(BASE, body)
        assert_refused(response, ledger_app, head, 422, "invalid")
        assert field in response.json["errors"], response.json


def test_payroll_export_has_one_row_per_rep_with_exact_totals_as_csv_and_xlsx(
        client: FlaskClient, post: Post, hr_post: Post, make: Any, ledger_app: LedgerApplication) -> None:
    w, second = two_reps(post, client, make, BONUS)
    run = w.run("2026-03")
    url = f"{BASE}/{run['id']}"
    ok(post(f"{url}/adjust", {"rep_id": w.rep, "amount": "10.00", "reason": "agreed"}))
    head = ledger_app.head()
    assert_refused(client.get(f"{url}/payroll"), ledger_app, head, 409, "not-approved")
    ok(hr_post(f"{url}/approve", {}))
    exported = client.get(f"{url}/payroll")
    assert (exported.status_code, exported.content_type) == (200, "text/csv; charset=utf-8")
    assert run["id"] in exported.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    figures = ("commission", "bonuses", "clawbacks", "draw", "adjustments", "total")
    expected = {w.rep: ("1200.51", "0.00", "0.00", "0.00", "10.00", "1210.51"),
                second: ("50.00", "500.00", "0.00", "0.00", "0.00", "550.00")}
    assert {row["rep_id"]: tuple(row[f] for f in figures) for row in rows} == expected
    assert len(rows) == 2 and {(r["run_id"], r["period"], r["currency"], r["status"]) for r in rows} == {
        (run["id"], "2026-03", "CNY", "approved")}
    book = client.get(f"{url}/payroll?format=xlsx")
    assert book.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(book.data), read_only=True)["payroll"]
    header, *cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    parsed = {row[header.index("rep_id")]: tuple(Decimal(str(row[header.index(f)])) for f in figures) for row in cells}
    assert parsed == {rep: tuple(Decimal(v) for v in values) for rep, values in expected.items()}
    assert sum(values[-1] for values in parsed.values()) == Decimal(client.get(url).json["total"]) == Decimal("1760.51")


def test_actions_on_an_unknown_run_are_404(post: Post, client: FlaskClient, ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    assert_refused(post(f"{BASE}/{uuid4()}/approve", {}), ledger_app, head, 404, "not-found")
    assert_refused(post(f"{BASE}/{uuid4()}/recalculate", {}), ledger_app, head, 404, "not-found")
    assert_refused(client.get(f"{BASE}/{uuid4()}/payroll"), ledger_app, head, 404, "not-found")
