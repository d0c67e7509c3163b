"""The PostgreSQL event recorder with bounded retries, so an unreachable database is a quick 503, not a hang."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry

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
