"""Audit of reads: who read contracts, payouts and the feed is recorded before the data leaves."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Flask

from tests.conftest import authenticated, issue_token


def access_records(flask_app: Flask, ledger_app: Any, after: int) -> list[dict[str, Any]]:
    auditor = authenticated(flask_app, issue_token(ledger_app, "auditor"))
    page = auditor.get(f"/api/v1/access-log?after={after}&limit=1000")
    assert page.status_code == 200
    return list(page.json["events"])


def a_contract(post: Any, make: Any) -> dict[str, Any]:
    rep = make.rep()
    response = post("/api/v1/contracts", {"rep_id": rep["id"], "kind": "open_ended", "starts_on": "2025-03-01",
                                          "post": "sales", "base_pay_amount": "9000.00", "currency": "CNY"})
    assert response.status_code == 201, response.json
    return response.json


def test_reading_a_contract_is_recorded_with_who_what_and_where(flask_app: Flask, ledger_app: Any, post: Any,
                                                                  make: Any, hr_token: str) -> None:
    contract = a_contract(post, make)
    head = ledger_app.head()
    hr = authenticated(flask_app, hr_token)
    assert hr.get(f"/api/v1/contracts/{contract['id']}", headers={"User-Agent": "hr-portal/1.0"}).status_code == 200
    [record] = [r for r in access_records(flask_app, ledger_app, head) if r["payload"]["role"] == "hr"]
    assert record["type"] == "ReadAudit.SensitiveDataRead"
    assert record["payload"]["resource"] == f"/api/v1/contracts/{contract['id']}"
    assert record["payload"]["subject_ids"] == [contract["rep_id"]]
    assert record["payload"]["remote_addr"] == "127.0.0.1" and record["payload"]["user_agent"] == "hr-portal/1.0"
    assert record["actor"] == record["payload"]["reader"] and record["actor"].startswith("hr:")


def test_rep_reading_own_contract_and_legal_reading_the_feed_are_recorded(flask_app: Flask, ledger_app: Any,
                                                                           post: Any, make: Any) -> None:
    contract = a_contract(post, make)
    head = ledger_app.head()
    rep = authenticated(flask_app, issue_token(ledger_app, "rep", rep_id=UUID(contract["rep_id"])))
    legal = authenticated(flask_app, issue_token(ledger_app, "legal"))
    assert rep.get(f"/api/v1/contracts/{contract['id']}/history").status_code == 200
    assert legal.get(f"/api/v1/events?after={head}&limit=5").status_code == 200
    records = access_records(flask_app, ledger_app, head)
    resources = {(r["payload"]["role"], r["payload"]["resource"]) for r in records}
    assert ("rep", f"/api/v1/contracts/{contract['id']}/history") in resources
    assert ("legal", f"/api/v1/events?after={head}&limit=5") in resources


def test_ordinary_and_refused_reads_are_not_recorded(flask_app: Flask, ledger_app: Any, client: Any, make: Any) -> None:
    team = make.team()
    head = ledger_app.head()
    assert client.get(f"/api/v1/teams/{team['id']}").status_code == 200
    stranger = authenticated(flask_app, issue_token(ledger_app, "rep", rep_id=UUID(make.rep()["id"])))
    assert stranger.get("/api/v1/events").status_code == 403
    assert access_records(flask_app, ledger_app, head) == []


def test_access_records_stay_out_of_the_feed(flask_app: Flask, ledger_app: Any, client: Any) -> None:
    head = ledger_app.head()
    first = client.get(f"/api/v1/events?after={head}").json
    second = client.get(f"/api/v1/events?after={head}").json
    assert first["events"] == second["events"] == []
    assert first["head"] == head and second["head"] > head  # the first read was recorded, not shown
    assert second["next_after"] == second["head"]


def test_data_is_withheld_when_the_read_cannot_be_recorded(flask_app: Flask, ledger_app: Any, client: Any,
                                                           monkeypatch: Any) -> None:
    def broken(*_: Any) -> None:
        raise ConnectionError("store unavailable")

    monkeypatch.setattr(ledger_app, "record_sensitive_read", broken)
    response = client.get("/api/v1/events?limit=1")
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert "events" not in response.json and response.headers["Retry-After"]
