"""The thin writer: versioned rows and the tracking position, written in one transaction."""

from __future__ import annotations

import json
from typing import Any, Iterator

from projections.base import Address, MemoryView, State
from projections.db import Cursor, Database

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS projection_tracking (
        name TEXT PRIMARY KEY, position BIGINT NOT NULL, updated_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS projection_rows (
        projection TEXT NOT NULL, kind TEXT NOT NULL, part TEXT NOT NULL, key TEXT NOT NULL,
        valid_from BIGINT NOT NULL, valid_to BIGINT, state TEXT NOT NULL,
        PRIMARY KEY (projection, kind, part, key, valid_from))""",
    """CREATE INDEX IF NOT EXISTS projection_rows_current
        ON projection_rows (projection, kind, part, valid_to)""",
    """CREATE INDEX IF NOT EXISTS projection_rows_key
        ON projection_rows (projection, kind, key, valid_to)""",
]


def create_schema(db: Database) -> None:
    with db.transaction() as cur:
        for statement in SCHEMA:
            cur.execute(statement)


class StoredView(MemoryView):
    """A MemoryView that loads current states from the database on first use."""

    def __init__(self, cur: Cursor, projection: str) -> None:
        super().__init__()
        self._cur, self._projection = cur, projection
        self._loaded: set[Address] = set()

    def get(self, kind: str, part: str, key: str) -> State | None:
        address = (kind, part, key)
        if address not in self._loaded and address not in self.states:
            self._cur.execute(
                "SELECT state FROM projection_rows WHERE projection = ? AND kind = ? AND part = ? AND key = ? "
                "AND valid_to IS NULL", (self._projection, kind, part, key))
            row = self._cur.fetchone()
            if row is not None:
                self.states[address] = json.loads(row[0])
            self._loaded.add(address)
        return super().get(kind, part, key)


def write_changes(cur: Cursor, projection: str, changes: list[tuple[Address, int, State]]) -> None:
    """Close each changed state's current row and insert its new versions, in position order."""
    latest: dict[Address, int] = {}
    for address, position, state in changes:
        kind, part, key = address
        if latest.get(address) == position:  # several changes at one position: keep the last
            cur.execute("UPDATE projection_rows SET state = ? WHERE projection = ? AND kind = ? AND part = ? "
                        "AND key = ? AND valid_from = ?", (json.dumps(state), projection, kind, part, key, position))
            continue
        cur.execute("UPDATE projection_rows SET valid_to = ? WHERE projection = ? AND kind = ? AND part = ? "
                    "AND key = ? AND valid_to IS NULL", (position, projection, kind, part, key))
        cur.execute("INSERT INTO projection_rows (projection, kind, part, key, valid_from, valid_to, state) "
                    "VALUES (?, ?, ?, ?, ?, NULL, ?)", (projection, kind, part, key, position, json.dumps(state)))
        latest[address] = position


def ensure_tracked(cur: Cursor, projection: str, now: str) -> None:
    """Give the projection its tracking row (position 0), so that runners can lock it."""
    cur.execute("INSERT INTO projection_tracking (name, position, updated_at) VALUES (?, 0, ?) "
                "ON CONFLICT (name) DO NOTHING", (projection, now))


def tracked_position(cur: Cursor, projection: str, lock: str = "") -> int:
    """The last position applied; `lock` (" FOR UPDATE") makes racing runners wait for each other."""
    cur.execute("SELECT position FROM projection_tracking WHERE name = ?" + lock, (projection,))
    row = cur.fetchone()
    return int(row[0]) if row else 0


def advance(cur: Cursor, projection: str, expected: int, position: int, now: str) -> bool:
    """Move the tracking position from `expected` to `position`; False if another runner moved it first."""
    cur.execute("UPDATE projection_tracking SET position = ?, updated_at = ? WHERE name = ? AND position = ?",
                (position, now, projection, expected))
    return cur.rowcount == 1


def reset(cur: Cursor, projection: str, now: str) -> None:
    cur.execute("DELETE FROM projection_rows WHERE projection = ?", (projection,))
    cur.execute("DELETE FROM projection_tracking WHERE name = ?", (projection,))


def read_rows(cur: Cursor, projection: str, kind: str, *, part: str | None = None, key: str | None = None,
              as_of: int | None = None) -> Iterator[tuple[str, str, State]]:
    """(part, key, state) of the rows valid now, or valid at position `as_of`."""
    sql = "SELECT part, key, state FROM projection_rows WHERE projection = ? AND kind = ?"
    params: list[Any] = [projection, kind]
    if part is not None:
        sql += " AND part = ?"
        params.append(part)
    if key is not None:
        sql += " AND key = ?"
        params.append(key)
    if as_of is None:
        sql += " AND valid_to IS NULL"
    else:
        sql += " AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)"
        params += [as_of, as_of]
    cur.execute(sql + " ORDER BY part, key", params)
    for row_part, row_key, state in cur.fetchall():
        yield row_part, row_key, json.loads(state)
