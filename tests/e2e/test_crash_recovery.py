"""kill -9 in the middle of work: a timed job, a rebuild of every read model. A rerun finishes the work
to the state an uninterrupted run reaches, with no fact recorded twice."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator
from uuid import UUID, uuid4, uuid5

import pytest

from jobs.base import find_job, run_job
from ledger.application import LedgerApplication, build_application
from ledger.base import Ctx
from ledger.commands import org, pool, rules
from ledger.settings import Settings
from projections.db import Database
from projections.feed import event_record
from projections.registry import Queries
from scripts.soak_checks import projection_differences
from tests.conftest import fresh_store
from tests.e2e.conftest import ROOT, ledger_command
from tests.e2e.servers import env_for

pytestmark = pytest.mark.e2e

START = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
WARN_AT = START + timedelta(days=45)
JOB_AT = (WARN_AT + timedelta(days=4)).isoformat()  # after the notice: recycle and deal every customer
CUSTOMERS = 100
REPS = 6


def ctx() -> Ctx:
    return Ctx("crash-test", f"k-{uuid4()}", "fp")


def build_world(app: LedgerApplication, settings: Settings, namespace: UUID) -> None:
    """One rep holds every customer and works none of them (each has had its recycling notice); the others
    may be dealt what is recycled. Ids are derived from `namespace`, so two stores built with it are alike."""
    def ident(label: str) -> UUID:
        return uuid5(namespace, label)

    team = app.create_team(org.CreateTeam(name="Crash", id=ident("team"), occurred_at=START), ctx()).id
    reps = [app.onboard_rep(org.OnboardRep(name=f"Rep {n}", team_id=team, hired_on=date(2025, 1, 6), id=ident(f"rep{n}"),
                                           occurred_at=START), ctx()).id for n in range(REPS)]
    app.set_pool_policy(rules.SetPoolPolicy(team_id=team, effective_from=date(2026, 1, 1), max_customers=CUSTOMERS,
                                            idle_days=20, no_deal_days=400, warning_days=3, protection_days=5,
                                            cooloff_days=30, distribution="random", occurred_at=START), ctx())
    for n in range(CUSTOMERS):
        customer = app.register_customer(pool.RegisterCustomer(name=f"c{n}", id=ident(f"c{n}"), occurred_at=START),
                                         ctx()).id
        app.claim_customer(pool.ClaimCustomer(customer_id=customer, rep_id=reps[0], occurred_at=START), ctx())
    queries = Queries(app, settings)
    try:
        warned = run_job(find_job("recycle"), app, queries, settings, WARN_AT)
    finally:
        queries.close()
    assert warned.recorded == CUSTOMERS


@pytest.fixture()
def twins(settings: Settings, tmp_path: Path) -> Iterator[tuple[Settings, Settings]]:
    """Two brand-new stores holding the same world."""
    namespace = uuid4()
    with ExitStack() as stack:
        pair = [stack.enter_context(fresh_store(settings, tmp_path)) for _ in range(2)]
        for fresh in pair:
            app = build_application(fresh)
            try:
                build_world(app, fresh, namespace)
            finally:
                app.close()
        yield pair[0], pair[1]


def store_env(fresh: Settings, **extra: str) -> dict[str, str]:
    return {**env_for(fresh.database_url, fresh.db_path), **extra}


def run_cli(fresh: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ledger_command(), *args], env=store_env(fresh), cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)


def kill_when(process: subprocess.Popen[bytes], reached: Callable[[], bool], timeout: float = 300) -> None:
    """SIGKILL the process as soon as `reached()` holds (polled), mid-way through its work."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and process.poll() is None and not reached():
            time.sleep(0.02)
        assert process.poll() is None, "the process finished before it could be killed; give it more work"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)


def facts_after(fresh: Settings, position: int) -> list[dict[str, Any]]:
    """What was recorded after a position, without what differs between two stores by nature
    (positions, recording times)."""
    app = build_application(replace(fresh, create_tables=False))
    try:
        found = app.recorder.select_notifications(start=position + 1, limit=1_000_000)
        records = [event_record(app.mapper.to_domain_event(n), n.id) for n in found]
    finally:
        app.close()
    return [{k: v for k, v in r.items() if k not in ("position", "recorded_at")} for r in records]


def head_of(fresh: Settings) -> int:
    app = build_application(replace(fresh, create_tables=False))
    try:
        return app.head()
    finally:
        app.close()


def test_a_job_killed_mid_run_finishes_on_rerun_as_an_uninterrupted_run_would(twins: tuple[Settings, Settings]) -> None:
    calm, crashed = twins
    start = head_of(calm)
    assert head_of(crashed) == start

    done = run_cli(calm, "jobs", "run", "recycle", "--at", JOB_AT)
    assert done.returncode == 0, done.stderr
    expected = facts_after(calm, start)
    dealt = Counter(r["type"] for r in expected)
    assert dealt["Customer.Recycled"] == dealt["Customer.Assigned"] == CUSTOMERS, dealt

    watcher = build_application(replace(crashed, create_tables=False))
    try:
        process = subprocess.Popen([*ledger_command(), "jobs", "run", "recycle", "--at", JOB_AT],
                                   env=store_env(crashed), cwd=ROOT, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        kill_when(process, lambda: watcher.head() >= start + len(expected) // 3)
        interrupted = len(facts_after(crashed, start))
    finally:
        watcher.close()
    print(f"recycle job: {len(expected)} events uninterrupted; killed after {interrupted}")
    assert 0 < interrupted < len(expected)

    again = run_cli(crashed, "jobs", "run", "recycle", "--at", JOB_AT)
    assert again.returncode == 0, again.stderr
    recovered = facts_after(crashed, start)

    assert recovered == expected
    keys = Counter(r["payload"]["key"] for r in recovered if r["type"] == "RequestRecord.Recorded")
    assert keys and max(keys.values()) == 1
    once_more = run_cli(crashed, "jobs", "run", "recycle", "--at", JOB_AT)
    assert " 0 new facts" in once_more.stdout
    assert facts_after(crashed, start) == expected


def test_a_rebuild_of_every_read_model_killed_mid_way_catches_up_to_a_rebuild_from_zero(
        twins: tuple[Settings, Settings]) -> None:
    _, fresh = twins
    assert run_cli(fresh, "jobs", "run", "recycle", "--at", JOB_AT).returncode == 0
    head = head_of(fresh)
    db = Database(fresh)
    try:
        command = [*ledger_command(), "projections", "rebuild", "--all"]
        process = subprocess.Popen(command, env=store_env(fresh, LEDGER_PROJECTION_BATCH="25"), cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kill_when(process, lambda: 0 < tracked(db, "pool") < head)
    finally:
        db.close()

    app = build_application(replace(fresh, create_tables=False))
    try:
        assert projection_differences(app, fresh) == {}
    finally:
        app.close()


def tracked(db: Database, name: str) -> int:
    with db.transaction(write=False) as cur:
        cur.execute("SELECT position FROM projection_tracking WHERE name = ?", (name,))
        row = cur.fetchone()
        return int(row[0]) if row else 0
