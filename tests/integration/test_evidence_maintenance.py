"""After a catch-up of many events the evidence index vacuums and analyses its tables, and the sealer analyses
its own (PostgreSQL), so that a bundle's lookups are planned as lookups and stay index-only scans; a small
catch-up leaves them to autovacuum, and SQLite has nothing to maintain."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator
from uuid import uuid4

import pytest

from ledger.application import LedgerApplication, build_application
from ledger.base import Ctx
from ledger.commands.org import CreateTeam
from ledger.settings import Settings
from projections.db import Database
from projections.evidence.index import EvidenceIndex
from projections.integrity import Integrity
from tests.conftest import fresh_store

TABLES = ("evidence_events", "evidence_mentions")


@pytest.fixture()
def store(settings: Settings, tmp_path: Path) -> Iterator[tuple[LedgerApplication, Database]]:
    with fresh_store(settings, tmp_path) as fresh:
        app = build_application(fresh)
        db = Database(fresh)
        try:
            yield app, db
        finally:
            db.close()
            app.close()


def teams(app: LedgerApplication, n: int) -> None:
    for i in range(n):
        app.create_team(CreateTeam(name=f"Team {i} {uuid4().hex[:6]}", occurred_at=datetime.now(timezone.utc)),
                        Ctx("test", f"k-{uuid4()}"))


def counts(db: Database, column: str, tables: tuple[str, ...] = TABLES) -> dict[str, int]:
    """Manual VACUUMs or ANALYZEs per table so far (autovacuum's are counted apart)."""
    with db.transaction(write=False) as cur:
        cur.execute(f"SELECT relname, {column} FROM pg_stat_user_tables WHERE relname = ANY(?)", [list(tables)])
        return {name: int(count) for name, count in cur.fetchall()}


def vacuums(db: Database) -> dict[str, int]:
    return counts(db, "vacuum_count")


def test_a_catch_up_of_many_events_vacuums_the_index_tables_and_a_small_one_does_not(
        store: tuple[LedgerApplication, Database]) -> None:
    app, db = store
    if db.dialect != "postgresql":
        pytest.skip("SQLite has no visibility map")
    teams(app, 6)
    EvidenceIndex(app, db).catch_up()  # 6 events: far below the default threshold
    before = vacuums(db)
    assert set(before) == set(TABLES)
    teams(app, 6)
    index = EvidenceIndex(app, db, vacuum_after=5)
    assert index.catch_up() == app.head()
    after = vacuums(db)
    assert all(after[t] == before[t] + 1 for t in TABLES), (before, after)
    teams(app, 2)  # the count starts again after a vacuum: 2 more events are not enough
    assert index.catch_up() == app.head()
    assert vacuums(db) == after


def test_tables_locked_by_another_maintenance_are_vacuumed_on_the_next_catch_up_instead(
        store: tuple[LedgerApplication, Database]) -> None:
    app, db = store
    if db.dialect != "postgresql":
        pytest.skip("SQLite has no visibility map")
    import psycopg

    patient = Database(replace(db.settings, lock_timeout_s=1))
    index = EvidenceIndex(app, patient, vacuum_after=5)
    teams(app, 6)
    before = vacuums(db)["evidence_mentions"]
    try:
        with psycopg.connect(db.settings.database_url) as other:  # as a VACUUM in another session would hold it
            other.execute("LOCK TABLE evidence_mentions IN SHARE UPDATE EXCLUSIVE MODE")
            assert index.catch_up() == app.head()  # indexed all the same, after waiting the lock timeout
            assert vacuums(db)["evidence_mentions"] == before
        assert index.catch_up() == app.head()  # nothing new to index, but the vacuum is still owed
        assert vacuums(db)["evidence_mentions"] == before + 1
    finally:
        patient.close()


def test_a_sealer_that_chained_many_events_analyses_its_tables(store: tuple[LedgerApplication, Database]) -> None:
    app, db = store
    if db.dialect != "postgresql":
        pytest.skip("SQLite plans without statistics")
    tables = ("integrity_chain", "integrity_nodes")
    teams(app, 6)
    Integrity(app, db, db.settings).catch_up()
    before = counts(db, "analyze_count", tables)
    teams(app, 6)
    sealer = Integrity(app, db, db.settings, analyze_after=5)
    assert sealer.catch_up() == app.head()
    after = counts(db, "analyze_count", tables)
    assert all(after[t] == before[t] + 1 for t in tables), (before, after)
    teams(app, 2)
    sealer.catch_up()
    assert counts(db, "analyze_count", tables) == after


def test_sqlite_catches_up_without_vacuuming(store: tuple[LedgerApplication, Database]) -> None:
    app, db = store
    if db.dialect != "sqlite":
        pytest.skip("the SQLite path")
    teams(app, 3)
    assert EvidenceIndex(app, db, vacuum_after=1).catch_up() == app.head()
    assert Integrity(app, db, db.settings, analyze_after=1).catch_up() == app.head()
    with db.transaction(write=False) as cur:
        cur.execute("SELECT COUNT(*) FROM evidence_events")
        assert cur.fetchone()[0] == 3
