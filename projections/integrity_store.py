"""The hash chain's tables, and the event store's rows read raw: the bytes exactly as stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence
from uuid import UUID

import orjson
from eventsourcing.application import Application

from ledger.chain import GENESIS, STORED_LEVEL, MerkleAccumulator
from projections.db import Cursor, Database

BATCH = 5000  # rows per select: one round trip per 5000 events, a few MB at most
# Followers (this sealer, the evidence index) that have just written this many rows' worth of events have their
# tables analysed (and vacuumed) at once on PostgreSQL, not when autovacuum comes by: see `maintain`.
MAINTAIN_AFTER = 50_000
CHECKPOINT_TOPIC = "ledger.checkpoint:Checkpoint.Signed"
NODES = "merkle_nodes"  # the integrity_tracking row of the stored subtrees
CHECKPOINT_COLUMNS = ("position", "event_position", "id", "size", "chain_head", "merkle_root", "signature", "key_id",
                      "algorithm", "signed_at")


def schema(dialect: str) -> list[str]:
    blob, key = ("BYTEA", "BIGINT PRIMARY KEY") if dialect == "postgresql" else ("BLOB", "INTEGER PRIMARY KEY")
    return [
        # ordinal: the 0-based leaf index of the position in the Merkle tree (positions may have gaps)
        f"CREATE TABLE IF NOT EXISTS integrity_chain (position {key}, ordinal BIGINT NOT NULL UNIQUE, "
        f"hash {blob} NOT NULL)",
        # the follower's own tracking row: last chained position, leaf count, h(position), Merkle frontier
        "CREATE TABLE IF NOT EXISTS integrity_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL, "
        "size BIGINT NOT NULL, head TEXT NOT NULL, frontier TEXT NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS integrity_checkpoints (position BIGINT PRIMARY KEY, event_position BIGINT NOT NULL, "
        "id TEXT NOT NULL, size BIGINT NOT NULL, chain_head TEXT NOT NULL, merkle_root TEXT NOT NULL, "
        "signature TEXT NOT NULL, key_id TEXT NOT NULL, algorithm TEXT NOT NULL, signed_at TEXT NOT NULL)",
        # complete Merkle subtrees (level >= STORED_LEVEL) as the sealer forms them: proofs read O(log n) of these;
        # how far they go is the integrity_tracking row named 'merkle_nodes' (size = leaves covered)
        f"CREATE TABLE IF NOT EXISTS integrity_nodes (level INTEGER NOT NULL, idx BIGINT NOT NULL, hash {blob} NOT NULL, "
        "PRIMARY KEY (level, idx))",
    ]


@dataclass(frozen=True)
class Row:
    """One stored event as the store holds it; `stream_id` in canonical UUID text."""

    position: int
    stream_id: str
    version: int
    topic: str
    state: bytes


@dataclass
class Tracking:
    position: int
    size: int
    head: bytes
    frontier: MerkleAccumulator


class EventTable:
    """Plain SQL over the library's own table (`stored_events` in SQLite, `<name>_events` in PostgreSQL), so that
    the chain covers the stored bytes and not what the application would make of them."""

    def __init__(self, app: Application[Any], dialect: str) -> None:
        recorder: Any = app.recorder
        name = recorder.events_table_name
        self.dialect = dialect
        if dialect == "postgresql":
            self.table, self.pos = f'"{recorder.datastore.schema}"."{name}"', "notification_id"
        else:
            self.table, self.pos = f'"{name}"', "rowid"  # SQLite's rowid is the library's notification id

    def _select(self, cur: Cursor, where: str, params: Sequence[Any], limit: int | None = None) -> list[Row]:
        sql = (f"SELECT {self.pos}, originator_id, originator_version, topic, state FROM {self.table} WHERE {where} "
               f"ORDER BY {self.pos}" + (f" LIMIT {int(limit)}" if limit else ""))
        cur.execute(sql, params)
        return [Row(int(p), _canonical(o), _int(v), t if isinstance(t, str) else "", _bytes(s))
                for p, o, v, t, s in cur.fetchall()]

    def after(self, cur: Cursor, position: int, limit: int = BATCH) -> list[Row]:
        return self._select(cur, f"{self.pos} > ?", (position,), limit)

    def at(self, cur: Cursor, positions: Sequence[int]) -> list[Row]:
        found: list[Row] = []
        for where, params in in_list(self.dialect, self.pos, positions):
            found += self._select(cur, where, params)
        return sorted(found, key=lambda row: row.position)

    def with_topic(self, cur: Cursor, topic: str) -> list[Row]:
        return self._select(cur, "topic = ?", (topic,))

    def count_after(self, cur: Cursor, position: int) -> int:
        cur.execute(f"SELECT COUNT(*) FROM {self.table} WHERE {self.pos} > ?", (position,))
        return int(cur.fetchone()[0])

    def head(self, cur: Cursor) -> int:
        cur.execute(f"SELECT MAX({self.pos}) FROM {self.table}")
        row = cur.fetchone()
        return int(row[0]) if row and row[0] is not None else 0


def maintain(db: Database, statement: str) -> bool:
    """Run VACUUM or ANALYZE on PostgreSQL, on a connection of its own (neither can run inside a transaction);
    False when the tables stayed locked for the lock timeout (the caller tries again on its next catch-up).

    A follower that has just filled its tables (an import, a first start) must not leave them unanalysed:
    without statistics the planner takes each level's node lookup (`level = ? AND idx = ANY(<2,000>)`) for a
    large share of `integrity_nodes` and plans a parallel bitmap scan of every page, once per level (a bundle's
    proofs: 1.9 s instead of 0.15 s at 1M events). The evidence index also needs VACUUM: its lookups are
    index-only scans, which visit the table wherever the visibility map is not set yet. An autovacuum
    already on the table is cancelled by the wait (it yields after deadlock_timeout)."""
    import psycopg
    from psycopg import errors

    with psycopg.connect(db.settings.database_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"SET lock_timeout = '{max(1, db.settings.lock_timeout_s)}s'")
        try:
            conn.execute(statement)
        except errors.LockNotAvailable:  # another session's maintenance of the same tables: it does the job
            return False
    return True


def _canonical(originator_id: Any) -> str:
    # SQLite keeps UUIDs as 32 hex digits, PostgreSQL as uuid: both become the same canonical text
    try:
        return str(originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id)))
    except ValueError:
        return str(originator_id)  # an edited id: hashed as found, so verification reports it


# An edit by hand can change a value's storage type (SQLite text for a blob, NULLs): hash what is there
# rather than fail, so the position is reported as changed.
def _bytes(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    return b"" if value is None else bytes(value)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def read_tracking(cur: Cursor, lock: str = "") -> Tracking:
    cur.execute("SELECT position, size, head, frontier FROM integrity_tracking WHERE name = 'chain'" + lock)
    row = cur.fetchone()
    if row is None:
        return Tracking(0, 0, GENESIS, MerkleAccumulator())
    return Tracking(int(row[0]), int(row[1]), bytes.fromhex(row[2]), MerkleAccumulator.resume(orjson.loads(row[3])))


def ensure_tracking(db: Database, now: str) -> None:
    with db.transaction() as cur:
        cur.execute("INSERT INTO integrity_tracking (name, position, size, head, frontier, updated_at) "
                    "VALUES ('chain', 0, 0, ?, '[]', ?) ON CONFLICT (name) DO NOTHING", (GENESIS.hex(), now))
        # a chain sealed before the node table existed gets its nodes from the first leaf (Integrity.catch_up)
        cur.execute("INSERT INTO integrity_tracking (name, position, size, head, frontier, updated_at) "
                    f"VALUES ('{NODES}', 0, 0, '', '[]', ?) ON CONFLICT (name) DO NOTHING", (now,))


def read_nodes_tracking(cur: Cursor, lock: str = "") -> MerkleAccumulator:
    """The accumulator of the leaves whose complete subtrees are stored (its size: how many leaves)."""
    cur.execute(f"SELECT frontier FROM integrity_tracking WHERE name = '{NODES}'" + lock)
    row = cur.fetchone()
    return MerkleAccumulator.resume(orjson.loads(row[0])) if row else MerkleAccumulator()


def write_nodes(cur: Cursor, acc: MerkleAccumulator, nodes: list[tuple[int, int, bytes]], now: str) -> None:
    """Store the complete subtrees formed (those at STORED_LEVEL and up) and how far they go, in one transaction."""
    cur.insert_rows("integrity_nodes", ("level", "idx", "hash"), [n for n in nodes if n[0] >= STORED_LEVEL])
    cur.execute(f"UPDATE integrity_tracking SET position = ?, size = ?, frontier = ?, updated_at = ? WHERE name = '{NODES}'",
                (acc.size, acc.size, orjson.dumps(acc.state()).decode(), now))


def chain_hashes(cur: Cursor, first: int, limit: int = BATCH) -> list[bytes]:
    """Chain hashes from ordinal `first` on, stopping before any gap in the ordinals."""
    cur.execute(f"SELECT ordinal, hash FROM integrity_chain WHERE ordinal >= ? ORDER BY ordinal LIMIT {int(limit)}", (first,))
    found: list[bytes] = []
    for ordinal, h in cur.fetchall():
        if int(ordinal) != first + len(found):
            break
        found.append(bytes(h))
    return found


def stored_nodes(cur: Cursor, nodes: Sequence[tuple[int, int]], dialect: str = "") -> dict[tuple[int, int], bytes]:
    """Stored subtree hashes by (level, index), read a level at a time."""
    by_level: dict[int, list[int]] = {}
    for level, index in set(nodes):
        by_level.setdefault(level, []).append(index)
    found: dict[tuple[int, int], bytes] = {}
    for level, indexes in sorted(by_level.items()):
        for where, params in in_list(dialect, "idx", sorted(indexes)):
            cur.execute(f"SELECT idx, hash FROM integrity_nodes WHERE level = ? AND {where}", [level, *params])
            found.update({(level, int(i)): bytes(h) for i, h in cur.fetchall()})
    return found


def write_tracking(cur: Cursor, t: Tracking, now: str) -> None:
    cur.execute("UPDATE integrity_tracking SET position = ?, size = ?, head = ?, frontier = ?, updated_at = ? "
                "WHERE name = 'chain'", (t.position, t.size, t.head.hex(), orjson.dumps(t.frontier.state()).decode(), now))


def chain_rows(cur: Cursor, after: int, limit: int = BATCH) -> list[tuple[int, int, bytes]]:
    """(position, ordinal, hash) of chained positions after `after`, in order."""
    cur.execute(f"SELECT position, ordinal, hash FROM integrity_chain WHERE position > ? ORDER BY position LIMIT {int(limit)}",
                (after,))
    return [(int(p), int(o), bytes(h)) for p, o, h in cur.fetchall()]


def in_list(dialect: str, column: str, values: Sequence[Any], chunk: int = 500) -> list[tuple[str, list[Any]]]:
    """`column` among `values` as (SQL, parameters) pieces: one `= ANY(array)` on PostgreSQL (one statement
    however many values), bounded IN lists elsewhere; nothing for no values."""
    values = list(values)
    if not values:
        return []
    if dialect == "postgresql":
        return [(f"{column} = ANY(?)", [values])]
    return [(f"{column} IN ({', '.join('?' for _ in values[i:i + chunk])})", values[i:i + chunk])
            for i in range(0, len(values), chunk)]


def chain_at(cur: Cursor, column: str, values: Sequence[int], dialect: str = "") -> dict[int, tuple[int, int, bytes]]:
    """Chain rows by `position` or by `ordinal`, keyed by that column."""
    found = []
    for where, params in in_list(dialect, column, values):
        cur.execute(f"SELECT position, ordinal, hash FROM integrity_chain WHERE {where}", params)
        found += [(int(p), int(o), bytes(h)) for p, o, h in cur.fetchall()]
    return {(row[0] if column == "position" else row[1]): row for row in found}


def leaf_hashes(cur: Cursor, size: int) -> list[bytes]:
    """The first `size` chain hashes in leaf order: the leaves of a checkpoint's tree."""
    leaves: list[bytes] = []
    while len(leaves) < size:
        cur.execute(f"SELECT hash FROM integrity_chain WHERE ordinal >= ? AND ordinal < ? ORDER BY ordinal LIMIT {BATCH * 10}",
                    (len(leaves), size))
        page = [bytes(h) for (h,) in cur.fetchall()]
        if not page:
            break
        leaves += page
    return leaves


def checkpoint_rows(cur: Cursor, where: str = "", params: Sequence[Any] = (), order: str = "position DESC",
                    limit: int | None = None) -> list[dict[str, Any]]:
    sql = f"SELECT {', '.join(CHECKPOINT_COLUMNS)} FROM integrity_checkpoints" + (f" WHERE {where}" if where else "")
    cur.execute(sql + f" ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit else ""), list(params))
    return [dict(zip(CHECKPOINT_COLUMNS, row, strict=True)) for row in cur.fetchall()]
