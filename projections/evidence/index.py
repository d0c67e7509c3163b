"""The evidence index: a follower that records, for every stored event, its topic and every id it mentions.

A bundle needs a few thousand events of a ledger of millions. Without an index, collecting them means
decoding the whole log (docs/evidence.md, "Speed"). The index keeps two plain tables, filled from the
stored rows in position order by this follower (its own tracking row, one transaction per batch, like
the integrity sealer):

- `evidence_events (position, topic)`: every stored event's topic, to read small kinds (reps' moves,
  rules, published scorecards) without scanning the log;
- `evidence_mentions (subject, position)`: the event's stream id and every UUID its stored state holds
  (as 32 lowercase hex digits), typed or in text. A superset of what any reader asks about: an event is
  found through its stream, its rep, its customer, its deal, a rep in its ranking, ...

The index is derived data: rebuilding it from zero gives the same rows. Bundles built through it are
compared with the full scan (`collect.collect`) in the tests.

Its lookups are index-only scans on PostgreSQL, planned from the tables' statistics, which read a table page
only where the visibility map does not yet say "all visible"; ANALYZE and VACUUM keep those. After a catch-up
of many events (an import, a first start) the follower runs both itself instead of waiting for autovacuum
(`integrity_store.maintain`): in a freshly filled index every index-only lookup visited the table too.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from eventsourcing.application import Application

from projections.db import Database
from projections.integrity_store import MAINTAIN_AFTER, EventTable, Row, in_list, maintain

BATCH = 5000
_UUID = re.compile(rb"(?<![0-9a-fA-F])[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
                   rb"(?![0-9a-fA-F])")


def schema(dialect: str) -> list[str]:
    key = "BIGINT PRIMARY KEY" if dialect == "postgresql" else "INTEGER PRIMARY KEY"
    return [
        "CREATE TABLE IF NOT EXISTS evidence_index_tracking (name TEXT PRIMARY KEY, position BIGINT NOT NULL, "
        "updated_at TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS evidence_events (position {key}, topic TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS evidence_events_topic ON evidence_events (topic, position)",
        "CREATE TABLE IF NOT EXISTS evidence_mentions (subject TEXT NOT NULL, position BIGINT NOT NULL, "
        "PRIMARY KEY (subject, position))",
    ]


def subject(value: Any) -> str:
    """The index's form of an id: 32 lowercase hex digits."""
    return str(value).replace("-", "").lower()


def mentions(row: Row) -> set[str]:
    """Its stream and every UUID-shaped value in the stored state (typed `uuid_hex` or canonical text)."""
    found = {m.decode("ascii").replace("-", "").lower() for m in _UUID.findall(row.state)}
    found.add(subject(row.stream_id))
    return found


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class EvidenceIndex:
    """Follows the event store and answers "which positions mention these ids / have these topics"."""

    def __init__(self, app: Application[Any], db: Database, *, create: bool = True, batch: int = BATCH,
                 vacuum_after: int = MAINTAIN_AFTER) -> None:
        self.db, self.batch, self.vacuum_after = db, batch, vacuum_after
        self.events = EventTable(app, db.dialect)
        self._lock = threading.Lock()
        self._unvacuumed = 0
        if create:
            with db.transaction() as cur:
                for statement in schema(db.dialect):
                    cur.execute(statement)

    def position(self) -> int:
        with self.db.transaction(write=False) as cur:
            cur.execute("SELECT position FROM evidence_index_tracking WHERE name = 'index'")
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def catch_up(self) -> int:
        """Index every stored event after the tracked position, a batch per transaction; the last position."""
        with self._lock:
            with self.db.transaction() as cur:
                cur.execute("INSERT INTO evidence_index_tracking (name, position, updated_at) VALUES ('index', 0, ?) "
                            "ON CONFLICT (name) DO NOTHING", (_now(),))
            while True:
                position, count = self._batch()
                self._unvacuumed += count
                if count < self.batch:
                    break
            if self._unvacuumed >= self.vacuum_after and self.db.dialect == "postgresql" \
                    and maintain(self.db, "VACUUM (ANALYZE) evidence_events, evidence_mentions"):
                self._unvacuumed = 0
            return position

    def _batch(self) -> tuple[int, int]:
        with self.db.transaction() as cur:
            # the row lock makes a racing follower wait, then start where this one ended
            cur.execute("SELECT position FROM evidence_index_tracking WHERE name = 'index'" + self.db.for_update)
            position = int(cur.fetchone()[0])
            rows = self.events.after(cur, position, self.batch)
            if rows:
                cur.insert_rows("evidence_events", ("position", "topic"), [(r.position, r.topic) for r in rows])
                cur.insert_rows("evidence_mentions", ("subject", "position"),
                                [(s, r.position) for r in rows for s in sorted(mentions(r))])
                position = rows[-1].position
                cur.execute("UPDATE evidence_index_tracking SET position = ?, updated_at = ? WHERE name = 'index'",
                            (position, _now()))
            return position, len(rows)

    # -- lookups (the caller catches up first) ----------------------------------------------------------------

    def with_topics(self, topics: Iterable[str], until: int) -> set[int]:
        """Positions up to `until` of events with these topics."""
        found: set[int] = set()
        with self.db.transaction(write=False) as cur:
            for where, params in in_list(self.db.dialect, "topic", sorted(set(topics))):
                cur.execute(f"SELECT position FROM evidence_events WHERE {where} AND position <= ?", [*params, until])
                found.update(int(p) for (p,) in cur.fetchall())
        return found

    def mentioning(self, subjects: Iterable[Any], until: int, topics: Sequence[str] = ()) -> set[int]:
        """Positions up to `until` of events that mention any of these ids (optionally only with these topics)."""
        found: set[int] = set()
        with self.db.transaction(write=False) as cur:
            for where, params in in_list(self.db.dialect, "m.subject", sorted({subject(s) for s in subjects})):
                if topics:  # CROSS JOIN: SQLite keeps the mentions as the outer loop (PostgreSQL plans it freely)
                    [(of_topic, names)] = in_list(self.db.dialect, "e.topic", sorted(set(topics)), chunk=len(topics))
                    cur.execute("SELECT m.position FROM evidence_mentions m CROSS JOIN evidence_events e "
                                f"WHERE {where} AND m.position <= ? AND e.position = m.position AND {of_topic}",
                                [*params, until, *names])
                else:
                    cur.execute(f"SELECT m.position FROM evidence_mentions m WHERE {where} AND m.position <= ?",
                                [*params, until])
                found.update(int(p) for (p,) in cur.fetchall())
        return found

    def rows(self, positions: Iterable[int]) -> list[Row]:
        """The stored rows at these positions, in position order."""
        with self.db.transaction(write=False) as cur:
            return self.events.at(cur, sorted(set(positions)))
