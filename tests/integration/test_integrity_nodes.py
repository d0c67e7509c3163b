"""Inclusion proofs from the stored Merkle subtrees, on the suite's engine: the same paths as the whole tree,
nodes rebuilt for a chain sealed before they were stored, and a tampered node refused."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator
from uuid import uuid4

import psycopg
import pytest

from ledger.application import LedgerApplication, build_application
from ledger.base import Ctx
from ledger.commands.org import CreateTeam, OnboardRep
from ledger.errors import Invalid, RuleViolation
from ledger.settings import Settings
from projections.integrity import Integrity
from projections.registry import Queries
from tests.conftest import fresh_store

NOW = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)


def ctx() -> Ctx:
    return Ctx("test", f"k-{uuid4()}", "fp")


@dataclass
class Store:
    settings: Settings
    app: LedgerApplication
    queries: Queries

    def sealer(self, batch: int) -> Integrity:
        return Integrity(self.app, self.queries.db, self.settings, batch=batch)

    def raw(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        if not self.settings.database_url:
            with sqlite3.connect(self.settings.db_path) as conn:
                rows = conn.execute(sql, params).fetchall()
            conn.close()
            return rows
        with psycopg.connect(self.settings.database_url, autocommit=True) as pg:
            cursor = pg.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    def write(self, reps: int) -> None:
        team = self.app.create_team(CreateTeam(name=f"t-{uuid4().hex[:6]}", occurred_at=NOW), ctx())
        for i in range(reps):
            self.app.onboard_rep(OnboardRep(name=f"rep {i}", team_id=team.id, hired_on=date(2025, 3, 1), occurred_at=NOW),
                                 ctx())

    def positions(self) -> list[int]:
        return [int(p) for (p,) in self.raw("SELECT position FROM integrity_chain ORDER BY position")]

    def nodes(self) -> list[tuple[int, int, bytes]]:
        return [(int(lv), int(i), bytes(h)) for lv, i, h in self.raw("SELECT level, idx, hash FROM integrity_nodes ORDER BY level, idx")]


@pytest.fixture()
def store(settings: Settings, tmp_path: Path) -> Iterator[Store]:
    with fresh_store(settings, tmp_path) as fresh:
        app = build_application(fresh)
        queries = Queries(app, fresh)
        s = Store(fresh, app, queries)
        s.write(20)
        yield s
        queries.close()
        app.close()


def slow(integrity: Integrity, positions: list[int], checkpoint: dict[str, Any]) -> dict[int, list[str]]:
    return {p: integrity.proof(p, checkpoint) for p in positions}


def test_paths_from_stored_nodes_equal_the_whole_trees_at_every_checkpoint(store: Store) -> None:
    sealer = store.sealer(batch=7)  # batches that end inside subtrees
    first = sealer.sign(ctx())
    store.write(13)
    second = sealer.sign(ctx())
    for checkpoint in (sealer.checkpoint_covering(1, ctx()), sealer.checkpoint_covering(second.position, ctx())):
        covered = [p for p in store.positions() if p <= checkpoint["position"]]
        assert sealer.proofs(covered, checkpoint) == slow(sealer, covered, checkpoint)
    assert first.position < second.position and store.nodes()


def test_a_chain_sealed_before_nodes_were_stored_gets_them_from_the_first_leaf(store: Store) -> None:
    sealer = store.sealer(batch=5)
    sealer.sign(ctx())
    expected = store.nodes()
    store.raw("DELETE FROM integrity_nodes")
    store.raw("UPDATE integrity_tracking SET position = 0, size = 0, frontier = '[]' WHERE name = 'merkle_nodes'")
    store.write(4)  # sealed while the nodes lag: the sealer leaves them to the catch-up
    checkpoint = sealer.checkpoint_covering(store.app.head(), ctx())
    assert set(expected) < set(store.nodes())  # the same nodes again, and those of the new leaves
    covered = [p for p in store.positions() if p <= checkpoint["position"]]
    assert sealer.proofs(covered, checkpoint) == slow(sealer, covered, checkpoint)


def test_a_stored_node_that_no_longer_matches_the_checkpoint_is_refused(store: Store) -> None:
    checkpoint = store.queries.integrity.checkpoint_covering(store.app.head(), ctx())
    positions = [p for p in store.positions() if p <= checkpoint["position"]]
    assert store.queries.integrity.proofs(positions, checkpoint)
    level, index, _ = store.nodes()[-1]
    store.raw("UPDATE integrity_nodes SET hash = ? WHERE level = ? AND idx = ?", (bytes(32), level, index))
    with pytest.raises(RuleViolation) as refused:
        store.queries.integrity.proofs(positions, checkpoint)
    assert refused.value.code == "chain-mismatch"
    with pytest.raises(Invalid):
        store.queries.integrity.proofs([checkpoint["position"] + 1], checkpoint)
