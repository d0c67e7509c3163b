"""Projection runner: incremental in any batch split equals a rebuild; a killed rebuild resumes to the same rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ledger.application import LedgerApplication, build_application
from ledger.base import Ctx
from ledger.commands import org, performance, pool, sales
from ledger.errors import LedgerError
from ledger.settings import Settings
from projections.db import Database
from projections.pool import PoolProjection
from projections.registry import Queries
from projections.runner import Runner
from projections.scorecards import ScorecardProjection
from projections.store import create_schema
from tests.conftest import fresh_store

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 7, 1, 9, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def store(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LedgerApplication, Database]]:
    """A small, fresh ledger of its own, so rebuilding from zero is quick on either engine."""
    with fresh_store(settings, tmp_path_factory.mktemp("runner")) as fresh:
        app = build_application(fresh)
        db = Database(fresh)
        create_schema(db)
        yield app, db
        db.close()
        app.close()


def ctx() -> Ctx:
    return Ctx("prop", f"k-{uuid4()}", "fp")


Step = tuple[str, int, int, int]
steps = st.lists(st.tuples(st.sampled_from(["claim", "release", "follow", "deal", "reverse", "score", "correct"]),
                           st.integers(0, 2), st.integers(0, 3), st.integers(1, 40)), min_size=1, max_size=25)


def record(app: LedgerApplication, plan: list[Step]) -> None:
    """Turn a random plan into events; steps the domain refuses are simply skipped (refusals record nothing)."""
    team = app.create_team(org.CreateTeam(name="prop", occurred_at=START), ctx()).id
    reps = [app.onboard_rep(org.OnboardRep(name=f"r{i}", team_id=team, hired_on=date(2025, 1, 1), occurred_at=START),
                            ctx()).id for i in range(3)]
    customers = [app.register_customer(pool.RegisterCustomer(name=f"c{i}", occurred_at=START), ctx()).id for i in range(4)]
    deals: list[UUID] = []
    scores: list[UUID] = []
    for n, (kind, r, c, size) in enumerate(plan):
        when = START + timedelta(days=n * 9 % 120, hours=n)
        try:
            if kind == "claim":
                app.claim_customer(pool.ClaimCustomer(customer_id=customers[c], rep_id=reps[r], occurred_at=when), ctx())
            elif kind == "release":
                app.release_customer(pool.ReleaseCustomer(customer_id=customers[c], occurred_at=when), ctx())
            elif kind == "follow":
                app.log_follow_up(sales.LogFollowUp(rep_id=reps[r], customer_id=customers[c], kind="visit", stage="lead",
                                                    occurred_at=when), ctx())
            elif kind == "deal":
                deals.append(app.close_deal(sales.CloseDeal(
                    rep_id=reps[r], customer_id=customers[c], amount=Decimal(size * 100), currency="CNY", product="p",
                    customer_type="new" if size % 2 else "existing", closed_on=when.date(), occurred_at=when), ctx()).id)
            elif kind == "reverse" and deals:
                app.reverse_deal(sales.ReverseDeal(deal_id=deals[size % len(deals)], kind="refund", reason="r",
                                                   amount=Decimal(size), currency="CNY", occurred_at=when), ctx())
            elif kind == "score":
                scores.append(app.record_score(performance.RecordScore(rep_id=reps[r], indicator="skill",
                                                                       value=Decimal(size), period="2026-Q3",
                                                                       occurred_at=when), ctx()).id)
            elif kind == "correct" and scores:
                app.correct_score(performance.CorrectScore(score_id=scores[size % len(scores)], value=Decimal(size + 41),
                                                           reason="r", occurred_at=when), ctx())
        except LedgerError:
            pass


def dump(db: Database, name: str) -> list[tuple[Any, ...]]:
    with db.transaction(write=False) as cur:
        cur.execute("SELECT kind, part, key, valid_from, valid_to, state FROM projection_rows WHERE projection = ? "
                    "ORDER BY kind, part, key, valid_from", (name,))
        return [tuple(row) for row in cur.fetchall()]


def named(projection: Any, name: str) -> Any:
    projection.name = name
    return projection


@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=steps, splits=st.lists(st.integers(1, 400), min_size=1, max_size=6), batch=st.integers(1, 7))
def test_incremental_in_any_batch_split_equals_a_rebuild(store: Any, plan: list[Step], splits: list[int],
                                                         batch: int) -> None:
    app, db = store
    start = app.head()
    record(app, plan)
    head = app.head()
    for make in (ScorecardProjection, PoolProjection):
        tag = uuid4().hex[:8]
        incremental = Runner(app, db, named(make(), f"inc-{tag}"), batch=batch)
        for cut in sorted(min(head, start + s) for s in splits):
            incremental.catch_up(until=cut)
        incremental.catch_up()
        rebuilt = Runner(app, db, named(make(), f"reb-{tag}"))
        rebuilt.rebuild()
        assert dump(db, incremental.name) == dump(db, rebuilt.name)
        assert incremental.position() == rebuilt.position() == head


@hypothesis_settings(max_examples=9, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=steps, batch=st.integers(1, 9), cache=st.sampled_from([0, 2, 50_000]))
def test_rebuilding_together_equals_rebuilding_one_by_one(store: Any, plan: list[Step], batch: int,
                                                         cache: int) -> None:
    import projections.runner
    import projections.together

    saved = projections.runner.CACHE
    projections.runner.CACHE = projections.together.CACHE = cache  # tiny caches evict texts after each batch
    try:
        rebuild_and_compare(store, plan, batch)
    finally:
        projections.runner.CACHE = projections.together.CACHE = saved


def rebuild_and_compare(store: Any, plan: list[Step], batch: int) -> None:
    from projections.pool_activity import PoolActivityProjection
    from projections.together import rebuild_together

    app, db = store
    record(app, plan)
    makes = (ScorecardProjection, PoolProjection, PoolActivityProjection)
    tag = uuid4().hex[:8]
    alone = [Runner(app, db, named(make(), f"alone-{i}-{tag}")) for i, make in enumerate(makes)]
    together = [Runner(app, db, named(make(), f"both-{i}-{tag}"), batch=batch) for i, make in enumerate(makes)]
    for runner in alone:
        runner.catch_up(until=3)  # something to forget first
        runner.rebuild()
    for runner in together:
        runner.catch_up(until=5)
    results = rebuild_together(together)
    for one, other in zip(alone, together, strict=True):
        assert dump(db, one.name) == dump(db, other.name) and dump(db, one.name)
        assert results[other.name].position == other.position() == app.head()
        assert results[other.name].events == one.rebuild().events
    record(app, plan)  # and an ordinary catch-up goes on from where the shared pass stopped
    for one, other in zip(alone, together, strict=True):
        one.catch_up()
        other.catch_up()
        assert dump(db, one.name) == dump(db, other.name)


@hypothesis_settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=steps)
def test_a_part_as_of_any_position_equals_folding_the_events_up_to_it(store: Any, plan: list[Step]) -> None:
    from projections.base import MemoryView, fold_all
    from projections.store import read_rows

    app, db = store
    record(app, plan)
    for make in (ScorecardProjection, PoolProjection):
        runner = Runner(app, db, named(make(), f"asof-{uuid4().hex[:8]}"))
        runner.rebuild()
        events = [(n.id, app.mapper.to_domain_event(n))
                  for n in app.recorder.select_notifications(start=1, limit=1_000_000)
                  if n.topic in set(runner.projection.topics)]
        view, checked = MemoryView(), 0
        for index, (position, _) in enumerate(events):
            fold_all(runner.projection, events[index:index + 1], view)
            if index % 7 and index != len(events) - 1:
                continue
            expected: dict[tuple[str, str], dict[tuple[str, str], Any]] = {}
            for (kind, part, key), state in view.states.items():
                expected.setdefault((kind, part), {})[(part, key)] = state
            with db.transaction(write=False) as cur:
                for (kind, part), states in expected.items():
                    found = {(p, k): state for p, k, state in read_rows(cur, runner.name, kind, part=part,
                                                                          as_of=position)}
                    assert found == states, (kind, part, position)
                    checked += 1
        assert checked > 0


def test_a_projection_moved_on_by_another_runner_during_a_shared_rebuild_ends_identical(store: Any) -> None:
    from projections.together import rebuild_together

    app, db = store
    record(app, [("deal", 0, 0, 5), ("follow", 1, 1, 1), ("claim", 2, 2, 7), ("score", 2, 0, 30)] * 6)
    tag = uuid4().hex[:8]
    shared = [Runner(app, db, named(make(), f"{prefix}-{tag}"), batch=4)
              for prefix, make in (("sc", ScorecardProjection), ("po", PoolProjection))]
    elsewhere = Runner(app, db, named(PoolProjection(), f"po-{tag}"), batch=3)  # a server's runner, say
    moved: list[int] = []

    def between_batches(_: int) -> None:
        if not moved:
            moved.append(elsewhere.catch_up(until=elsewhere.position() + 6).events)

    results = rebuild_together(shared, progress=between_batches)
    assert moved and moved[0] > 0
    reference = {make: Runner(app, db, named(make(), f"ref-{uuid4().hex[:8]}")) for make in
                 (ScorecardProjection, PoolProjection)}
    for runner, make in zip(shared, (ScorecardProjection, PoolProjection), strict=True):
        reference[make].rebuild()
        assert dump(db, runner.name) == dump(db, reference[make].name)
        assert results[runner.name].position == runner.position() == app.head()


def test_two_runners_racing_apply_each_event_once(store: Any) -> None:
    import threading

    app, db = store
    record(app, [("deal", 0, 0, 5), ("follow", 1, 1, 1), ("deal", 1, 2, 7), ("score", 2, 0, 30)] * 5)
    name = f"race-{uuid4().hex[:8]}"
    runners = [Runner(app, db, named(ScorecardProjection(), name), batch=3) for _ in range(3)]
    threads = [threading.Thread(target=r.catch_up) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reference = Runner(app, db, named(ScorecardProjection(), f"ref-{uuid4().hex[:8]}"))
    reference.rebuild()
    assert dump(db, name) == dump(db, reference.name)


def test_a_killed_rebuild_resumes_to_the_identical_result(settings: Settings, tmp_path: Path) -> None:
    from scripts.demo import build_demo

    with fresh_store(settings, tmp_path) as fresh:
        app = build_application(fresh)
        queries = Queries(app, fresh)
        build_demo(app, 11, date(2026, 10, 31), lambda _: None, queries)
        queries.close()
        app.close()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        env.update({"LEDGER_PROJECTION_BATCH": "20", "LEDGER_MASTER_KEY": fresh.master_key})
        env.update({"LEDGER_DATABASE_URL": fresh.database_url} if fresh.database_url else {"LEDGER_DB": fresh.db_path})
        command = [sys.executable, "-m", "scripts.cli", "projections", "rebuild", "scorecards"]
        db = Database(fresh)
        create_schema(db)
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and _position(db) < 200:
                time.sleep(0.01)
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.wait(timeout=30)
        interrupted = _position(db)
        assert 0 < interrupted, "the rebuild should have committed some batches before it was killed"
        resumed = subprocess.run([sys.executable, "-m", "scripts.cli", "projections", "status"], env=env, cwd=ROOT,
                                 capture_output=True, text=True, timeout=120, check=True)
        assert "scorecards" in resumed.stdout
        app = build_application(fresh)
        try:
            runner = Runner(app, db, ScorecardProjection())
            assert runner.lag() > 0 or interrupted == app.head()
            runner.catch_up()
            after_resume = dump(db, "scorecards")
            runner.rebuild()
            assert dump(db, "scorecards") == after_resume
        finally:
            db.close()
            app.close()


def _position(db: Database) -> int:
    with db.transaction(write=False) as cur:
        cur.execute("SELECT position FROM projection_tracking WHERE name = 'scorecards'")
        row = cur.fetchone()
        return int(row[0]) if row else 0
