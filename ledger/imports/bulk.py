"""One batch of an import into the store, by the store's fastest path that keeps the library's guarantees."""

from __future__ import annotations

from typing import Any, Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

Row = tuple[UUID, int, str, bytes]  # a StoredEvent's fields: stream, version, topic, state


def insert_rows(recorder: Any, rows: Sequence[Row]) -> None:
    """All the rows in one transaction, in order, or none (IntegrityError on a taken stream version).

    PostgreSQL: COPY under the library's table lock (ledger/pgrecorder.py). SQLite: the library's own statement
    and transaction, with one `executemany` instead of a Python loop of `execute` (positions are rowids,
    assigned in order; SQLite has one writer at a time anyway). Elsewhere: the library's `insert_events`.
    """
    bulk = getattr(recorder, "insert_rows_in_bulk", None)
    if bulk is not None:
        bulk(rows)
    elif type(recorder) is SQLiteApplicationRecorder:
        with recorder.datastore.transaction(commit=True) as cursor:
            cursor.executemany(recorder.insert_events_statement,
                               [(stream.hex, version, topic, state) for stream, version, topic, state in rows])
    else:
        recorder.insert_events([StoredEvent(originator_id=stream, originator_version=version, topic=topic, state=state)
                                for stream, version, topic, state in rows])
