"""Assertions shared by API tests: an event written is readable back from history and the feed."""

from __future__ import annotations

from typing import Any


def feed_after(client: Any, position: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while True:
        page = client.get(f"/api/v1/events?after={position}&limit=1000").json
        events += page["events"]
        if page["next_after"] == position:
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
