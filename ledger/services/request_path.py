"""The request path's event store: the streams a command checks read in one round trip, saves group-committed."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Sequence
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import EventStore, InterfaceError, Notification, OperationalError, Recording, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from ledger.groupcommit import GroupCommitter
from ledger.pgrecorder import ATTEMPTS, WAIT_S
from ledger.services.base import ServiceBase


class RequestEventStore(EventStore[UUID]):
    """The library's event store, but a whole-stream read of a prefetched id is answered from the rows read
    beforehand, once (a second read of the same id goes to the database again), and saves are written by a
    GroupCommitter (ledger/groupcommit.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._local = threading.local()  # per request thread: waitress serves one request per thread
        self.committer = GroupCommitter(self.recorder.insert_events)

    def hold(self, streams: dict[UUID, list[StoredEvent]]) -> None:
        self._local.streams = streams

    def forget(self) -> None:
        self._local.streams = None

    def get(self, originator_id: UUID, *, gt: int | None = None, lte: int | None = None, desc: bool = False,
            limit: int | None = None) -> Iterator[DomainEventProtocol[UUID]]:
        streams: dict[UUID, list[StoredEvent]] | None = getattr(self._local, "streams", None)
        if streams and gt is None and lte is None and not desc and limit is None:
            stored = streams.pop(originator_id, None)
            if stored is not None:
                return map(self.mapper.to_domain_event, stored)
        return super().get(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)

    def put(self, domain_events: Sequence[Any], **kwargs: Any) -> list[Recording[UUID]]:
        if kwargs.get("tracking") is not None or set(kwargs) - {"tracking"}:
            return super().put(domain_events, **kwargs)  # a process application's tracked save: as the library
        stored = [self.mapper.to_stored_event(event) for event in domain_events]
        ids = self.committer.insert(stored) if stored else None
        if not ids:
            return []
        return [Recording(event, Notification(originator_id=s.originator_id, originator_version=s.originator_version,
                                              topic=s.topic, state=s.state, id=position))
                for event, s, position in zip(domain_events, stored, ids, strict=True)]


class RequestPathService(ServiceBase):
    """`with app.prefetched(a, b, c):` reads the streams a, b and c with one SELECT; loads inside the block
    use those rows. Any save clears them, so nothing read after a write (a conflict's replay) is stale.
    PostgreSQL only: on the embedded SQLite a query costs no network round trip, so reads go as before."""

    def construct_event_store(self) -> EventStore[UUID]:
        return RequestEventStore(mapper=self.mapper, recorder=self.recorder)

    @contextmanager
    def prefetched(self, *ids: UUID) -> Iterator[None]:
        store = self.events
        if not isinstance(store, RequestEventStore) or not isinstance(self.recorder, PostgresAggregateRecorder):
            yield
            return
        store.hold(_select_streams(self.recorder, ids))
        try:
            yield
        finally:
            store.forget()

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        if isinstance(self.events, RequestEventStore):
            self.events.forget()
        return super().save(*objs, **kwargs)


@retry((InterfaceError, OperationalError), max_attempts=ATTEMPTS, wait=WAIT_S)
def _select_streams(recorder: PostgresAggregateRecorder, ids: Iterable[UUID]) -> dict[UUID, list[StoredEvent]]:
    """Every event of the given streams, in version order; an unknown id maps to no events."""
    wanted = list(dict.fromkeys(ids))
    statement = SQL("SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
                    "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version").format(
        schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name))
    streams: dict[UUID, list[StoredEvent]] = {stream: [] for stream in wanted}
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(statement, [wanted], prepare=True)
        for row in curs.fetchall():
            streams[row["originator_id"]].append(StoredEvent(
                originator_id=row["originator_id"], originator_version=row["originator_version"],
                topic=row["topic"], state=bytes(row["state"])))
    return streams
