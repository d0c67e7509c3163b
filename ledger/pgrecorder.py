"""The PostgreSQL event recorder with bounded retries, so an unreachable database is a quick 503, not a hang;
and a COPY path for bulk imports."""

from __future__ import annotations

from typing import Any, Sequence
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

ATTEMPTS = 2  # the library makes 10, each waiting the pool timeout: 10 x 5 s kept a request 52 s on a dead database
WAIT_S = 0.2
RECONNECT_S = 5.0  # psycopg_pool's default (300 s) backs a lost connection off for minutes after the database is back


def _bounded(method: Any) -> Any:
    """The library's undecorated method, retried `ATTEMPTS` times on connection errors only."""
    return retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT_S)(method.__wrapped__)


class BoundedRetryRecorder(PostgresApplicationRecorder):
    """The library's recorder, unchanged but for how long it keeps retrying a database that is down.

    Retrying a save stays safe: a save whose commit reached the database before the connection broke
    fails its retry on the unique (stream, version) index, and `ServiceBase.commit` then replays it.
    """

    insert_events = _bounded(PostgresApplicationRecorder.insert_events)
    select_events = _bounded(PostgresAggregateRecorder.select_events)
    select_notifications = _bounded(PostgresApplicationRecorder.select_notifications)
    max_notification_id = _bounded(PostgresApplicationRecorder.max_notification_id)

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        # A connection slot that cannot reconnect is given up after a few seconds, so the pool grows
        # again on demand as soon as the database is back instead of sleeping in exponential backoff.
        datastore.pool.reconnect_timeout = RECONNECT_S
        self.copy_events_statement = SQL(
            "COPY {0}.{1} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name))

    def _copy_rows(self, rows: Sequence[tuple[UUID | str, int, str, bytes]]) -> None:
        """Insert many events with COPY (an import's batch), each given as a StoredEvent's four fields (stream,
        version, topic, state): what the library's `insert_events` does with an INSERT, same guarantees.

        The same `LOCK TABLE ... IN EXCLUSIVE MODE` (with its lock timeout) and NOTIFY as `insert_events`, in the
        same transaction, come first: every other writer waits for the lock before taking a position, so the
        rows get consecutive positions from the column's own sequence, in the order given, and commit before
        anyone else's; readers tailing the log never pass a gap that fills later. A (stream, version) that
        exists already fails the whole COPY on the primary key, raised as the library's IntegrityError (the
        datastore translates psycopg's errors), exactly like a conflicting INSERT.
        """
        if not rows:
            return
        as_text = self.datastore.originator_id_type == "text"
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            with curs.copy(self.copy_events_statement) as copy:
                copy.set_types([self.datastore.originator_id_type, "int8", "text", "bytea"])
                if as_text:
                    rows = [(str(stream), version, topic, state) for stream, version, topic, state in rows]
                for row in rows:
                    copy.write_row(row)

    insert_rows_in_bulk = retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT_S)(_copy_rows)
