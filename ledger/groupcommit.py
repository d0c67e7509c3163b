"""Group commit: saves that arrive while another is being written are written together, in one transaction.

Every save on PostgreSQL takes the events table's exclusive lock (so tailing readers never skip an event) and,
on a durable server, waits for its commit to reach the disk while holding it: one save at a time, one fsync
each. Here the first waiting save writes, in one INSERT, everything queued behind the save in flight: one lock,
one NOTIFY, one fsync for the group. No save ever waits for company: an idle ledger writes each save at once.

Each save keeps its own outcome exactly. A group that the database refuses is written again save by save, in
arrival order, so a conflicting save (a stream version taken, an Idempotency-Key already recorded) fails alone
with the same IntegrityError it would have had, and the others are written as if they had come one by one.
Only a lost connection, which is no save's fault, fails the whole group (each save gets its own copy of the
error; the recorder has already retried). A failed group burns positions, as every conflict does.
"""

from __future__ import annotations

import threading
from typing import Callable, Sequence

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent

Insert = Callable[[Sequence[StoredEvent]], "Sequence[int] | None"]
MAX_GROUP_EVENTS = 1000  # bounds one transaction; the rest wait for the next group


class _Save:
    __slots__ = ("events", "ids", "error", "written", "done")

    def __init__(self, events: Sequence[StoredEvent]) -> None:
        self.events = events
        self.ids: Sequence[int] | None = None
        self.error: BaseException | None = None
        self.written = False
        self.done = False


class GroupCommitter:
    """Writes concurrent saves with `insert` (the recorder's insert_events), grouped while one is in flight."""

    def __init__(self, insert: Insert) -> None:
        self._insert = insert
        self._ready = threading.Condition()
        self._queue: list[_Save] = []
        self._writing = False
        self.groups = 0  # transactions written, and saves in them: saves / groups is the grouping achieved
        self.saves = 0

    def insert(self, events: Sequence[StoredEvent]) -> Sequence[int] | None:
        """The notification ids of `events`, in order, once they are committed; raises what their own insert
        would have raised."""
        save = _Save(events)
        with self._ready:
            self._queue.append(save)
        while True:
            with self._ready:
                while self._writing and not save.done:
                    self._ready.wait()
                if save.done:
                    break
                self._writing = True  # nobody is writing: this thread writes what is queued, oldest first
                group = self._take()
            try:
                self._write(group)
            finally:
                with self._ready:
                    self._writing = False
                    self._ready.notify_all()
        if save.error is not None:
            raise save.error
        return save.ids

    def _take(self) -> list[_Save]:
        group: list[_Save] = []
        count = 0
        while self._queue and (not group or count + len(self._queue[0].events) <= MAX_GROUP_EVENTS):
            save = self._queue.pop(0)
            group.append(save)
            count += len(save.events)
        return group

    def write_together(self, saves: Sequence[Sequence[StoredEvent]]) -> list[Sequence[int] | None | BaseException]:
        """Write the given saves as one group now: each one's ids, or the error its own insert raised."""
        group = [_Save(events) for events in saves]
        self._write(group)
        return [save.error if save.error is not None else save.ids for save in group]

    def _write(self, group: list[_Save]) -> None:
        self.groups, self.saves = self.groups + 1, self.saves + len(group)
        try:
            if len(group) == 1:
                self._write_alone(group[0])
                return
            try:
                ids = self._insert([event for save in group for event in save.events])
            except (InterfaceError, OperationalError) as error:
                for save in group:
                    save.error = type(error)(*error.args)
            except Exception:
                for save in group:  # somebody's save was refused: find whose, as if they had come one by one
                    self._write_alone(save)
            else:
                start = 0
                for save in group:
                    save.ids = list(ids[start:start + len(save.events)]) if ids else ids
                    save.written, start = True, start + len(save.events)
        finally:
            for save in group:
                if not save.written and save.error is None:  # the writer itself was interrupted
                    save.error = OperationalError("the group commit was interrupted; the save may not be written")
                save.done = True

    def _write_alone(self, save: _Save) -> None:
        try:
            save.ids, save.written = self._insert(save.events), True
        except BaseException as error:  # noqa: BLE001 - handed to the thread whose save it was
            save.error = error
