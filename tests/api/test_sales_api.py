"""Follow-ups and deals through the API: recorded, read back, and their rules enforced."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from tests.api.helpers import assert_recorded, problem


def deal_body(rep: dict[str, Any], customer: dict[str, Any], **body: Any) -> dict[str, Any]:
    return {"rep_id": rep["id"], "customer_id": customer["id"], "amount": "12000.00", "currency": "CNY",
            "product": "CRM annual licence", "customer_type": "new", "closed_on": "2026-07-15", **body}


@pytest.fixture()
def deal(post: Any, make: Any) -> dict[str, Any]:
    response = post("/api/v1/deals", deal_body(make.rep(), make.customer(), amount="1000.00"))
    assert response.status_code == 201, response.json
    return response.json


def test_follow_up_round_trips(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    rep, customer = make.rep(), make.customer()
    head = ledger_app.head()
    response = post("/api/v1/follow-ups", {"rep_id": rep["id"], "customer_id": customer["id"], "kind": "visit",
                                           "stage": "proposal", "notes": "带了样品", "duration_minutes": 90,
                                           "occurred_at": "2026-07-02T10:00:00+08:00"})
    assert response.status_code == 201, response.json
    got = client.get(f"/api/v1/follow-ups/{response.json['id']}").json
    assert (got["rep_id"], got["customer_id"], got["kind"], got["stage"], got["notes"], got["duration_minutes"]) == (
        rep["id"], customer["id"], "visit", "proposal", "带了样品", 90)
    last = assert_recorded(client, "follow-ups", got["id"], head, "FollowUp.Logged", rep_id=rep["id"],
                           customer_id=customer["id"], kind="visit", stage="proposal", duration_minutes=90)
    assert last["occurred_at"] == "2026-07-02T02:00:00+00:00"


def test_follow_up_by_departed_rep_is_refused(post: Any, make: Any, ledger_app: Any) -> None:
    rep, customer = make.departed_rep(), make.customer()
    head = ledger_app.head()
    response = post("/api/v1/follow-ups", {"rep_id": rep["id"], "customer_id": customer["id"], "kind": "call",
                                           "stage": "lead"})
    problem(response, 409, "rep_id", "rep-departed")
    assert ledger_app.head() == head


@pytest.mark.parametrize("field", ["rep_id", "customer_id"])
def test_follow_up_with_unknown_rep_or_customer_is_refused(post: Any, make: Any, ledger_app: Any, field: str) -> None:
    body = {"rep_id": make.rep()["id"], "customer_id": make.customer()["id"], "kind": "call", "stage": "lead"}
    head = ledger_app.head()
    problem(post("/api/v1/follow-ups", {**body, field: str(uuid4())}), 409, field, "unknown-reference")
    assert ledger_app.head() == head


@pytest.mark.parametrize("field, value", [("kind", "fax"), ("stage", "maybe"), ("duration_minutes", -5)])
def test_follow_up_with_bad_input_is_422(post: Any, make: Any, field: str, value: Any) -> None:
    body = {"rep_id": make.rep()["id"], "customer_id": make.customer()["id"], "kind": "call", "stage": "lead"}
    problem(post("/api/v1/follow-ups", {**body, field: value}), 422, field)


def test_split_deal_round_trips(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    closer, helper, customer = make.rep(), make.rep(), make.customer()
    head = ledger_app.head()
    splits = [{"rep_id": closer["id"], "share": "60"}, {"rep_id": helper["id"], "share": "40"}]
    response = post("/api/v1/deals", deal_body(closer, customer, splits=splits, customer_type="existing"))
    assert response.status_code == 201, response.json
    got = client.get(f"/api/v1/deals/{response.json['id']}").json
    assert (got["amount"], got["currency"], got["net_amount"], got["reversed_amount"], got["status"]) == (
        "12000.00", "CNY", "12000.00", "0.00", "closed")
    assert (got["splits"], got["customer_type"], got["closed_on"]) == (splits, "existing", "2026-07-15")
    assert_recorded(client, "deals", got["id"], head, "Deal.Closed", rep_id=closer["id"], amount="12000.00",
                    currency="CNY", splits=splits, customer_type="existing", closed_on="2026-07-15")


def test_deal_without_split_credits_the_closing_rep(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    rep = make.rep()
    head = ledger_app.head()
    deal = post("/api/v1/deals", deal_body(rep, make.customer(), amount=8800)).json
    assert (deal["amount"], deal["splits"]) == ("8800", [{"rep_id": rep["id"], "share": "100"}])
    assert_recorded(client, "deals", deal["id"], head, "Deal.Closed", splits=[{"rep_id": rep["id"], "share": "100"}])


def test_partial_refund_and_cancellation_round_trip(client: Any, post: Any, deal: dict[str, Any], ledger_app: Any) -> None:
    head = ledger_app.head()
    refund = post(f"/api/v1/deals/{deal['id']}/reverse", {"kind": "refund", "reason": "one seat returned",
                                                          "amount": "250.50", "currency": "CNY"})
    assert refund.status_code == 200, refund.json
    got = client.get(f"/api/v1/deals/{deal['id']}").json
    assert (got["reversed_amount"], got["net_amount"], got["status"]) == ("250.50", "749.50", "partially_reversed")
    assert_recorded(client, "deals", deal["id"], head, "Deal.Reversed", kind="refund", reason="one seat returned",
                    amount="250.50", currency="CNY")
    cancel = post(f"/api/v1/deals/{deal['id']}/reverse", {"kind": "cancellation", "reason": "contract voided",
                                                          "amount": "749.50", "currency": "CNY"})
    assert (cancel.json["net_amount"], cancel.json["status"]) == ("0.00", "reversed")
    assert_recorded(client, "deals", deal["id"], head, "Deal.Reversed", kind="cancellation", amount="749.50")


def test_retried_refund_is_applied_once(client: Any, post: Any, deal: dict[str, Any]) -> None:
    body = {"kind": "refund", "reason": "r", "amount": "100.00", "currency": "CNY"}
    first = post(f"/api/v1/deals/{deal['id']}/reverse", body, key=f"refund-{deal['id']}")
    again = post(f"/api/v1/deals/{deal['id']}/reverse", body, key=f"refund-{deal['id']}")
    assert first.json == again.json and again.json["net_amount"] == "900.00"
    assert client.get(f"/api/v1/deals/{deal['id']}").json["reversed_amount"] == "100.00"


@pytest.mark.parametrize("shares, code", [
    (("60", "30"), "split-total"), (("50", "50.0001"), "split-total"), (None, "split-duplicate-rep"),
])
def test_split_not_totalling_100_or_repeating_a_rep_is_refused(
        post: Any, make: Any, ledger_app: Any, shares: tuple[str, str] | None, code: str) -> None:
    closer, helper, customer = make.rep(), make.rep(), make.customer()
    splits = ([{"rep_id": closer["id"], "share": "50"}] * 2 if shares is None else
              [{"rep_id": closer["id"], "share": shares[0]}, {"rep_id": helper["id"], "share": shares[1]}])
    head = ledger_app.head()
    problem(post("/api/v1/deals", deal_body(closer, customer, splits=splits)), 409, "splits", code)
    assert ledger_app.head() == head


def test_split_leaving_out_the_closing_rep_is_refused(post: Any, make: Any, ledger_app: Any) -> None:
    closer, a, b, customer = make.rep(), make.rep(), make.rep(), make.customer()
    splits = [{"rep_id": a["id"], "share": "50"}, {"rep_id": b["id"], "share": "50"}]
    head = ledger_app.head()
    problem(post("/api/v1/deals", deal_body(closer, customer, splits=splits)), 409, "splits",
            "split-missing-closer")
    assert ledger_app.head() == head


@pytest.mark.parametrize("who, code", [("departed", "rep-departed"), ("unknown", "unknown-reference")])
def test_split_with_departed_or_unknown_rep_is_refused(post: Any, make: Any, ledger_app: Any, who: str, code: str) -> None:
    closer, customer = make.rep(), make.customer()
    other = make.departed_rep()["id"] if who == "departed" else str(uuid4())
    splits = [{"rep_id": closer["id"], "share": "70"}, {"rep_id": other, "share": "30"}]
    head = ledger_app.head()
    problem(post("/api/v1/deals", deal_body(closer, customer, splits=splits)), 409, "splits", code)
    assert ledger_app.head() == head


@pytest.mark.parametrize("who, field, code", [
    ("departed", "rep_id", "rep-departed"), ("unknown rep", "rep_id", "unknown-reference"),
    ("unknown customer", "customer_id", "unknown-reference"),
])
def test_deal_by_departed_or_unknown_rep_or_for_unknown_customer_is_refused(
        post: Any, make: Any, ledger_app: Any, who: str, field: str, code: str) -> None:
    rep = make.departed_rep() if who == "departed" else make.rep()
    customer = make.customer()
    body = deal_body(rep, customer, **{field: str(uuid4())} if who.startswith("unknown") else {})
    head = ledger_app.head()
    problem(post("/api/v1/deals", body), 409, field, code)
    assert ledger_app.head() == head


@pytest.mark.parametrize("body, code, field", [
    ({"amount": "900.01"}, "reversal-exceeds-deal", "amount"),
    ({"currency": "USD"}, "currency-mismatch", "currency"),
])
def test_reversal_beyond_the_remaining_amount_or_in_another_currency_is_refused(
        client: Any, post: Any, deal: dict[str, Any], ledger_app: Any, body: dict[str, str], code: str, field: str) -> None:
    post(f"/api/v1/deals/{deal['id']}/reverse", {"kind": "refund", "reason": "r", "amount": "100.00", "currency": "CNY"})
    head = ledger_app.head()
    response = post(f"/api/v1/deals/{deal['id']}/reverse",
                    {"kind": "refund", "reason": "r", "amount": "50.00", "currency": "CNY", **body})
    problem(response, 409, field, code)
    assert ledger_app.head() == head
    assert client.get(f"/api/v1/deals/{deal['id']}").json["net_amount"] == "900.00"


def test_fully_reversed_deal_accepts_no_more_reversals(post: Any, deal: dict[str, Any], ledger_app: Any) -> None:
    post(f"/api/v1/deals/{deal['id']}/reverse", {"kind": "cancellation", "reason": "r", "amount": "1000.00", "currency": "CNY"})
    head = ledger_app.head()
    response = post(f"/api/v1/deals/{deal['id']}/reverse", {"kind": "refund", "reason": "r", "amount": "0.01", "currency": "CNY"})
    problem(response, 409, "amount", "deal-reversed")
    assert ledger_app.head() == head


@pytest.mark.parametrize("body, field", [
    ({"amount": "10.001"}, "amount"), ({"amount": "100", "currency": "JPY"}, None), ({"amount": "10.5", "currency": "JPY"}, "amount"),
    ({"amount": "-5.00"}, "amount"), ({"currency": "RMB"}, "currency"), ({"customer_type": "vip"}, "customer_type"),
    ({"splits": [{"rep_id": str(uuid4()), "share": "0"}]}, "splits"), ({"splits": []}, "splits"),
])
def test_deal_with_bad_input_is_422(post: Any, make: Any, body: dict[str, Any], field: str | None) -> None:
    response = post("/api/v1/deals", deal_body(make.rep(), make.customer(), **body))
    if field is None:
        assert response.status_code == 201 and response.json["amount"] == "100"
    else:
        problem(response, 422, field)


def test_reversal_of_unknown_deal_is_404(post: Any) -> None:
    response = post(f"/api/v1/deals/{uuid4()}/reverse", {"kind": "refund", "reason": "r", "amount": "1.00", "currency": "CNY"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
