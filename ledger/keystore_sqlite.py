"""The key table in the ledger's SQLite file, on its own connection (WAL, secure delete)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any
from uuid import UUID

from ledger.keystore import TABLE, KeyStore, KeyStoreError


class SQLiteKeyStore(KeyStore):
    """The key table in the ledger's SQLite file, on its own connection (WAL, secure delete)."""

    def __init__(self, path: str, master_key: bytes, *, create_table: bool, lock_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(master_key, **kwargs)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, timeout=lock_timeout_s, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA secure_delete=ON")  # freed key bytes are overwritten with zeros
        if create_table:
            self._db.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (subject_id TEXT PRIMARY KEY, wrapped_key BLOB, "
                             "created_at TEXT NOT NULL, erased_at TEXT)")

    def _run(self, sql: str, *params: Any) -> tuple[list[Any], int]:
        """Rows and row count of one statement (autocommit), on the shared connection."""
        try:
            with self._lock:
                cursor = self._db.execute(sql, params)
                return cursor.fetchall(), cursor.rowcount
        except sqlite3.OperationalError as error:
            hint = "; run `ledger db init`" if "no such table" in str(error) else ""
            raise KeyStoreError(f"the key table is not usable ({error}){hint}") from None

    def _insert_if_absent(self, subject: UUID, wrapped: bytes) -> None:
        self._run(f"INSERT INTO {TABLE} (subject_id, wrapped_key, created_at) VALUES (?, ?, datetime('now')) "
                  "ON CONFLICT (subject_id) DO NOTHING", subject.hex, wrapped)

    def _select(self, subject: UUID) -> tuple[bytes | None, bool] | None:
        rows, _ = self._run(f"SELECT wrapped_key, erased_at FROM {TABLE} WHERE subject_id = ?", subject.hex)
        return None if not rows else (rows[0][0], rows[0][1] is not None)

    def _destroy(self, subject: UUID) -> bool:
        _, updated = self._run(f"UPDATE {TABLE} SET wrapped_key = NULL, erased_at = datetime('now') "
                               "WHERE subject_id = ? AND erased_at IS NULL", subject.hex)
        _, inserted = self._run(f"INSERT INTO {TABLE} (subject_id, wrapped_key, created_at, erased_at) VALUES "
                                "(?, NULL, datetime('now'), datetime('now')) ON CONFLICT (subject_id) DO NOTHING",
                                subject.hex)
        # Older page images in the write-ahead log still hold the wrapped key: fold them back and truncate it.
        # Best effort: a long reader may hold the log; the next erasure (or SQLite's own checkpoint) folds it.
        try:
            self._run("PRAGMA wal_checkpoint(TRUNCATE)")
        except KeyStoreError:
            pass
        return updated + inserted > 0

    def _any_wrapped(self) -> tuple[UUID, bytes] | None:
        return sample(self._db, self._lock)

    def close(self) -> None:
        super().close()
        with self._lock:
            self._db.close()


def sample(db: sqlite3.Connection, lock: threading.Lock) -> tuple[UUID, bytes] | None:
    """Some live wrapped key, or None (also when the key table does not exist yet)."""
    try:
        with lock:
            row = db.execute(f"SELECT subject_id, wrapped_key FROM {TABLE} WHERE wrapped_key IS NOT NULL LIMIT 1").fetchone()
    except sqlite3.OperationalError:  # no key table yet
        return None
    return None if row is None else (UUID(row[0]), row[1])


def has_wrapped_keys(database: Path) -> bool:
    """Whether an existing SQLite file already holds live keys (read-only look, before any key is made)."""
    db = sqlite3.connect(database.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return sample(db, threading.Lock()) is not None
    finally:
        db.close()
