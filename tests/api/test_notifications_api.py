"""The notifications outbox over HTTP: listing per recipient, unread filter, marking read, and who may see what."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest

from ledger.base import Ctx
from ledger.commands.reminders import SendContractReminder
from tests.api.helpers import feed_after, problem
from tests.conftest import authenticated, issue_token, poster


def listing(client: Any, recipient: str, **query: Any) -> dict[str, Any]:
    params = "&".join(f"{k}={v}" for k, v in {"recipient": recipient, **query}.items())
    response = client.get(f"/api/v1/notifications?{params}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def warn(post: Any, rep: dict[str, Any], level: str = "written") -> str:
    response = post("/api/v1/warnings", {"rep_id": rep["id"], "level": level, "reason": "missed the weekly report"})
    assert response.status_code == 201, response.json
    return str(response.json["id"])


def remind(ledger_app: Any, post: Any, rep: dict[str, Any]) -> str:
    contract = post("/api/v1/contracts", {"rep_id": rep["id"], "kind": "fixed_term", "starts_on": "2025-03-01",
                                          "ends_on": "2027-02-28", "post": "sales", "base_pay_amount": "9137.00",
                                          "currency": "CNY"}).json["id"]
    ledger_app.send_contract_reminder(SendContractReminder(
        contract_id=UUID(contract), ends_on=date(2027, 2, 28), on=date(2027, 1, 29),
        occurred_at=datetime.now(timezone.utc)), Ctx("test", f"k-{uuid4()}"))
    return str(contract)


def test_a_warning_is_listed_unread_for_its_rep_then_marked_read_once(
    client: Any, post: Any, make: Any, ledger_app: Any,
) -> None:
    rep = make.rep(name="赵敏")
    warning = warn(post, rep)
    recipient = f"rep:{rep['id']}"
    [note] = listing(client, recipient)["notifications"]
    assert (note["recipient"], note["kind"], note["title"], note["read"], note["deliveries"]) == (
        recipient, "warning-issued", "Warning issued", False, [])
    assert note["source"]["type"] == "WarningNotice.Issued" and note["source"]["stream_id"] == warning
    assert "written" in note["body"] and note["data"] == {"warning_id": warning, "rep_id": rep["id"], "level": "written"}
    assert listing(client, recipient, unread="true")["notifications"] == [note]
    assert listing(client, recipient, unread="false")["notifications"] == []

    head = ledger_app.head()
    marked = post(f"/api/v1/notifications/{note['id']}/read", {}, key=f"read-{note['id']}")
    assert marked.status_code == 200, marked.json
    assert (marked.json["id"], marked.json["notification_id"], marked.json["recipient"], marked.json["version"]) == (
        note["id"], note["id"], recipient, 1)
    [event] = [e for e in feed_after(client, head) if e["type"] == "Notification.Read"]
    assert event["stream_id"] == note["id"] and event["payload"] == {"notification_id": note["id"], "recipient": recipient}
    assert listing(client, recipient, unread="true")["notifications"] == []
    [read] = listing(client, recipient, unread="false")["notifications"]
    assert read["read"] is True and read["read_at"] == marked.json["read_at"]

    head = ledger_app.head()
    again = post(f"/api/v1/notifications/{note['id']}/read", {})
    replayed = post(f"/api/v1/notifications/{note['id']}/read", {}, key=f"read-{note['id']}")
    assert again.status_code == replayed.status_code == 200
    assert again.json == replayed.json == marked.json and ledger_app.head() == head


def test_a_contract_reminder_goes_to_hr_and_the_team_manager_without_personal_data(
    client: Any, post: Any, make: Any, ledger_app: Any,
) -> None:
    team = make.team()
    rep = make.rep(team_id=team["id"], name="周杰")
    after = ledger_app.head()
    contract = remind(ledger_app, post, rep)
    [to_manager] = listing(client, f"manager:{team['id']}")["notifications"]
    hr = [n for n in listing(client, "hr", after=after, limit=1000)["notifications"] if n["data"]["contract_id"] == contract]
    assert [n["kind"] for n in (to_manager, *hr)] == ["contract-expiry", "contract-expiry"]
    assert to_manager["source"]["position"] == hr[0]["source"]["position"] and to_manager["id"] != hr[0]["id"]
    assert "周杰" in to_manager["body"] and "2027-02-28" in to_manager["body"] and "in 30 days" in to_manager["body"]
    assert "9137" not in json.dumps(to_manager) and listing(client, f"rep:{rep['id']}")["notifications"] == []


def test_pages_read_on_from_next_after(client: Any, post: Any, make: Any) -> None:
    rep = make.rep()
    warnings = [warn(post, rep, level) for level in ("verbal", "written", "final")]
    first = listing(client, f"rep:{rep['id']}", limit=2)
    rest = listing(client, f"rep:{rep['id']}", limit=2, after=first["next_after"])
    assert [n["data"]["warning_id"] for n in first["notifications"] + rest["notifications"]] == warnings
    assert listing(client, f"rep:{rep['id']}", after=rest["next_after"])["notifications"] == []


@pytest.fixture()
def teams(make: Any, post: Any) -> dict[str, Any]:
    """Team A with a rep and a notification for the rep and one for the manager; team B likewise."""
    world: dict[str, Any] = {}
    for name in ("a", "b"):
        team = make.team()
        rep = make.rep(team_id=team["id"])
        warn(post, rep)
        world[name] = {"team": team["id"], "rep": rep["id"]}
    return world


def test_each_role_lists_only_the_recipients_in_its_scope(flask_app: Any, ledger_app: Any, teams: dict[str, Any],
                                                           post: Any, make: Any) -> None:
    a, b = teams["a"], teams["b"]
    manager = authenticated(flask_app, issue_token(ledger_app, "manager", team_ids=[UUID(a["team"])]))
    rep = authenticated(flask_app, issue_token(ledger_app, "rep", rep_id=UUID(a["rep"])))
    allowed = {manager: [f"rep:{a['rep']}", f"manager:{a['team']}"], rep: [f"rep:{a['rep']}"]}
    refused = {manager: [f"rep:{b['rep']}", f"manager:{b['team']}", "hr", None],
               rep: [f"rep:{b['rep']}", f"manager:{a['team']}", "hr", None]}
    for client, recipients in allowed.items():
        for recipient in recipients:
            assert client.get(f"/api/v1/notifications?recipient={recipient}").status_code == 200, recipient
    for client, recipients in refused.items():
        for recipient in recipients:
            url = "/api/v1/notifications" + (f"?recipient={recipient}" if recipient else "")
            response = client.get(url)
            assert response.status_code == 403 and response.mimetype == "application/problem+json", recipient
    for role in ("auditor", "hr", "admin"):
        staff = authenticated(flask_app, issue_token(ledger_app, role))
        assert staff.get("/api/v1/notifications?limit=5").status_code == 200
        assert staff.get(f"/api/v1/notifications?recipient=rep:{b['rep']}").status_code == 200
    for role in ("integration", "legal"):
        scope = {"team_ids": [UUID(a["team"])]} if role == "integration" else {}
        assert authenticated(flask_app, issue_token(ledger_app, role, **scope)).get(
            f"/api/v1/notifications?recipient=rep:{a['rep']}").status_code == 403


def test_only_the_recipient_side_may_mark_a_notification_read(
    flask_app: Any, ledger_app: Any, client: Any, teams: dict[str, Any], post: Any,
) -> None:
    a, b = teams["a"], teams["b"]
    rep = poster(authenticated(flask_app, issue_token(ledger_app, "rep", rep_id=UUID(a["rep"]))))
    manager = poster(authenticated(flask_app, issue_token(ledger_app, "manager", team_ids=[UUID(a["team"])])))
    auditor = poster(authenticated(flask_app, issue_token(ledger_app, "auditor")))
    own, other = (listing(client, f"rep:{x['rep']}")["notifications"][0]["id"] for x in (a, b))
    head = ledger_app.head()
    for caller, note in ((rep, other), (manager, other), (auditor, own)):
        assert caller(f"/api/v1/notifications/{note}/read", {}).status_code == 403
    assert ledger_app.head() == head
    assert rep(f"/api/v1/notifications/{own}/read", {}).status_code == 200
    assert manager(f"/api/v1/notifications/{own}/read", {}).status_code == 200


def test_bad_queries_and_unknown_notifications_are_refused(client: Any, post: Any) -> None:
    problem(client.get("/api/v1/notifications?recipient=boss"), 422, "query.recipient")
    problem(client.get("/api/v1/notifications?recipient=hr&limit=0"), 422, "query.limit")
    problem(client.get("/api/v1/notifications?unread=maybe"), 422, "query.unread")
    problem(post(f"/api/v1/notifications/{uuid4()}/read", {"occurred_at": "2026-01-01T00:00:00"}), 422, "occurred_at")
    missing = post(f"/api/v1/notifications/{uuid4()}/read", {})
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
