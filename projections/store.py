"""The thin writer: versioned rows and the tracking position, written in one transaction."""

from __future__ import annotations

from typing import Any, Iterator

import orjson

from projections.base import Address, Blob, MemoryView, State
from projections.db import Cursor, Database

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS projection_tracking (
        name TEXT PRIMARY KEY, position BIGINT NOT NULL, updated_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS projection_rows (
        projection TEXT NOT NULL, kind TEXT NOT NULL, part TEXT NOT NULL, key TEXT NOT NULL,
        valid_from BIGINT NOT NULL, valid_to BIGINT, state TEXT NOT NULL,
        PRIMARY KEY (projection, kind, part, key, valid_from))""",
    # Fewer indexes, cheaper writes (each version row goes into every index): listing or finding current
    # states uses projection_rows_now, reading as of a position the primary key (a key without its part,
    # as in the outbox's lookup of one notification, scans that kind's rows).
    "DROP INDEX IF EXISTS projection_rows_current",
    "DROP INDEX IF EXISTS projection_rows_key",
    "DROP INDEX IF EXISTS projection_rows_by_key",
    # the one current row of each state: what a fold reads, what a new version closes, what a listing reads
    """CREATE UNIQUE INDEX IF NOT EXISTS projection_rows_now
        ON projection_rows (projection, kind, part, key) WHERE valid_to IS NULL""",
]
COLUMNS = ("projection", "kind", "part", "key", "valid_from", "valid_to", "state")


def create_schema(db: Database) -> None:
    with db.transaction() as cur:
        for statement in SCHEMA:
            cur.execute(statement)


class Known:
    """Current states a runner knows from the batches it wrote itself (None: no row), kept between batches so
    that a state is read from the database once, not once per batch. `complete` (after a rebuild's reset) means
    every stored state went through here, so a state it does not know has no row and needs no lookup. Beyond
    the limit the texts are dropped and only a hash of each stored address is kept (a collision costs one
    lookup), so a rebuild's memory stays bounded however many states the projection has."""

    def __init__(self, complete: bool = False) -> None:
        self.states: dict[Address, Blob | None] = {}
        self.complete = complete
        self.evicted: set[int] = set()

    def lookup(self, address: Address) -> tuple[bool, Blob | None]:
        """(known, state text): whether the answer is known without reading the database, and the text."""
        if address in self.states:
            return True, self.states[address]
        if self.complete and hash(address) not in self.evicted:
            return True, None
        return False, None

    def trim(self, limit: int) -> None:
        if len(self.states) > limit:
            if self.complete:
                self.evicted.update(hash(address) for address, blob in self.states.items() if blob is not None)
            self.states.clear()


class StoredView(MemoryView):
    """A MemoryView that loads current states from the database on first use, unless `known` knows them."""

    def __init__(self, cur: Cursor, projection: str, known: Known | None = None) -> None:
        super().__init__()
        self._cur, self._projection = cur, projection
        self._loaded: set[Address] = set()
        self.known = known if known is not None else Known()

    def get(self, kind: str, part: str, key: str) -> State | None:
        self._load((kind, part, key))
        return super().get(kind, part, key)

    def text(self, kind: str, part: str, key: str) -> Blob | None:
        self._load((kind, part, key))
        return super().text(kind, part, key)

    def _load(self, address: Address) -> None:
        kind, part, key = address
        if address not in self._loaded and address not in self.blobs:
            found, blob = self.known.lookup(address)
            if not found:
                self._cur.execute(
                    "SELECT state FROM projection_rows WHERE projection = ? AND kind = ? AND part = ? AND key = ? "
                    "AND valid_to IS NULL", (self._projection, kind, part, key))
                row = self._cur.fetchone()
                blob = None if row is None else row[0]
                self.known.states[address] = blob
            if blob is not None:
                self.blobs[address] = blob
            self._loaded.add(address)

    def is_new(self, address: Address) -> bool:
        """True when the state is known to have no stored row yet (nothing to close)."""
        found, blob = self.known.lookup(address)
        return found and blob is None


def write_changes(cur: Cursor, projection: str, changes: list[tuple[Address, int, Blob]],
                  view: StoredView | None = None) -> int:
    """Close each changed state's current row and insert all its new versions, in two bulk statements:
    versions written in the same batch get their `valid_to` here, so no row is written twice."""
    versions: dict[Address, list[list[Any]]] = {}
    for address, position, blob in changes:
        found = versions.setdefault(address, [])
        if found and found[-1][0] == position:  # several changes at one position: keep the last
            found[-1][1] = blob
        else:
            found.append([position, blob])
    cur.close_versions(projection, [(found[0][0], *address) for address, found in versions.items()
                                    if view is None or not view.is_new(address)])
    rows = []
    for (kind, part, key), found in versions.items():
        for index, (position, blob) in enumerate(found):
            until = found[index + 1][0] if index + 1 < len(found) else None
            rows.append((projection, kind, part, key, position, until, blob))
    cur.insert_rows("projection_rows", COLUMNS, rows)
    if view is not None:
        for address, found in versions.items():
            view.known.states[address] = found[-1][1]
    return len(rows)


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
    if as_of is not None and part is not None and key is None:
        yield from _part_as_of(cur, projection, kind, part, as_of)
        return
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
        yield row_part, row_key, orjson.loads(state)


def _part_as_of(cur: Cursor, projection: str, kind: str, part: str, as_of: int) -> Iterator[tuple[str, str, State]]:
    """A part's states as of a position, one index probe per state instead of a scan of all its versions (a
    month's scorecard facts have dozens of versions per rep): states are never removed, so the states that
    existed then are among the current ones, each at its latest version from on or before the position."""
    cur.execute(
        "SELECT r.part, r.key, r.state FROM projection_rows n JOIN projection_rows r "
        "ON r.projection = n.projection AND r.kind = n.kind AND r.part = n.part AND r.key = n.key "
        "AND r.valid_from = (SELECT max(m.valid_from) FROM projection_rows m WHERE m.projection = n.projection "
        "AND m.kind = n.kind AND m.part = n.part AND m.key = n.key AND m.valid_from <= ?) "
        "WHERE n.projection = ? AND n.kind = ? AND n.part = ? AND n.valid_to IS NULL ORDER BY r.key",
        (as_of, projection, kind, part))
    for row_part, row_key, state in cur.fetchall():
        yield row_part, row_key, orjson.loads(state)
