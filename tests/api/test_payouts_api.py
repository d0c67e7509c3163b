"""Payout runs API: calculated facts, four-eyes approval, payment, adjustments."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from flask.testing import FlaskClient

from ledger.application import LedgerApplication
from tests.api.helpers import assert_refused, recorded

BASE = "/api/v1/payout-runs"




def run_body(rep_id: str, **overrides: Any) -> dict[str, Any]:
    body = {"period": "2026-07", "currency": "CNY", "lines": [
        {"rep_id": rep_id, "amount": "1200.50", "description": "July commission", "source_event_ids": ["deal:1@1"]},
        {"rep_id": rep_id, "amount": "-200.25", "description": "clawback"}]}
    return {**body, **overrides}


def calculate(post: Any, make: Any) -> dict[str, Any]:
    response = post(BASE, run_body(make.rep()["id"]))
    assert response.status_code == 201, response.json
    return response.json


def test_calculated_run_round_trips(client: FlaskClient, post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    rep_id, head = make.rep()["id"], ledger_app.head()
    response = post(BASE, run_body(rep_id))
    assert response.status_code == 201, response.json
    run = response.json
    assert (run["status"], run["total"], run["lines"][1]["amount"]) == ("calculated", "1000.25", "-200.25")
    assert run["lines"][0]["source_event_ids"] == ["deal:1@1"]
    assert client.get(f"{BASE}/{run['id']}").json == run
    payload = recorded(client, head, run["id"], "PayoutRun.Calculated")["payload"]
    assert payload["lines"][0] == {"rep_id": rep_id, "amount": "1200.50", "description": "July commission",
                                   "source_event_ids": ["deal:1@1"]}
    assert [e["type"] for e in client.get(f"{BASE}/{run['id']}/history").json["events"]] == ["PayoutRun.Calculated"]


def test_approval_payment_and_adjustment_round_trip(client: FlaskClient, post: Any, hr_post: Any, make: Any,
                                                    ledger_app: LedgerApplication) -> None:
    run = calculate(post, make)
    url = f"{BASE}/{run['id']}"
    head = ledger_app.head()
    approved = hr_post(f"{url}/approve", {})
    assert approved.status_code == 200, approved.json
    approver = approved.json["approved_by"]
    assert approved.json["status"] == "approved" and approver.startswith("hr:") and approver != run["calculated_by"]
    assert run["calculated_by"].startswith("admin:")
    assert recorded(client, head, run["id"], "PayoutRun.Approved")["payload"] == {"approved_by": approver}
    head = ledger_app.head()
    paid = post(f"{url}/pay", {"paid_on": "2026-08-05", "reference": "BANK-0805"})
    assert paid.status_code == 200, paid.json
    assert client.get(url).json["paid_on"] == "2026-08-05"
    assert recorded(client, head, run["id"], "PayoutRun.Paid")["payload"]["reference"] == "BANK-0805"
    head = ledger_app.head()
    rep_id = run["lines"][0]["rep_id"]
    adjusted = post(f"{url}/adjust", {"rep_id": rep_id, "amount": "-0.25", "reason": "dispute settled"})
    assert adjusted.status_code == 200, adjusted.json
    state = client.get(url).json
    assert (state["total"], state["status"], len(state["lines"])) == ("1000.00", "paid", 2)
    assert state["adjustments"] == [{"rep_id": rep_id, "amount": "-0.25", "reason": "dispute settled"}]
    assert recorded(client, head, run["id"], "PayoutRun.Adjusted")["payload"]["amount"] == "-0.25"
    assert [e["type"] for e in client.get(f"{url}/history").json["events"]] == [
        "PayoutRun.Calculated", "PayoutRun.Approved", "PayoutRun.Paid", "PayoutRun.Adjusted"]


def test_calculator_cannot_approve_their_own_run(post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    run, head = calculate(post, make), ledger_app.head()
    assert_refused(post(f"{BASE}/{run['id']}/approve", {}), ledger_app, head, 409, "four-eyes")


def test_unapproved_run_cannot_be_paid(post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    run, head = calculate(post, make), ledger_app.head()
    response = post(f"{BASE}/{run['id']}/pay", {"paid_on": "2026-08-05", "reference": "B-1"})
    assert_refused(response, ledger_app, head, 409, "not-approved")


def test_paid_run_cannot_be_approved_or_paid_again(post: Any, hr_post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    run = calculate(post, make)
    assert hr_post(f"{BASE}/{run['id']}/approve", {}).status_code == 200
    assert post(f"{BASE}/{run['id']}/pay", {"paid_on": "2026-08-05", "reference": "B-1"}).status_code == 200
    head = ledger_app.head()
    assert_refused(hr_post(f"{BASE}/{run['id']}/approve", {}), ledger_app, head, 409,
                   "already-paid")
    assert_refused(post(f"{BASE}/{run['id']}/pay", {"paid_on": "2026-08-06", "reference": "B-2"}), ledger_app, head,
                   409, "already-paid")


def test_approved_run_cannot_be_approved_again(post: Any, hr_post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    run = calculate(post, make)
    assert hr_post(f"{BASE}/{run['id']}/approve", {}).status_code == 200
    head = ledger_app.head()
    assert_refused(hr_post(f"{BASE}/{run['id']}/approve", {}), ledger_app, head, 409,
                   "already-approved")


def test_lines_and_adjustments_must_name_known_reps(post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    response = post(BASE, run_body(str(uuid4())))
    assert_refused(response, ledger_app, head, 409, "unknown-reference")
    assert "lines" in response.json["errors"]
    run = calculate(post, make)
    head = ledger_app.head()
    response = post(f"{BASE}/{run['id']}/adjust", {"rep_id": str(uuid4()), "amount": "10.00", "reason": "x"})
    assert_refused(response, ledger_app, head, 409, "unknown-reference")


def test_bad_payout_input_is_422(post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    rep_id, head = make.rep()["id"], ledger_app.head()
    finer = run_body(rep_id, lines=[{"rep_id": rep_id, "amount": "1.005"}])
    assert_refused(post(BASE, finer), ledger_app, head, 422, "invalid")
    assert "lines" in post(BASE, finer).json["errors"]
    bad_period = post(BASE, run_body(rep_id, period="2026-13"))
    assert_refused(bad_period, ledger_app, head, 422, "invalid")
    assert "period" in bad_period.json["errors"]
    no_lines = post(BASE, run_body(rep_id, lines=[]))
    assert_refused(no_lines, ledger_app, head, 422, "invalid")
    assert "lines" in no_lines.json["errors"]


def test_actions_on_an_unknown_run_are_404(post: Any, ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    assert_refused(post(f"{BASE}/{uuid4()}/approve", {}), ledger_app, head, 404, "not-found")
