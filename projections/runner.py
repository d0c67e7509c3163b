"""Runs a projection: catches it up from its tracked position in batches, or rebuilds it from zero."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from eventsourcing.application import Application

from projections.base import Projection
from projections.db import Database
from projections.memory import release_freed_memory
from projections.store import Known, StoredView, advance, ensure_tracked, reset, tracked_position, write_changes

BATCH = 1000
LOCKED_RETRIES = 10
CACHE = 25_000  # current states' texts a runner keeps between its own batches (see store.Known)


class TrackingConflict(Exception):
    """Another runner advanced the same projection first; this batch is rolled back and retried."""


@dataclass(frozen=True)
class CatchUp:
    events: int
    position: int
    seconds: float


class Runner:
    """One projection over one ledger. Batches are atomic: rows and tracking position commit together."""

    def __init__(self, app: Application[Any], db: Database, projection: Projection, batch: int = BATCH) -> None:
        self.app, self.db, self.projection, self.batch = app, db, projection, batch
        self._lock = threading.Lock()
        # Current states this runner wrote itself, valid while the tracked position is where it left it:
        # a rebuild then reads each state from the database once, not once per batch.
        self._known = Known()
        self._known_at = -1

    @property
    def name(self) -> str:
        return self.projection.name

    def position(self) -> int:
        with self.db.transaction(write=False) as cur:
            return tracked_position(cur, self.name)

    def lag(self) -> int:
        """Positions between the ledger's head and this projection (gaps included)."""
        return max(0, (self.app.recorder.max_notification_id() or 0) - self.position())

    def catch_up(self, *, until: int | None = None, progress: Callable[[int], None] | None = None) -> CatchUp:
        """Apply every event up to `until` (default: the head now); safe to run from many threads or processes."""
        started, applied = time.perf_counter(), 0
        with self._lock:
            head = until if until is not None else (self.app.recorder.max_notification_id() or 0)
            with self.db.transaction() as cur:
                ensure_tracked(cur, self.name, datetime.now(timezone.utc).isoformat())
            busy = 0
            while True:
                try:
                    done, count = self._batch(head)
                except TrackingConflict:
                    continue
                except sqlite3.OperationalError as error:
                    # SQLite has one writer at a time: under heavy write load a batch may wait longer than
                    # the lock timeout. The batch rolled back whole; try it again a few times, then give up.
                    busy += 1
                    if "locked" not in str(error) or busy > LOCKED_RETRIES:
                        raise
                    time.sleep(0.2 * busy)
                    continue
                busy = 0
                applied += count
                if progress and count:
                    progress(count)
                if done:
                    return CatchUp(applied, self.position(), time.perf_counter() - started)

    def _batch(self, head: int) -> tuple[bool, int]:
        topics = list(self.projection.topics)
        now = datetime.now(timezone.utc).isoformat()
        with self.db.transaction(derived=True) as cur:
            # A rebuild elsewhere may delete the tracking row at any moment: without a row locked, two runners
            # would fold the same events and write the same rows (a unique violation). So make it, lock it,
            # and if a rebuild deleted it while we waited for the lock, try again.
            ensure_tracked(cur, self.name, now)
            cur.execute("SELECT position FROM projection_tracking WHERE name = ?" + self.db.for_update, (self.name,))
            locked = cur.fetchone()
            if locked is None:
                raise TrackingConflict(self.name)
            start = int(locked[0])
            if start >= head:
                return True, 0
            if start != self._known_at:
                self._known = Known()  # someone else moved the projection: what we knew may be stale
            self._known.trim(CACHE)
            self._known_at = -1  # invalid until this batch commits
            notifications = self.app.recorder.select_notifications(
                start=start + 1, limit=self.batch, stop=head, topics=topics)
            view = StoredView(cur, self.name, self._known)
            for notification in notifications:
                view.position = notification.id
                self.projection.fold(view, notification.id, self.app.mapper.to_domain_event(notification))
            end = notifications[-1].id if len(notifications) == self.batch else head
            write_changes(cur, self.name, view.changes, view)
            if not advance(cur, self.name, start, end, now):
                raise TrackingConflict(self.name)
        self._known_at = end
        if len(notifications) >= 1000:
            release_freed_memory()  # a large batch (a rebuild, a long catch-up): give its garbage back
        return end >= head, len(notifications)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> CatchUp:
        """Forget everything and fold the whole ledger again. Killed half-way, a later catch-up resumes."""
        with self._lock:
            with self.db.transaction() as cur:
                # Wait for any batch in flight elsewhere (even one that made the tracking row itself): rows it
                # committed after the delete began would survive it, under a position of 0.
                now = datetime.now(timezone.utc).isoformat()
                ensure_tracked(cur, self.name, now)
                tracked_position(cur, self.name, self.db.for_update)
                reset(cur, self.name, now)
                self._known, self._known_at = Known(complete=True), 0
        return self.catch_up(progress=progress)
