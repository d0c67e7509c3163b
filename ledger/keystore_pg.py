"""The key table in the ledger's PostgreSQL database, on a small pool of its own."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg
from psycopg_pool import ConnectionPool

from ledger.keystore import TABLE, KeyStore, KeyStoreError, KeyStoreUnavailable

_CREATE = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    subject_id uuid PRIMARY KEY,
    wrapped_key bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    erased_at timestamptz
)"""


class PostgresKeyStore(KeyStore):
    """Wrapped keys in `ledger_subject_keys`; two connections at most, autocommit, short lock timeout."""

    def __init__(self, url: str, master_key: bytes, *, create_table: bool, lock_timeout_s: int, **kwargs: Any) -> None:
        super().__init__(master_key, **kwargs)
        options = f"-c lock_timeout={int(lock_timeout_s * 1000)} -c statement_timeout={int(lock_timeout_s * 2000)}"
        # reconnect_timeout: a lost connection is replaced within seconds of the database coming back.
        self._pool = ConnectionPool(url, min_size=1, max_size=2, open=True, timeout=max(lock_timeout_s, 1),
                                    reconnect_timeout=5,
                                    kwargs={"autocommit": True, "connect_timeout": 5, "options": options},
                                    check=ConnectionPool.check_connection, name="ledger-keys")
        if create_table:
            # Several processes starting at once must not race on the catalog ("tuple concurrently updated").
            with self._pool.connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (TABLE,))
                conn.execute(_CREATE)

    def _run(self, sql: str, *params: Any) -> tuple[list[Any], int]:
        try:
            with self._pool.connection() as conn:
                cursor = conn.execute(sql, params)
                return (cursor.fetchall() if cursor.description else []), cursor.rowcount
        except psycopg.errors.UndefinedTable:
            raise KeyStoreError("the key table does not exist; run `ledger db init`") from None
        except psycopg.OperationalError as error:
            raise KeyStoreUnavailable(f"the key table cannot be reached ({type(error).__name__})") from None

    def _insert_if_absent(self, subject: UUID, wrapped: bytes) -> None:
        self._run(f"INSERT INTO {TABLE} (subject_id, wrapped_key) VALUES (%s, %s) ON CONFLICT (subject_id) DO NOTHING",
                  subject, wrapped)

    def _select(self, subject: UUID) -> tuple[bytes | None, bool] | None:
        rows, _ = self._run(f"SELECT wrapped_key, erased_at FROM {TABLE} WHERE subject_id = %s", subject)
        return None if not rows else (None if rows[0][0] is None else bytes(rows[0][0]), rows[0][1] is not None)

    def _destroy(self, subject: UUID) -> bool:
        _, updated = self._run(f"UPDATE {TABLE} SET wrapped_key = NULL, erased_at = now() "
                               "WHERE subject_id = %s AND erased_at IS NULL", subject)
        _, inserted = self._run(f"INSERT INTO {TABLE} (subject_id, wrapped_key, erased_at) VALUES (%s, NULL, now()) "
                                "ON CONFLICT (subject_id) DO NOTHING", subject)
        return updated + inserted > 0

    def _any_wrapped(self) -> tuple[UUID, bytes] | None:
        try:
            rows, _ = self._run(f"SELECT subject_id, wrapped_key FROM {TABLE} WHERE wrapped_key IS NOT NULL LIMIT 1")
        except KeyStoreError:  # no key table yet
            return None
        return None if not rows else (rows[0][0], bytes(rows[0][1]))

    def close(self) -> None:
        super().close()
        self._pool.close()
