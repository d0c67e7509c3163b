"""End to end: the real server process over real HTTP, and the CLI against the same store."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import threading
from typing import Any
from uuid import uuid4

import pytest

from tests.e2e.conftest import ROOT, TEST_DATABASE_URL, Reply, Server, ledger_command

pytestmark = pytest.mark.e2e

PROBLEM_JSON = "application/problem+json"
RACERS = 8


def create(server: Server, path: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = server.post(path, body)
    assert reply.status == 201, reply.body
    return reply.json


def team(server: Server) -> dict[str, Any]:
    return create(server, "/api/v1/teams", {"name": f"e2e-team-{uuid4().hex[:8]}"})


def rep(server: Server, team_id: str) -> dict[str, Any]:
    return create(server, "/api/v1/reps", {"name": "E2E Rep", "team_id": team_id, "hired_on": "2025-03-01"})


def customer(server: Server) -> dict[str, Any]:
    return create(server, "/api/v1/customers", {"name": f"e2e-cust-{uuid4().hex[:8]}"})


def test_health_reports_the_configured_store(server: Server) -> None:
    reply = server.get("/healthz")
    assert reply.status == 200
    assert reply.json["status"] == "ok"
    assert reply.json["store"] == ("postgresql" if TEST_DATABASE_URL else "sqlite")


def test_openapi_document_describes_claims_and_the_feed(server: Server) -> None:
    reply = server.get("/api/v1/openapi.json")
    assert reply.status == 200
    paths = reply.json["paths"]
    assert "post" in paths["/api/v1/customers/{customer_id}/claim"]
    assert "get" in paths["/api/v1/events"]


def test_feed_returns_a_flow_of_writes_in_order_with_their_request_records(server: Server) -> None:
    before = server.head()
    keys = [f"e2e-flow-{uuid4()}" for _ in range(4)]
    made_team = server.post("/api/v1/teams", {"name": f"e2e-team-{uuid4().hex[:8]}"}, key=keys[0]).json
    made_rep = server.post("/api/v1/reps", {"name": "Flow Rep", "team_id": made_team["id"], "hired_on": "2025-03-01"},
                           key=keys[1]).json
    made_customer = server.post("/api/v1/customers", {"name": f"e2e-cust-{uuid4().hex[:8]}"}, key=keys[2]).json
    claimed = server.post(f"/api/v1/customers/{made_customer['id']}/claim", {"rep_id": made_rep["id"]}, key=keys[3])
    assert claimed.status == 200
    assert claimed.json["owner_id"] == made_rep["id"]

    events = server.feed(before)

    assert [e["type"] for e in events] == [
        "Team.Created", "RequestRecord.Recorded", "Rep.Onboarded", "RequestRecord.Recorded",
        "Customer.Registered", "RequestRecord.Recorded", "Customer.Claimed", "Holdings.Opened", "Holdings.Taken",
        "RequestRecord.Recorded",
    ]
    positions = [e["position"] for e in events]
    assert positions == sorted(set(positions)) and positions[0] > before
    records = [e for e in events if e["type"] == "RequestRecord.Recorded"]
    domain = [e for e in events if e["type"] != "RequestRecord.Recorded" and not e["type"].startswith("Holdings.")]
    assert [e["stream_id"] for e in domain] == [made_team["id"], made_rep["id"], made_customer["id"], made_customer["id"]]
    assert [e["idempotency_key"] for e in domain] == keys
    assert {e["actor"] for e in events} == {server.actor}
    assert [r["payload"]["key"] for r in records] == keys
    assert [r["payload"]["result_id"] for r in records] == [e["stream_id"] for e in domain]
    assert domain[3]["payload"]["rep_id"] == made_rep["id"]


def race_claims(server: Server, customer_id: str, rep_ids: list[str]) -> list[tuple[str, Reply]]:
    """RACERS claim requests released at the same instant, alternating reps, each with its own key."""
    barrier = threading.Barrier(RACERS)
    results: list[tuple[str, Reply]] = []
    lock = threading.Lock()

    def claim(rep_id: str) -> None:
        barrier.wait()
        reply = server.post(f"/api/v1/customers/{customer_id}/claim", {"rep_id": rep_id})
        with lock:
            results.append((rep_id, reply))

    threads = [threading.Thread(target=claim, args=(rep_ids[i % 2],)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == RACERS
    return results


@pytest.mark.parametrize("round_", range(5))
def test_simultaneous_claims_of_one_pool_customer_leave_exactly_one_owner(server: Server, round_: int) -> None:
    team_id = team(server)["id"]
    rep_ids = [rep(server, team_id)["id"], rep(server, team_id)["id"]]
    customer_id = customer(server)["id"]

    results = race_claims(server, customer_id, rep_ids)

    winners = [(rep_id, reply) for rep_id, reply in results if reply.status == 200]
    losers = [reply for _, reply in results if reply.status != 200]
    assert len(winners) == 1, [(r.status, r.body) for _, r in results]
    assert [r.status for r in losers] == [409] * (RACERS - 1)
    assert {r.content_type for r in losers} == {PROBLEM_JSON}
    assert all(r.json["status"] == 409 for r in losers)
    winner_id, winner_reply = winners[0]
    assert winner_reply.json["owner_id"] == winner_id
    history = server.get(f"/api/v1/customers/{customer_id}/history").json["events"]
    claims = [e for e in history if e["type"] == "Customer.Claimed"]
    assert len(claims) == 1
    assert claims[0]["payload"]["rep_id"] == winner_id
    assert server.get(f"/api/v1/customers/{customer_id}").json["owner_id"] == winner_id


def test_retry_with_same_key_and_body_replays_the_first_response_and_records_once(server: Server) -> None:
    key = f"e2e-retry-{uuid4()}"
    body = {"name": f"e2e-cust-{uuid4().hex[:8]}", "region": "north"}
    before = server.head()

    first = server.post("/api/v1/customers", body, key=key)
    again = server.post("/api/v1/customers", body, key=key)

    assert first.status == again.status == 201
    assert again.body == first.body
    events = server.feed(before)
    assert [e["type"] for e in events] == ["Customer.Registered", "RequestRecord.Recorded"]
    assert events[0]["stream_id"] == first.json["id"]
    assert server.feed(events[-1]["position"]) == []


def test_same_key_with_a_different_body_is_refused_without_recording(server: Server) -> None:
    key = f"e2e-reuse-{uuid4()}"
    assert server.post("/api/v1/customers", {"name": f"e2e-cust-{uuid4().hex[:8]}"}, key=key).status == 201
    before = server.head()

    reply = server.post("/api/v1/customers", {"name": f"e2e-other-{uuid4().hex[:8]}"}, key=key)

    assert reply.status == 422
    assert reply.content_type == PROBLEM_JSON
    assert "Idempotency-Key" in reply.json["errors"]
    assert server.feed(before) == []


def test_oversized_body_is_refused_with_413_problem(server: Server) -> None:
    before = server.head()
    body = json.dumps({"name": "x" * (1_048_576 + 1024)}).encode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid4())}

    reply = server.request("POST", "/api/v1/customers", body, headers)

    assert reply.status == 413
    assert reply.content_type == PROBLEM_JSON
    assert reply.json["status"] == 413
    assert server.feed(before) == []


def test_cli_events_prints_the_feed_as_json_lines(server: Server) -> None:
    before = server.head()
    made_team = team(server)
    made_customer = customer(server)

    result = server.cli("events", "--after", str(before), "--limit", "3")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    assert [r["type"] for r in records] == ["Team.Created", "RequestRecord.Recorded", "Customer.Registered"]
    assert [r["stream_id"] for r in records[0::2]] == [made_team["id"], made_customer["id"]]
    assert [r["position"] for r in records] == sorted(r["position"] for r in records)
    assert records[0]["payload"]["name"] == made_team["name"]


def test_cli_events_follow_prints_new_events_until_interrupted(server: Server) -> None:
    before = server.head()
    command = [*ledger_command(), "events", "--follow", "--after", str(before), "--interval", "0.1"]
    lines: queue.Queue[str] = queue.Queue()
    with subprocess.Popen(command, env=server.env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        stdout, stderr_pipe = process.stdout, process.stderr
        assert stdout is not None and stderr_pipe is not None
        reader = threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True)
        reader.start()
        try:
            made_team = team(server)
            first = json.loads(lines.get(timeout=30))
            second = json.loads(lines.get(timeout=30))
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()  # fail below rather than hang the suite
                process.wait()
            reader.join(timeout=10)
        stderr = stderr_pipe.read()
    assert (first["type"], first["stream_id"]) == ("Team.Created", made_team["id"])
    assert second["type"] == "RequestRecord.Recorded"
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
