"""The read side's own connections to the ledger's database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator, Protocol, Sequence

from ledger.settings import Settings

CLOSE_SQL = ("UPDATE projection_rows SET valid_to = ? WHERE projection = ? AND kind = ? AND part = ? AND key = ? "
             "AND valid_to IS NULL")


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any: ...
    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None: ...
    def close_versions(self, projection: str, closing: Sequence[tuple[int, str, str, str]]) -> None: ...
    def fetchall(self) -> list[Any]: ...
    def fetchone(self) -> Any: ...
    @property
    def rowcount(self) -> int: ...


class Database:
    """Transactions with `?` placeholders on either engine; read models live beside the events."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dialect = settings.backend
        self._pool: Any = None
        self._lock = threading.Lock()

    def _postgres(self) -> Any:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    from psycopg_pool import ConnectionPool

                    # Bounded waits and a check of each connection handed out: with the database
                    # down a read is a quick 503, and after a restart no stale connection is used.
                    self._pool = ConnectionPool(self.settings.database_url, min_size=1,
                                                max_size=max(2, self.settings.pool_size), open=True,
                                                kwargs={"autocommit": False, "connect_timeout": 5},
                                                timeout=5, reconnect_timeout=5,
                                                check=ConnectionPool.check_connection)
        return self._pool

    @contextmanager
    def transaction(self, *, write: bool = True, derived: bool = False) -> Iterator[Cursor]:
        """One transaction; committed when the block ends normally, rolled back otherwise. `derived`: it writes
        only rows refolded from the ledger together with their tracking position, so its commit need not wait
        for the disk (PostgreSQL's synchronous_commit off): a crash loses whole batches, folded again."""
        if self.dialect == "postgresql":
            with self._postgres().connection() as conn:
                with conn.transaction():
                    cursor = conn.cursor()
                    if derived:
                        cursor.execute("SET LOCAL synchronous_commit TO OFF")
                    yield _PgCursor(cursor)
            return
        conn = sqlite3.connect(self.settings.db_path, timeout=max(1, self.settings.lock_timeout_s),
                               isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            # Read models are derived data, written with their tracking position in one transaction: in WAL
            # mode NORMAL keeps them consistent after a crash (a power cut may only lose the last commits,
            # which the runner folds again), and spares an fsync per batch.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA cache_size=-65536")
            _begin(conn, "BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield _SqliteCursor(conn.cursor())
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    @property
    def for_update(self) -> str:
        """Row lock for read-modify-write (SQLite's BEGIN IMMEDIATE already serialises writers)."""
        return " FOR UPDATE" if self.dialect == "postgresql" else ""

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def _begin(conn: sqlite3.Connection, statement: str, attempts: int = 4) -> None:
    """Start a transaction, waiting out SQLite's single writer: nothing has happened yet, so a `database is
    locked` after the lock timeout is simply tried again, a few times, before it is reported."""
    for attempt in range(1, attempts + 1):
        try:
            conn.execute(statement)
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == attempts:
                raise
            time.sleep(0.1 * attempt)


class _SqliteCursor:
    """sqlite3's cursor plus the bulk insert both engines offer."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._cursor.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any:
        return self._cursor.executemany(sql, rows)

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            marks = ", ".join("?" for _ in columns)
            self._cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def close_versions(self, projection: str, closing: Sequence[tuple[int, str, str, str]]) -> None:
        """End the current version of each (valid_to, kind, part, key) state."""
        if closing:
            self._cursor.executemany(CLOSE_SQL, [(until, projection, kind, part, key)
                                                 for until, kind, part, key in closing])

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount


class _PgCursor:
    """psycopg cursor speaking `?` placeholders, so that SQL is written once for both engines."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._cursor.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any:
        return self._cursor.executemany(sql.replace("?", "%s"), rows)

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """COPY: the database's own bulk path, many times faster than row-by-row INSERTs."""
        if rows:
            with self._cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def close_versions(self, projection: str, closing: Sequence[tuple[int, str, str, str]]) -> None:
        """One set-based UPDATE for the whole batch (the unique partial index finds each current row), not one
        statement per state."""
        if closing:
            untils, kinds, parts, keys = (list(column) for column in zip(*closing, strict=True))
            self._cursor.execute(
                "UPDATE projection_rows AS r SET valid_to = c.until "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS c(until, kind, part, key) "
                "WHERE r.projection = %s AND r.kind = c.kind AND r.part = c.part AND r.key = c.key "
                "AND r.valid_to IS NULL", (untils, kinds, parts, keys, projection))

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall())

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)
