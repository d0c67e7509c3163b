"""Rebuilding several projections in one pass over the ledger: each event read and decoded once.

Every projection keeps its own rows and tracking position; a batch of events is folded into each projection
that reads its type, and all their rows and positions commit in one transaction, so a rebuild killed
half-way leaves every projection at one consistent position, from which an ordinary catch-up resumes.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from datetime import datetime, timezone
from typing import Callable

from projections.memory import release_freed_memory
from projections.runner import CACHE, CatchUp, Runner
from projections.store import Known, StoredView, advance, ensure_tracked, reset, tracked_position, write_changes


def rebuild_together(runners: list[Runner], progress: Callable[[int], None] | None = None) -> dict[str, CatchUp]:
    """Forget every given projection and fold the whole ledger into all of them at once. A projection that
    another process moves on meanwhile (a server catching up between two batches) folded from where this pass
    had committed, so it leaves the pass and is caught up on its own at the end."""
    if not runners:
        return {}
    db, app = runners[0].db, runners[0].app
    started = time.perf_counter()
    folded = {runner.name: 0 for runner in runners}
    active = list(runners)
    with ExitStack() as locks:
        for runner in runners:
            locks.enter_context(runner._lock)
        now = datetime.now(timezone.utc).isoformat()
        with db.transaction() as cur:
            for runner in runners:
                ensure_tracked(cur, runner.name, now)
                tracked_position(cur, runner.name, db.for_update)
                reset(cur, runner.name, now)
                runner._known, runner._known_at = Known(complete=True), 0
        head = app.recorder.max_notification_id() or 0
        position, batch = 0, max(runner.batch for runner in runners)
        while position < head and active:
            position, active = _batch(active, position, head, batch, folded, progress)
    for runner in runners:
        if runner not in active:  # moved on by someone else: finish it alone
            folded[runner.name] += runner.catch_up(until=head).events
    seconds = time.perf_counter() - started
    return {runner.name: CatchUp(folded[runner.name], runner.position(), seconds) for runner in runners}


def _batch(runners: list[Runner], start: int, head: int, batch: int, folded: dict[str, int],
           progress: Callable[[int], None] | None) -> tuple[int, list[Runner]]:
    db, app = runners[0].db, runners[0].app
    now = datetime.now(timezone.utc).isoformat()
    with db.transaction(derived=True) as cur:
        active = []
        for runner in runners:
            ensure_tracked(cur, runner.name, now)
            if tracked_position(cur, runner.name, db.for_update) == start:
                active.append(runner)
        if not active:
            return start, active
        wanted = {runner.name: set(runner.projection.topics) for runner in active}
        every = sorted(set().union(*wanted.values())) if all(wanted.values()) else []
        notifications = app.recorder.select_notifications(start=start + 1, limit=batch, stop=head, topics=every)
        for runner in active:
            runner._known.trim(CACHE)
        views = {runner.name: StoredView(cur, runner.name, runner._known) for runner in active}
        counts = dict.fromkeys(wanted, 0)
        for notification in notifications:
            event = None
            for runner in active:
                topics = wanted[runner.name]
                if topics and notification.topic not in topics:
                    continue
                if event is None:
                    event = app.mapper.to_domain_event(notification)
                view = views[runner.name]
                view.position = notification.id
                runner.projection.fold(view, notification.id, event)
                counts[runner.name] += 1
        end = notifications[-1].id if len(notifications) == batch else head
        for runner in active:
            write_changes(cur, runner.name, views[runner.name].changes, views[runner.name])
            if not advance(cur, runner.name, start, end, now):  # cannot happen under the row lock; stop loudly
                raise RuntimeError(f"projection {runner.name} moved under its lock during a rebuild")
    for runner in active:
        runner._known_at = end
        folded[runner.name] += counts[runner.name]
    release_freed_memory()
    if progress:
        progress(sum(counts.values()))
    return end, active
