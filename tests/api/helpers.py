"""Assertions shared by API tests: an event written is readable back from history and the feed."""

from __future__ import annotations

from typing import Any


def feed_after(client: Any, position: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while True:
        page = client.get(f"/api/v1/events?after={position}&limit=1000").json
        events += page["events"]
        if page["next_after"] >= page["head"]:  # caught up (reading the feed itself adds access records)
            return events
        position = page["next_after"]


def domain_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] != "RequestRecord.Recorded"]


def assert_recorded(client: Any, collection: str, resource_id: str, head_before: int, event_type: str,
                    **payload: Any) -> dict[str, Any]:
    """The stream's last event has the type and payload; the feed after head_before holds the same."""
    history = client.get(f"/api/v1/{collection}/{resource_id}/history")
    assert history.status_code == 200
    last = history.json["events"][-1]
    assert last["type"] == event_type
    for key, value in payload.items():
        assert last["payload"][key] == value, (key, last["payload"])
    in_feed = [e for e in feed_after(client, head_before) if e["stream_id"] == resource_id and e["version"] == last["version"]]
    assert len(in_feed) == 1
    fed = dict(in_feed[0])
    assert fed.pop("position") > head_before
    assert {**fed, "position": None} == last
    return last


def recorded(client: Any, head: int, stream_id: str, event_type: str) -> dict[str, Any]:
    """The one event of that type on that stream recorded after `head`, from the auditors' feed."""
    matches = [e for e in feed_after(client, head) if e["stream_id"] == stream_id and e["type"] == event_type]
    assert len(matches) == 1, matches
    return matches[0]


def assert_refused(response: Any, ledger_app: Any, head: int, status: int, code: str) -> None:
    """A problem+json refusal with that status and code, and nothing recorded."""
    assert response.status_code == status, response.json
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == code
    assert ledger_app.head() == head


def problem(response: Any, status: int, field: str, code: str | None = None) -> dict[str, Any]:
    """A problem+json response with that status naming `field` in its errors."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"], response.json
    if code is not None:
        assert response.json["code"] == code
    return response.json
