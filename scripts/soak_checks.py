"""Invariants checked after load or faults: read models equal a rebuild, writes acknowledged are stored once."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Sequence

import orjson
from eventsourcing.application import Application

from ledger.settings import Settings
from projections.db import Database
from projections.registry import all_projections
from projections.runner import Runner
from projections.store import create_schema

Row = tuple[str, str, str, int, int | None, Any]  # kind, part, key, valid_from, valid_to, state


def history_until(db: Database, name: str, position: int) -> list[Row]:
    """Every version of every row of a projection as the ledger stood at `position`."""
    with db.transaction(write=False) as cur:
        cur.execute("SELECT kind, part, key, valid_from, valid_to, state FROM projection_rows "
                    "WHERE projection = ? AND valid_from <= ? ORDER BY kind, part, key, valid_from", (name, position))
        rows = cur.fetchall()
    # A version closed after `position` was still the current one then.
    return [(kind, part, key, int(start), None if end is None or int(end) > position else int(end), orjson.loads(state))
            for kind, part, key, start, end, state in rows]


def projection_differences(app: Application[Any], settings: Settings, *, catch_up: bool = True) -> dict[str, str]:
    """Each live read model, caught up, against a rebuild from zero of the same events in a scratch store.

    Compares the full version history (every row with its validity), so as-of answers agree too.
    Returns {projection: what differs}; empty when all agree.
    """
    live = Database(settings)
    differences: dict[str, str] = {}
    try:
        head = app.recorder.max_notification_id() or 0
        with tempfile.TemporaryDirectory(prefix="ledger-rebuild-") as scratch:
            for projection in all_projections(settings.base_currency):
                runner = Runner(app, live, projection, batch=settings.projection_batch)
                if catch_up:
                    runner.catch_up(until=head)
                if runner.position() < head:
                    differences[projection.name] = f"at position {runner.position()}, behind the head {head}"
                    continue
                fresh_db = Database(Settings(db_path=str(Path(scratch) / f"{projection.name}.sqlite")))
                try:
                    create_schema(fresh_db)
                    Runner(app, fresh_db, projection, batch=settings.projection_batch).catch_up(until=head)
                    rebuilt = history_until(fresh_db, projection.name, head)
                finally:
                    fresh_db.close()
                incremental = history_until(live, projection.name, head)
                if incremental != rebuilt:
                    differences[projection.name] = _describe(incremental, rebuilt)
    finally:
        live.close()
    return differences


def _describe(incremental: list[Row], rebuilt: list[Row]) -> str:
    only_live = [row[:5] for row in incremental if row not in rebuilt][:3]
    only_rebuilt = [row[:5] for row in rebuilt if row not in incremental][:3]
    return (f"{len(incremental)} live rows vs {len(rebuilt)} rebuilt; only live: {only_live}; "
            f"only rebuilt: {only_rebuilt}")


def acknowledged_once(events: Iterable[dict[str, Any]], acknowledged: Sequence[str], issued: Iterable[str]
                      ) -> dict[str, Any]:
    """Writes acknowledged vs. request records stored: every acknowledged key exactly once, and no
    stored request record for a key of `issued` that was never acknowledged (refused writes record nothing)."""
    issued_keys = set(issued)
    records = Counter(e["payload"]["key"] for e in events
                      if e["type"] == "RequestRecord.Recorded" and e["payload"]["key"] in issued_keys)
    acked = Counter(acknowledged)
    return {
        "acknowledged": len(acked),
        "stored": sum(records.values()),
        "missing": sorted(k for k in acked if records[k] == 0)[:10],
        "duplicated": sorted(k for k, n in records.items() if n > 1)[:10],
        "unacknowledged_but_stored": sorted(k for k in records if k not in acked)[:10],
        "acknowledged_twice": sorted(k for k, n in acked.items() if n > 1)[:10],
    }


def acknowledgement_problems(summary: dict[str, Any]) -> list[str]:
    """What is wrong in an `acknowledged_once` summary, in words; empty when nothing is."""
    problems = [f"{name}: {summary[name]}" for name in
                ("missing", "duplicated", "unacknowledged_but_stored", "acknowledged_twice") if summary[name]]
    if summary["stored"] != summary["acknowledged"]:
        problems.append(f"{summary['stored']} request records stored for {summary['acknowledged']} acknowledged writes")
    return problems
