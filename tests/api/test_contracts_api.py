"""Contracts API: signing, two-party amendments, renewal, termination, and their refusals."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from flask.testing import FlaskClient

from ledger.application import LedgerApplication
from tests.api.helpers import assert_refused, recorded

BASE = "/api/v1/contracts"


def contract_body(rep_id: str, **overrides: Any) -> dict[str, Any]:
    body = {"rep_id": rep_id, "kind": "fixed_term", "starts_on": "2025-03-01", "ends_on": "2028-02-29",
            "probation_months": 3, "post": "sales", "base_pay_amount": "9000.00", "currency": "CNY",
            "performance_clause": "quarterly targets"}
    return {**body, **overrides}


def sign(post: Any, make: Any, **overrides: Any) -> dict[str, Any]:
    response = post(BASE, contract_body(make.rep()["id"], **overrides))
    assert response.status_code == 201, response.json
    return response.json


def propose(post: Any, contract_id: str, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    response = post(f"{BASE}/{contract_id}/amendments", {
        "changes": changes or {"post": "senior sales"}, "effective_on": "2026-01-01", "proposed_by": "employer",
        "reason": "promotion"})
    assert response.status_code == 201, response.json
    return response.json


def test_signed_contract_round_trips(client: FlaskClient, post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    rep_id, head = make.rep()["id"], ledger_app.head()
    response = post(BASE, contract_body(rep_id))
    assert response.status_code == 201, response.json
    contract = response.json
    assert contract["status"] == "active" and contract["base_pay_amount"] == "9000.00"
    assert client.get(f"{BASE}/{contract['id']}").json == contract
    history = client.get(f"{BASE}/{contract['id']}/history").json["events"]
    assert [e["type"] for e in history] == ["Contract.Signed"]
    assert history[0]["payload"]["ends_on"] == "2028-02-29" and history[0]["payload"]["rep_id"] == rep_id
    assert recorded(client, head, contract["id"], "Contract.Signed")["payload"]["base_pay_amount"] == "9000.00"


def test_amendment_takes_effect_after_both_signatures(client: FlaskClient, post: Any, make: Any,
                                                      ledger_app: LedgerApplication) -> None:
    contract = sign(post, make)
    head = ledger_app.head()
    proposed = propose(post, contract["id"], {"post": "team lead", "base_pay_amount": "12000.00",
                                              "ends_on": "2029-02-28"})
    amendment = proposed["amendments"][0]
    assert amendment["effective"] is False and amendment["changes"]["base_pay_amount"] == "12000.00"
    assert recorded(client, head, contract["id"], "Contract.AmendmentProposed")["payload"]["changes"] == {
        "post": "team lead", "base_pay_amount": "12000.00", "ends_on": "2029-02-28"}
    url = f"{BASE}/{contract['id']}/amendments/{amendment['id']}/sign"
    head = ledger_app.head()
    first = post(url, {"party": "employee", "signer": "Li Lei"})
    assert first.status_code == 200, first.json
    assert first.json["post"] == "sales" and first.json["amendments"][0]["effective"] is False
    assert recorded(client, head, contract["id"], "Contract.AmendmentSigned")["payload"]["party"] == "employee"
    second = post(url, {"party": "employer", "signer": "HR Wang"})
    assert second.status_code == 200, second.json
    state = client.get(f"{BASE}/{contract['id']}").json
    assert (state["post"], state["base_pay_amount"], state["ends_on"]) == ("team lead", "12000.00", "2029-02-28")
    assert state["amendments"][0]["signatures"] == {"employee": "Li Lei", "employer": "HR Wang"}
    assert state["amendments"][0]["effective"] is True
    types = [e["type"] for e in client.get(f"{BASE}/{contract['id']}/history").json["events"]]
    assert types == ["Contract.Signed", "Contract.AmendmentProposed", "Contract.AmendmentSigned",
                     "Contract.AmendmentSigned"]


def test_a_party_cannot_sign_an_amendment_twice(post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    contract = sign(post, make)
    amendment_id = propose(post, contract["id"])["amendments"][0]["id"]
    url = f"{BASE}/{contract['id']}/amendments/{amendment_id}/sign"
    assert post(url, {"party": "employer", "signer": "HR"}).status_code == 200
    head = ledger_app.head()
    assert_refused(post(url, {"party": "employer", "signer": "HR"}), ledger_app, head, 409, "already-signed")


def test_signing_an_unknown_amendment_is_404(post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    contract, head = sign(post, make), ledger_app.head()
    response = post(f"{BASE}/{contract['id']}/amendments/{uuid4()}/sign", {"party": "employer", "signer": "HR"})
    assert_refused(response, ledger_app, head, 404, "not-found")


def test_renewal_round_trips_and_must_extend(client: FlaskClient, post: Any, make: Any,
                                             ledger_app: LedgerApplication) -> None:
    contract, head = sign(post, make), ledger_app.head()
    response = post(f"{BASE}/{contract['id']}/renew", {"new_ends_on": "2031-02-28", "renewed_on": "2028-01-15"})
    assert response.status_code == 200, response.json
    assert client.get(f"{BASE}/{contract['id']}").json["ends_on"] == "2031-02-28"
    assert recorded(client, head, contract["id"], "Contract.Renewed")["payload"] == {
        "new_ends_on": "2031-02-28", "renewed_on": "2028-01-15"}
    head = ledger_app.head()
    again = post(f"{BASE}/{contract['id']}/renew", {"new_ends_on": "2030-01-01", "renewed_on": "2028-01-16"})
    assert_refused(again, ledger_app, head, 409, "not-later")


def test_open_ended_contract_cannot_be_renewed(post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    contract = sign(post, make, kind="open_ended", ends_on=None)
    head = ledger_app.head()
    response = post(f"{BASE}/{contract['id']}/renew", {"new_ends_on": "2031-02-28", "renewed_on": "2028-01-15"})
    assert_refused(response, ledger_app, head, 409, "open-ended-contract")


def test_terminated_contract_refuses_amendments_signatures_renewal_and_termination(
    client: FlaskClient, post: Any, make: Any, ledger_app: LedgerApplication,
) -> None:
    contract = sign(post, make)
    pending = propose(post, contract["id"])["amendments"][0]["id"]
    head = ledger_app.head()
    response = post(f"{BASE}/{contract['id']}/terminate", {
        "terminated_on": "2026-06-30", "ground": "art40_incompetence", "notice": "pay_in_lieu", "reason": "PIP failed"})
    assert response.status_code == 200, response.json
    assert (response.json["status"], response.json["termination_notice"]) == ("terminated", "pay_in_lieu")
    assert client.get(f"{BASE}/{contract['id']}").json["terminated_on"] == "2026-06-30"
    assert recorded(client, head, contract["id"], "Contract.Terminated")["payload"]["ground"] == "art40_incompetence"
    head = ledger_app.head()
    attempts = [
        (f"{BASE}/{contract['id']}/amendments", {"changes": {"post": "x"}, "effective_on": "2026-07-01",
                                                  "proposed_by": "employee"}),
        (f"{BASE}/{contract['id']}/amendments/{pending}/sign", {"party": "employer", "signer": "HR"}),
        (f"{BASE}/{contract['id']}/renew", {"new_ends_on": "2032-01-01", "renewed_on": "2026-07-01"}),
        (f"{BASE}/{contract['id']}/terminate", {"terminated_on": "2026-07-01", "ground": "mutual", "notice": "none"}),
    ]
    for url, body in attempts:
        assert_refused(post(url, body), ledger_app, head, 409, "contract-terminated")


def test_contract_of_an_unknown_or_departed_rep_is_refused(post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    assert_refused(post(BASE, contract_body(str(uuid4()))), ledger_app, head, 409, "unknown-reference")
    rep = make.rep()
    assert post(f"/api/v1/reps/{rep['id']}/leave", {"left_on": "2025-09-30"}).status_code == 200
    head = ledger_app.head()
    assert_refused(post(BASE, contract_body(rep["id"])), ledger_app, head, 409, "rep-departed")


def test_contract_with_an_unknown_commission_plan_is_refused(post: Any, make: Any,
                                                             ledger_app: LedgerApplication) -> None:
    rep_id, head = make.rep()["id"], ledger_app.head()
    response = post(BASE, contract_body(rep_id, commission_plan_id=str(uuid4())))
    assert_refused(response, ledger_app, head, 409, "unknown-reference")
    assert "commission_plan_id" in response.json["errors"]


def test_fixed_term_contract_without_an_end_is_422(post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    rep_id, head = make.rep()["id"], ledger_app.head()
    response = post(BASE, contract_body(rep_id, ends_on=None, probation_months=9))
    assert_refused(response, ledger_app, head, 422, "invalid")
    assert set(response.json["errors"]) >= {"probation_months"}
    response = post(BASE, contract_body(rep_id, ends_on=None))
    assert_refused(response, ledger_app, head, 422, "invalid")
    assert "ends_on" in response.json["errors"]


def test_amendment_of_an_unknown_term_is_422(post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    contract, head = sign(post, make), ledger_app.head()
    response = post(f"{BASE}/{contract['id']}/amendments", {
        "changes": {"rep_id": str(uuid4())}, "effective_on": "2026-01-01", "proposed_by": "employer"})
    assert_refused(response, ledger_app, head, 422, "invalid")
    assert response.json["errors"]["changes"] == {"rep_id": ["Unknown field."]}
    response = post(f"{BASE}/{contract['id']}/amendments", {
        "changes": {"base_pay_amount": "ten"}, "effective_on": "2026-01-01", "proposed_by": "employer"})
    assert_refused(response, ledger_app, head, 422, "invalid")
    assert "base_pay_amount" in response.json["errors"]["changes"]


def test_amendment_on_an_unknown_contract_is_404(post: Any, ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    response = post(f"{BASE}/{uuid4()}/amendments", {
        "changes": {"post": "lead"}, "effective_on": "2026-01-01", "proposed_by": "employer"})
    assert_refused(response, ledger_app, head, 404, "not-found")


def terminate(post: Any, contract_id: str, **body: Any) -> Any:
    return post(f"{BASE}/{contract_id}/terminate", {"terminated_on": "2026-06-30", "ground": "mutual", "notice": "none",
                                                    **body})


def test_termination_records_ground_notice_with_its_date_and_reason(client: FlaskClient, post: Any, make: Any,
                                                                   ledger_app: LedgerApplication) -> None:
    contract, head = sign(post, make), ledger_app.head()
    response = terminate(post, contract["id"], ground="resignation", notice="30_days", notice_given_on="2026-05-31",
                         reason="moving cities")
    assert response.status_code == 200, response.json
    assert (response.json["termination_notice_given_on"], response.json["termination_reason"]) == ("2026-05-31",
                                                                                                 "moving cities")
    assert recorded(client, head, contract["id"], "Contract.Terminated")["payload"] == {
        "terminated_on": "2026-06-30", "ground": "resignation", "notice": "30_days", "notice_given_on": "2026-05-31",
        "reason": "moving cities"}


def test_thirty_days_notice_needs_its_date_and_thirty_days(post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    contract, head = sign(post, make), ledger_app.head()
    response = terminate(post, contract["id"], ground="art40_incompetence", notice="30_days")
    assert_refused(response, ledger_app, head, 422, "invalid")
    assert response.json["errors"] == {"notice_given_on": ["required with 30 days' notice"]}
    response = terminate(post, contract["id"], ground="art40_incompetence", notice="30_days", notice_given_on="2026-06-01")
    assert_refused(response, ledger_app, head, 409, "notice-too-short")
    assert "terminated_on" in response.json["errors"]


def test_notice_must_suit_the_ground(post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    contract, head = sign(post, make), ledger_app.head()
    for ground, notice in (("art39_misconduct", "pay_in_lieu"), ("art40_incompetence", "none"),
                           ("resignation", "pay_in_lieu")):
        response = terminate(post, contract["id"], ground=ground, notice=notice)
        assert_refused(response, ledger_app, head, 409, "notice-not-allowed")
        assert "notice" in response.json["errors"]


def test_termination_dates_must_fit_the_term(post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    contract, head = sign(post, make), ledger_app.head()
    assert_refused(terminate(post, contract["id"], ground="expiry", terminated_on="2027-01-31"), ledger_app, head, 409,
                   "not-the-end")
    assert_refused(terminate(post, contract["id"], terminated_on="2028-03-01"), ledger_app, head, 409, "after-end")
    response = terminate(post, contract["id"], ground="expiry", terminated_on="2028-02-29")
    assert response.status_code == 200 and response.json["termination_ground"] == "expiry"


def test_amendment_after_the_end_and_renewal_after_expiry_are_refused(post: Any, make: Any,
                                                                     ledger_app: LedgerApplication) -> None:
    contract, head = sign(post, make), ledger_app.head()
    late = post(f"{BASE}/{contract['id']}/amendments", {
        "changes": {"post": "lead"}, "effective_on": "2028-03-01", "proposed_by": "employer"})
    assert_refused(late, ledger_app, head, 409, "after-end")
    renewal = post(f"{BASE}/{contract['id']}/renew", {"new_ends_on": "2031-02-28", "renewed_on": "2028-03-01"})
    assert_refused(renewal, ledger_app, head, 409, "outside-term")
    assert "renewed_on" in renewal.json["errors"]
    extended = post(f"{BASE}/{contract['id']}/amendments", {   # effective after the old end, within the new one
        "changes": {"ends_on": "2029-02-28", "post": "lead"}, "effective_on": "2028-03-01", "proposed_by": "employer"})
    assert extended.status_code == 201, extended.json
