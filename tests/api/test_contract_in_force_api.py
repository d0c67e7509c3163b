"""GET /reps/<id>/contract: the contract as in force on a day, and as the ledger stood at a moment."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask.testing import FlaskClient

from ledger.application import LedgerApplication
from tests.api.helpers import problem, recorded
from tests.api.test_contracts_api import BASE, sign


def on(client: FlaskClient, rep_id: str, day: str, **query: Any) -> dict[str, Any]:
    params = "&".join(f"{k}={v}" for k, v in {"on": day, **query}.items())
    response = client.get(f"/api/v1/reps/{rep_id}/contract?{params}")
    assert response.status_code == 200, response.json
    return response.json


def clauses(view: dict[str, Any]) -> tuple[str, str, str]:
    return view["clauses"]["post"], view["clauses"]["base_pay_amount"], view["clauses"]["ends_on"]


def test_amendment_applies_only_once_both_signed_and_from_its_effective_date(
    client: FlaskClient, post: Any, make: Any, ledger_app: LedgerApplication,
) -> None:
    contract = sign(post, make)
    rep_id = contract["rep_id"]
    amendment = post(f"{BASE}/{contract['id']}/amendments", {
        "changes": {"post": "team lead", "base_pay_amount": "12000.00"}, "effective_on": "2026-01-01",
        "proposed_by": "employer", "reason": "promotion"}).json["amendments"][0]
    sign_url = f"{BASE}/{contract['id']}/amendments/{amendment['id']}/sign"
    assert post(sign_url, {"party": "employee", "signer": "Li Lei"}).status_code == 200
    one_signature = ledger_app.head()
    half = on(client, rep_id, "2026-06-01")
    assert clauses(half) == ("sales", "9000.00", "2028-02-29") and half["status"] == "active"
    assert (half["amendments"][0]["signed"], half["amendments"][0]["in_force"]) == (False, False)
    assert half["amendments"][0]["signatures"] == {"employee": "Li Lei"}

    head = ledger_app.head()
    assert post(sign_url, {"party": "employer", "signer": "HR Wang"}).status_code == 200
    signed_at = recorded(client, head, contract["id"], "Contract.AmendmentSigned")["position"]
    before = on(client, rep_id, "2025-12-31")
    assert clauses(before) == ("sales", "9000.00", "2028-02-29")
    assert (before["amendments"][0]["signed"], before["amendments"][0]["in_force"]) == (True, False)
    after = on(client, rep_id, "2026-01-01")
    assert clauses(after) == ("team lead", "12000.00", "2028-02-29") and after["contract_id"] == contract["id"]
    assert after["amendments"][0]["in_force"] is True
    assert after["amendments"][0]["signatures"] == {"employee": "Li Lei", "employer": "HR Wang"}
    assert after["amendments"][0]["positions"]["employer"] == signed_at
    assert [e["type"] for e in after["events"]] == ["Contract.Signed", "Contract.AmendmentProposed",
                                                    "Contract.AmendmentSigned", "Contract.AmendmentSigned"]
    assert after["events"][-1]["position"] == signed_at and after["position"] >= signed_at

    then = on(client, rep_id, "2026-06-01", as_of=one_signature)  # what the ledger said before the employer signed
    assert clauses(then) == ("sales", "9000.00", "2028-02-29") and then["position"] == one_signature
    assert then["amendments"][0]["signed"] is False and len(then["events"]) == 3


def test_status_through_start_renewal_termination(client: FlaskClient, post: Any, make: Any) -> None:
    contract = sign(post, make)
    rep_id, url = contract["rep_id"], f"{BASE}/{contract['id']}"
    assert on(client, rep_id, "2025-02-28")["status"] == "not_yet_started"
    assert post(f"{url}/renew", {"new_ends_on": "2031-02-28", "renewed_on": "2028-01-15"}).status_code == 200
    before = on(client, rep_id, "2028-01-14")
    assert (before["status"], before["clauses"]["ends_on"]) == ("active", "2028-02-29")
    assert before["renewals"][0]["in_force"] is False
    renewed = on(client, rep_id, "2028-01-15")
    assert (renewed["status"], renewed["clauses"]["ends_on"]) == ("renewed", "2031-02-28")
    terminated = post(f"{url}/terminate", {"terminated_on": "2029-06-30", "ground": "art40_incompetence",
                                           "notice": "30_days", "notice_given_on": "2029-05-15", "reason": "PIP failed"})
    assert terminated.status_code == 200, terminated.json
    last_day = on(client, rep_id, "2029-06-30")
    assert last_day["status"] == "renewed" and last_day["termination"]["notice_given_on"] == "2029-05-15"
    gone = on(client, rep_id, "2029-07-01")
    assert gone["status"] == "terminated"
    assert {k: gone["termination"][k] for k in ("terminated_on", "ground", "notice", "reason")} == {
        "terminated_on": "2029-06-30", "ground": "art40_incompetence", "notice": "30_days", "reason": "PIP failed"}
    assert gone["termination"]["position"] == gone["events"][-1]["position"]
    assert gone["renewals"][0]["position"] == gone["events"][1]["position"]


def test_a_fixed_term_contract_expires_after_its_last_day(client: FlaskClient, post: Any, make: Any) -> None:
    rep_id = sign(post, make)["rep_id"]
    assert on(client, rep_id, "2028-02-29")["status"] == "active"
    assert on(client, rep_id, "2028-03-01")["status"] == "expired"


def test_the_contract_in_force_that_day_is_chosen_among_several(client: FlaskClient, post: Any, make: Any) -> None:
    first = sign(post, make, kind="open_ended", ends_on=None)
    rep_id = first["rep_id"]
    assert post(f"{BASE}/{first['id']}/terminate", {
        "terminated_on": "2026-03-31", "ground": "mutual", "notice": "none"}).status_code == 200
    second = post(BASE, {**{k: first[k] for k in ("rep_id", "post", "currency", "kind")}, "starts_on": "2026-04-01",
                         "base_pay_amount": "9500.00"})
    assert second.status_code == 201, second.json
    old, new = on(client, rep_id, "2026-03-31"), on(client, rep_id, "2026-04-01")
    assert (old["contract_id"], old["status"], old["other_contract_ids"]) == (first["id"], "active", [second.json["id"]])
    assert (new["contract_id"], new["clauses"]["base_pay_amount"]) == (second.json["id"], "9500.00")
    assert on(client, rep_id, "2025-01-01")["contract_id"] == first["id"]  # before either: the first to begin


def test_rep_without_contract_or_unknown_is_404_and_bad_query_is_422(client: FlaskClient, make: Any) -> None:
    rep_id = make.rep()["id"]
    problem_404 = client.get(f"/api/v1/reps/{rep_id}/contract")
    assert problem_404.status_code == 404 and problem_404.mimetype == "application/problem+json"
    assert client.get("/api/v1/reps/00000000-0000-4000-8000-000000000000/contract").status_code == 404
    problem(client.get(f"/api/v1/reps/{rep_id}/contract?on=2026-13-01"), 422, "query.on")
    problem(client.get(f"/api/v1/reps/{rep_id}/contract?as_of=yesterday"), 422, "as_of")


def test_without_on_it_answers_for_today(client: FlaskClient, post: Any, make: Any) -> None:
    contract = sign(post, make, kind="open_ended", ends_on=None)
    view = client.get(f"/api/v1/reps/{contract['rep_id']}/contract").json
    assert view["on"] == datetime.now(timezone.utc).date().isoformat() and view["status"] == "active"
