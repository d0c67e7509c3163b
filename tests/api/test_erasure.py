"""Crypto-shredding: erasing a person destroys its key; its personal fields read "[erased]" everywhere while
every stored event byte, amount, date and score stays as it was."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from tests.api.helpers import assert_refused, feed_after
from tests.integration.rawdb import stored_events

DETAILS = {"national_id": "110105199003071234", "phone": "+86 139 0013 9000", "home_address": "北京市朝阳区示例路 1 号"}
ERASED = "[erased]"


def created(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.json
    return dict(response.json)


def a_rep_with_a_working_life(post: Any, make: Any) -> dict[str, Any]:
    """A rep with personal details, a contract with an amended salary, a deal with a customer contact, a score."""
    rep = make.rep(name=f"Erasable {uuid4().hex[:6]}", personal=DETAILS)
    contract = created(post("/api/v1/contracts", {
        "rep_id": rep["id"], "kind": "fixed_term", "starts_on": "2025-03-01", "ends_on": "2028-02-28", "post": "sales",
        "base_pay_amount": "98765.43", "currency": "CNY"}))
    amended = created(post(f"/api/v1/contracts/{contract['id']}/amendments", {
        "changes": {"base_pay_amount": "99999.00", "post": "lead"}, "effective_on": "2026-01-01", "proposed_by": "employer"}))
    amendment = amended["amendments"][0]["id"]
    for party in ("employer", "employee"):
        created(post(f"/api/v1/contracts/{contract['id']}/amendments/{amendment}/sign", {"party": party, "signer": party}))
    customer = make.customer(contacts=[{"name": "联系人张三", "phone": "+86 138 0013 8000", "title": "采购"}])
    deal = created(post("/api/v1/deals", {"rep_id": rep["id"], "customer_id": customer["id"], "amount": "1234.56",
                                          "currency": "CNY", "product": "CRM", "customer_type": "new",
                                          "closed_on": "2026-07-15"}))
    score = created(post("/api/v1/scores", {"rep_id": rep["id"], "indicator": "skill", "value": "87", "period": "2026-Q3"}))
    return {"rep": rep["id"], "contract": contract["id"], "customer": customer["id"], "deal": deal["id"], "score": score["id"]}


def test_erasure_shows_erased_everywhere_and_changes_no_stored_byte(
    client: Any, post: Any, make: Any, ledger_app: Any, settings: Any,
) -> None:
    start = ledger_app.head()
    ids = a_rep_with_a_working_life(post, make)
    table = ledger_app.recorder.events_table_name
    assert client.get(f"/api/v1/contracts/{ids['contract']}").json["base_pay_amount"] == "99999.00"
    before = stored_events(settings, table)
    deal_before, score_before = (client.get(f"/api/v1/{kind}/{ids[kind[:-1]]}").json for kind in ("deals", "scores"))

    assert created(post(f"/api/v1/data-subjects/{ids['rep']}/erase", {"reason": "erasure request"}))["erased"]
    assert created(post(f"/api/v1/data-subjects/{ids['customer']}/erase", {"reason": "erasure request"}))["erased"]

    after = stored_events(settings, table)
    assert {key: after.get(key) for key in before} == before  # not one byte of any earlier event changed
    rep = client.get(f"/api/v1/reps/{ids['rep']}").json
    assert {k: rep[k] for k in DETAILS} == dict.fromkeys(DETAILS, ERASED)
    assert (rep["hired_on"], rep["active"], rep["name"].startswith("Erasable")) == ("2025-03-01", True, True)
    contract = client.get(f"/api/v1/contracts/{ids['contract']}").json
    assert (contract["base_pay_amount"], contract["amendments"][0]["changes"]) == (ERASED, {"base_pay_amount": ERASED, "post": "lead"})
    assert (contract["starts_on"], contract["ends_on"], contract["post"], contract["currency"]) == ("2025-03-01", "2028-02-28", "lead", "CNY")
    assert client.get(f"/api/v1/customers/{ids['customer']}").json["contacts"] == [{"name": ERASED, "phone": ERASED, "title": "采购"}]
    assert client.get(f"/api/v1/deals/{ids['deal']}").json == deal_before
    assert client.get(f"/api/v1/scores/{ids['score']}").json == score_before
    assert (deal_before["amount"], score_before["value"]) == ("1234.56", "87")

    histories = {kind: client.get(f"/api/v1/{kind}/{ids[kind[:-1]]}/history").json["events"]
                 for kind in ("reps", "contracts", "customers")}
    assert histories["reps"][1]["payload"] == {**dict.fromkeys(DETAILS, ERASED)}
    assert histories["contracts"][0]["payload"]["base_pay_amount"] == ERASED
    assert histories["contracts"][0]["payload"]["starts_on"] == "2025-03-01"
    assert histories["contracts"][1]["payload"]["changes"] == {"base_pay_amount": ERASED, "post": "lead"}
    assert histories["customers"][1]["payload"] == {"name": ERASED, "phone": ERASED, "title": "采购"}
    feed = {(e["stream_id"], e["version"]): e for e in feed_after(client, start)}
    for events in histories.values():
        for event in events:
            assert {**feed[(event["stream_id"], event["version"])], "position": None} == event
    fed_deal = [e for e in feed.values() if e["stream_id"] == ids["deal"]][0]
    assert (fed_deal["payload"]["amount"], fed_deal["payload"]["closed_on"]) == ("1234.56", "2026-07-15")
    body = client.get(f"/api/v1/events?after={start}&limit=1000").get_data(as_text=True)
    for plaintext in ("98765.43", "99999.00", "联系人张三", "+86 138 0013 8000", *DETAILS.values()):
        assert plaintext not in body


def test_erasure_under_a_legal_hold_is_refused_and_changes_nothing_until_released(
    client: Any, post: Any, make: Any, ledger_app: Any,
) -> None:
    rep = make.rep(personal=DETAILS)
    url = f"/api/v1/data-subjects/{rep['id']}"
    created(post(f"{url}/legal-holds", {"reason": "labour arbitration", "case_ref": "ARB-7"}))
    head = ledger_app.head()
    response = post(f"{url}/erase", {"reason": "erasure request"})
    assert_refused(response, ledger_app, head, 409, "legal-hold")
    assert "ARB-7" in response.json["detail"]
    assert client.get(f"/api/v1/reps/{rep['id']}").json["national_id"] == DETAILS["national_id"]
    assert client.get(url).json["key"] == "active"
    created(post(f"{url}/legal-holds/release", {"reason": "award issued"}))
    assert created(post(f"{url}/erase", {"reason": "erasure request"}))["erased"]
    assert client.get(f"/api/v1/reps/{rep['id']}").json["national_id"] == ERASED


def test_an_erasure_whose_key_destruction_failed_is_completed_by_a_retry(
    client: Any, post: Any, make: Any, ledger_app: Any, monkeypatch: Any,
) -> None:
    for retry_with_same_key in (True, False):
        rep = make.rep(personal=DETAILS)
        url = f"/api/v1/data-subjects/{rep['id']}"
        real_erase = ledger_app.keystore.erase

        def broken(subject: Any) -> bool:
            raise OSError("disk full")

        monkeypatch.setattr(ledger_app.keystore, "erase", broken)
        key = str(uuid4())
        assert post(f"{url}/erase", {"reason": "request"}, key=key).status_code == 500
        monkeypatch.setattr(ledger_app.keystore, "erase", real_erase)
        state = client.get(url).json
        assert (state["erased"], state["key"]) == (True, "active")  # recorded, but the key survived
        head = ledger_app.head()
        retry = post(f"{url}/erase", {"reason": "request"}, key=key if retry_with_same_key else None)
        assert retry.status_code == 200 and retry.json["erased"], retry.json
        assert ledger_app.head() == head  # no second Erased event
        assert client.get(url).json["key"] == "erased"
        assert client.get(f"/api/v1/reps/{rep['id']}").json["phone"] == ERASED
