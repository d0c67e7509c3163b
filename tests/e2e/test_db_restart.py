"""PostgreSQL restarted under load: quick 503s while it is down, recovery without a restart, nothing lost."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterator
from uuid import uuid4

import pytest

from ledger.application import build_application
from ledger.settings import Settings
from scripts.load import PROBLEM_JSON, Answer, Client, Tally, read_feed, setup_world, start_clients
from scripts.soak_checks import acknowledged_once, acknowledgement_problems, projection_differences
from tests.e2e.conftest import TEST_DATABASE_URL, free_port
from tests.e2e.pgcluster import Cluster, postgres_bindir
from tests.e2e.servers import cli, env_for, init_store, serve

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(postgres_bindir() is None, reason="needs PostgreSQL's server binaries (CI installs them)"),
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="runs once, in the PostgreSQL pass (on a cluster of its own)"),
]

OUTAGE_S = 8.0
QUICK_S = 8.0  # "never a hang longer than a few seconds": the bounded retries answer in about 4 s
RECOVERY_S = 20.0  # lost pool connections are replaced within ~5 s of the database's return


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A private PostgreSQL this test may stop and start; the shared test server is never touched."""
    private = Cluster.start_new(free_port())
    try:
        yield private
    finally:
        private.destroy()


def probe_while_down(client: Client, seconds: float) -> list[Answer]:
    """Reads, writes and the health check against the API while its database is down."""
    answers: list[Answer] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answers.append(client.once("GET", "/api/v1/events?limit=1"))
        answers.append(client.once("POST", "/api/v1/teams", {"name": "while down"}, key=f"probe-{uuid4()}"))
        answers.append(client.once("GET", "/healthz"))
    return answers


def time_to_recover(client: Client) -> float:
    """Seconds from now until the API reads the ledger again (the server itself is never restarted)."""
    started = time.monotonic()
    while time.monotonic() - started < 60:
        if client.once("GET", "/api/v1/events?limit=1").status == 200:
            break
        time.sleep(0.1)
    return time.monotonic() - started


def test_database_restart_under_load_loses_no_acknowledged_write_and_recovers_by_itself(
        cluster: Cluster, tmp_path: Path) -> None:
    env = env_for(cluster.url)
    token = init_store(env)
    serving = serve(env, tmp_path / "server.log")
    tag = f"restart-{uuid4().hex[:8]}"
    tally, stop = Tally(), threading.Event()
    try:
        admin = Client(serving.url, token, timeout=30)
        world = setup_world(admin, tag)
        threads = start_clients(serving.url, token, world, tally, tag, stop, clients=4)
        time.sleep(3)
        acknowledged_before_outage = len(tally.acknowledged)

        cluster.stop()
        stopped = time.monotonic()
        during = probe_while_down(admin, OUTAGE_S)
        cluster.start()
        restarted = time.monotonic()
        acknowledged_at_restart = len(tally.acknowledged)
        recovered_in = time_to_recover(admin)
        time.sleep(5)
        stop.set()
        for thread in threads:
            thread.join(timeout=300)
        assert not any(thread.is_alive() for thread in threads), "a client never got a definite answer"

        assert serving.process.poll() is None, "the server died with its database"
        assert recovered_in < RECOVERY_S, f"still unavailable {recovered_in:.1f}s after the database came back"
        api_errors = [a for a in during if a.path.startswith("/api/")]
        assert api_errors and {a.status for a in api_errors} == {503}, [(a.status, a.body[:120]) for a in api_errors]
        assert {a.content_type for a in api_errors} == {PROBLEM_JSON}
        assert all(a.retry_after and a.retry_after.isdigit() for a in during)
        assert {a.status for a in during if a.path == "/healthz"} == {503}
        assert max(a.seconds for a in during) < QUICK_S, sorted(a.seconds for a in during)[-5:]

        assert tally.bad == [], tally.bad[:5]
        assert tally.statuses[503] > 0, "the clients never saw the outage"
        assert tally.slowest < QUICK_S
        assert acknowledged_before_outage > 0
        assert len(tally.acknowledged) > acknowledged_at_restart, "no write was acknowledged after the restart"

        print(f"restart: {len(tally.acknowledged)} writes acknowledged ({acknowledged_before_outage} before the "
              f"outage), {tally.refused} refused, {tally.reads} reads, statuses {dict(tally.statuses)}, "
              f"{tally.retries} retries; slowest answer {tally.slowest:.2f}s, slowest while down "
              f"{max(a.seconds for a in during):.2f}s over {len(during)} probes; down {restarted - stopped:.1f}s, "
              f"answering again {recovered_in:.2f}s after the restart")
        events = read_feed(admin)
        summary = acknowledged_once(events, tally.acknowledged, tally.issued)
        assert acknowledgement_problems(summary) == [], summary
        assert summary["stored"] == len(tally.acknowledged) == len(set(tally.issued)) - tally.refused

        settings = replace(Settings.from_env(env).check(), create_tables=False)
        app = build_application(settings)
        try:
            assert projection_differences(app, settings) == {}
        finally:
            app.close()
        verified = cli(env, "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "OK" in verified.stdout
    finally:
        stop.set()
        serving.stop()
