"""Disputes API: a rep contests a line of their statement, someone else resolves it, and the team's next payout
run pays the resolution exactly once."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Flask
from flask.testing import FlaskClient

from ledger.application import LedgerApplication
from tests.api.commission_world import World, ok
from tests.api.helpers import assert_refused, recorded
from tests.conftest import Post, authenticated, issue_token, poster

V1 = "/api/v1"


def rep_poster(flask_app: Flask, ledger_app: LedgerApplication, rep: str) -> Post:
    """POST as the rep themself (a rep token scoped to that rep)."""
    return poster(authenticated(flask_app, issue_token(ledger_app, "rep", rep_id=UUID(rep))))


def disputed(w: World, period: str, **body: Any) -> dict[str, Any]:
    """A dispute body naming the first line of the rep's statement for the period."""
    line_id = w.statement(period)["lines"][0]["line_id"]
    return {"rep_id": w.rep, "period": period, "line_id": line_id, "reason": "wrong-rate",
            "comment": "the Q1 rate is 6%", **body}


def resolve(post: Post, dispute: dict[str, Any], outcome: str, amount: str | None = None) -> Any:
    body = {"outcome": outcome, "note": "checked"} | ({"amount": amount} if amount is not None else {})
    return post(f"{V1}/disputes/{dispute['id']}/resolve", body)


def test_rep_opens_a_dispute_on_a_line_of_their_own_statement(client: FlaskClient, post: Post, make: Any,
                                                              flask_app: Flask, ledger_app: LedgerApplication) -> None:
    w = World(post, client, make)
    w.deal("24010.10", "2026-03-10")
    as_rep = rep_poster(flask_app, ledger_app, w.rep)
    body = disputed(w, "2026-03", claimed_amount="100.00")
    head = ledger_app.head()
    dispute = ok(as_rep(f"{V1}/disputes", body), 201)
    assert {k: dispute[k] for k in ("rep_id", "period", "line_id", "reason", "claimed_amount", "currency", "status",
                                    "outcome", "resolved_by")} == {
        "rep_id": w.rep, "period": "2026-03", "line_id": body["line_id"], "reason": "wrong-rate",
        "claimed_amount": "100.00", "currency": "CNY", "status": "open", "outcome": None, "resolved_by": None}
    assert dispute["opened_by"].startswith("rep:")
    opened = recorded(client, head, dispute["id"], "Dispute.Opened")
    assert (opened["payload"]["line_id"], opened["payload"]["claimed_amount"]) == (body["line_id"], "100.00")
    assert [(d["id"], d["status"], d["position"]) for d in w.statement("2026-03")["disputes"]] == [
        (dispute["id"], "open", opened["position"])]
    head = ledger_app.head()
    for wrong in ({"line_id": "0123456789abcdef"}, {"period": "2026-04"}):  # no such line on that statement
        refused = as_rep(f"{V1}/disputes", {**body, **wrong})
        assert_refused(refused, ledger_app, head, 422, "invalid")
        assert "line_id" in refused.json["errors"]
    assert_refused(as_rep(f"{V1}/disputes", {**body, "reason": "greed"}), ledger_app, head, 422, "invalid")


def test_whoever_opened_a_dispute_cannot_resolve_it(client: FlaskClient, post: Post, hr_post: Post, make: Any,
                                                    flask_app: Flask, ledger_app: LedgerApplication) -> None:
    w = World(post, client, make)
    w.deal("24010.10", "2026-03-10")
    dispute, as_rep = ok(hr_post(f"{V1}/disputes", disputed(w, "2026-03")), 201), rep_poster(flask_app, ledger_app, w.rep)
    head = ledger_app.head()
    assert_refused(resolve(hr_post, dispute, "approve", "25.00"), ledger_app, head, 409, "four-eyes")
    assert_refused(resolve(as_rep, dispute, "approve", "25.00"), ledger_app, head, 403, "forbidden")
    resolved = ok(resolve(post, dispute, "approve", "25.00"))
    assert (resolved["status"], resolved["outcome"], resolved["amount"]) == ("resolved", "approve", "25.00")
    assert resolved["resolved_by"].startswith("admin:")
    head = ledger_app.head()
    assert_refused(resolve(hr_post, dispute, "deny"), ledger_app, head, 409, "already-resolved")


def test_partial_resolution_grants_less_than_claimed_and_a_denial_carries_no_amount(
        client: FlaskClient, post: Post, hr_post: Post, make: Any, flask_app: Flask,
        ledger_app: LedgerApplication) -> None:
    w = World(post, client, make)
    w.deal("24010.10", "2026-03-10")
    as_rep = rep_poster(flask_app, ledger_app, w.rep)
    dispute = ok(as_rep(f"{V1}/disputes", disputed(w, "2026-03", claimed_amount="100.00")), 201)
    head = ledger_app.head()
    for outcome, amount, status, field in (("deny", "10.00", 422, "amount"), ("partial", None, 422, "amount"),
                                           ("partial", "40.001", 422, "amount"), ("maybe", "1.00", 422, "outcome")):
        refused = resolve(hr_post, dispute, outcome, amount)
        assert_refused(refused, ledger_app, head, status, "invalid")
        assert field in refused.json["errors"], refused.json
    assert_refused(resolve(hr_post, dispute, "partial", "100.00"), ledger_app, head, 409, "not-partial")
    resolved = ok(resolve(hr_post, dispute, "partial", "40.00"))
    assert (resolved["outcome"], resolved["amount"], resolved["note"]) == ("partial", "40.00", "checked")
    assert recorded(client, head, dispute["id"], "Dispute.Resolved")["payload"] == {
        "outcome": "partial", "amount": "40.00", "note": "checked"}


def test_resolved_dispute_is_paid_once_in_the_teams_next_run(client: FlaskClient, post: Post, hr_post: Post,
                                                             make: Any, flask_app: Flask,
                                                             ledger_app: LedgerApplication) -> None:
    w = World(post, client, make)
    w.deal("24010.10", "2026-05-10")
    may = w.run("2026-05")
    ok(hr_post(f"{V1}/payout-runs/{may['id']}/approve", {}))
    ok(post(f"{V1}/payout-runs/{may['id']}/pay", {"paid_on": "2026-06-03", "reference": "B-05"}))
    as_rep = rep_poster(flask_app, ledger_app, w.rep)
    granted = ok(as_rep(f"{V1}/disputes", disputed(w, "2026-05", claimed_amount="100.00")), 201)
    denied = ok(as_rep(f"{V1}/disputes", disputed(w, "2026-05", reason="other")), 201)
    head = ledger_app.head()
    ok(resolve(hr_post, granted, "partial", "40.00"))
    resolved_at = recorded(client, head, granted["id"], "Dispute.Resolved")["position"]
    ok(resolve(hr_post, denied, "deny"))
    head = ledger_app.head()
    june = w.run("2026-06")  # no June deals: the run exists for the dispute alone
    assert (june["lines"], june["total"]) == ([], "40.00")
    assert june["adjustments"] == [{
        "rep_id": w.rep, "amount": "40.00", "reason": f"dispute {granted['id']} resolved", "source": "dispute",
        "corrects_period": "2026-05", "corrects_run_id": None, "dispute_id": granted["id"], "positions": [resolved_at]}]
    event = recorded(client, head, june["id"], "PayoutRun.Adjusted")["payload"]
    assert (event["source"], event["dispute_id"], event["amount"]) == ("dispute", granted["id"], "40.00")
    again = ok(post(f"{V1}/payout-runs/{june['id']}/recalculate", {}))
    assert (again["adjustments"], again["total"]) == (june["adjustments"], "40.00")
    head = ledger_app.head()
    assert_refused(w.calculate("2026-07"), ledger_app, head, 409, "nothing-to-pay")  # not carried a second time
    assert client.get(f"{V1}/payout-runs/{may['id']}").json["total"] == "1200.51"  # the paid run is untouched
    assert sorted((d["id"], d["status"], d["amount"]) for d in w.statement("2026-05")["disputes"]) == sorted(
        [(granted["id"], "resolved", "40.00"), (denied["id"], "resolved", "0")])
