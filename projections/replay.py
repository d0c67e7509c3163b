"""An auditor's replay: one projection rebuilt from position 0 up to a past moment, in a scratch store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from eventsourcing.application import Application

from ledger.settings import Settings
from projections.base import Projection, State
from projections.db import Database
from projections.feed import Bound
from projections.readside import ReadSide
from projections.runner import BATCH

Row = tuple[str, str, str, State]  # kind, part, key, state


@dataclass(frozen=True)
class Replay:
    projection: str
    position: int
    as_of: datetime
    events: int
    seconds: float
    rows: list[Row]


def replay(app: Application[Any], projection: Projection, until: Bound, scratch: Path,
           progress: Callable[[int], None] | None = None, batch: int = BATCH) -> Replay:
    """Fold the events up to `until` (a position, or the last one recorded by a time, as `as_of` resolves
    it) into a new SQLite file with the runner every rebuild uses; the live read models are never opened."""
    if scratch.exists():
        raise FileExistsError(f"{scratch} exists; a replay starts from an empty store")
    db = Database(Settings(db_path=str(scratch)))
    try:
        read_side = ReadSide(app, db, [projection], batch=batch)
        moment = read_side.moment(until.isoformat() if isinstance(until, datetime) else until)
        result = read_side.runner(projection.name).catch_up(until=moment.position, progress=progress)
        with db.transaction(write=False) as cur:
            cur.execute("SELECT kind, part, key, state FROM projection_rows WHERE projection = ? AND valid_to IS NULL "
                        "ORDER BY kind, part, key", (projection.name,))
            rows = [(kind, part, key, json.loads(state)) for kind, part, key, state in cur.fetchall()]
    finally:
        db.close()
    return Replay(projection.name, moment.position, moment.at, result.events, result.seconds, rows)
