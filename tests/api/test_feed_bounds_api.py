"""GET /events?from=&until=: inclusive bounds by ledger position or by recording time, validated."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from ledger.application import LedgerApplication
from tests.api.helpers import feed_after, problem


def page(client: FlaskClient, **query: Any) -> dict[str, Any]:
    response = client.get("/api/v1/events", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def read_all(client: FlaskClient, **query: Any) -> list[dict[str, Any]]:
    """Every page, following next_after until it reaches until_position (or head)."""
    events, after = [], 0
    while True:
        found = page(client, after=after, **query)
        events += found["events"]
        after = found["next_after"]
        if after >= min(found["until_position"] or found["head"], found["head"]):
            return events


def test_position_bounds_are_inclusive(client: FlaskClient, make: Any, ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    for _ in range(5):
        make.team()
    events = [e for e in feed_after(client, head) if e["type"] == "Team.Created"]
    first, last = events[1]["position"], events[3]["position"]
    found = page(client, **{"from": first, "until": last})
    assert [e["position"] for e in found["events"] if e["type"] == "Team.Created"] == [
        e["position"] for e in events[1:4]]
    assert min(e["position"] for e in found["events"]) == first and max(e["position"] for e in found["events"]) == last
    assert (found["from_position"], found["until_position"], found["next_after"]) == (first, last, last)
    assert [e["position"] for e in read_all(client, limit=1, **{"from": first, "until": last})] == [
        e["position"] for e in found["events"]]
    later = page(client, after=events[2]["position"], **{"from": first, "until": last})  # `after` pages on within bounds
    assert [e["position"] for e in later["events"]][0] > events[2]["position"]


def test_time_bounds_select_by_recording_time_inclusive(client: FlaskClient, make: Any,
                                                        ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    for _ in range(5):
        make.team()
    events = [e for e in feed_after(client, head) if e["type"] == "Team.Created"]
    since, until = events[1]["recorded_at"], events[3]["recorded_at"]
    by_time = page(client, **{"from": since, "until": until})
    assert [e["position"] for e in by_time["events"]][0] == events[1]["position"]
    assert [e["position"] for e in by_time["events"]][-1] == events[3]["position"]
    assert all(since <= e["recorded_at"] <= until for e in by_time["events"])
    by_position = page(client, **{"from": events[1]["position"], "until": events[3]["position"]})
    assert by_time["events"] == by_position["events"]
    zulu = page(client, **{"from": since.replace("+00:00", "Z"), "until": until.replace("+00:00", "Z")})
    assert zulu["events"] == by_time["events"]


def test_bounds_past_the_head_or_before_the_start_read_what_exists(client: FlaskClient, ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    ahead = page(client, **{"from": head + 1000})
    assert ahead["events"] == [] and ahead["from_position"] == head + 1000
    early = page(client, limit=3, **{"until": "1999-01-01T00:00:00+00:00"})
    assert (early["events"], early["until_position"]) == ([], 0)


def test_bad_bounds_are_422_naming_the_parameter_and_record_nothing(client: FlaskClient,
                                                                   ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    problem(client.get("/api/v1/events?from=yesterday"), 422, "query.from", "invalid")
    problem(client.get("/api/v1/events?until=2026-09-30T10:00:00"), 422, "query.until", "invalid")
    problem(client.get("/api/v1/events?from=10&until=5"), 422, "query.until", "invalid")
    problem(client.get("/api/v1/events", query_string={"from": "2026-10-01T00:00:00+08:00",
                                                       "until": "2026-09-01T00:00:00+08:00"}), 422, "query.until")
    assert ledger_app.head() == head
