"""What the database really holds, read around the application: raw files, raw rows, raw event bytes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from ledger.settings import Settings


def forms(plaintext: str) -> list[bytes]:
    """The ways a string could sit in storage: UTF-8, and JSON-escaped (\\uXXXX) when not ASCII."""
    escaped = json.dumps(plaintext)[1:-1].encode()
    return sorted({plaintext.encode(), escaped})


def leaked(haystack: bytes, *plaintexts: str) -> list[str]:
    return [text for text in plaintexts if any(form in haystack for form in forms(text))]


def database_bytes(settings: Settings) -> bytes:
    """SQLite: every file of the database (main file, WAL, and anything beside it with its name).
    PostgreSQL: every row of every user table, bytea columns as their raw bytes, others as text."""
    if not settings.database_url:
        path = Path(settings.db_path)
        return b"".join(f.read_bytes() for f in sorted(path.parent.glob(path.name + "*")) if f.is_file())
    chunks: list[bytes] = []
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        tables = conn.execute("SELECT schemaname, tablename FROM pg_tables "
                              "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')").fetchall()
        for schema, table in tables:
            query = sql.SQL("SELECT * FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
            for row in conn.execute(query):
                chunks += [_raw(value) for value in row]
            with conn.cursor().copy(sql.SQL("COPY (SELECT * FROM {}.{}) TO STDOUT").format(
                    sql.Identifier(schema), sql.Identifier(table))) as copy:
                chunks += [bytes(block) for block in copy]
    return b"\n".join(chunks)


def _raw(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return str(value).encode()


def stored_events(settings: Settings, table: str) -> dict[tuple[str, int], bytes]:
    """(originator_id, originator_version) -> the state bytes exactly as stored, read with plain SQL."""
    query = f"SELECT originator_id, originator_version, state FROM {table} ORDER BY originator_id, originator_version"
    if not settings.database_url:
        with sqlite3.connect(f"file:{settings.db_path}?mode=ro", uri=True) as conn:
            rows = conn.execute(query).fetchall()
        conn.close()
    else:
        with psycopg.connect(settings.database_url, autocommit=True) as pg:
            rows = pg.execute(query).fetchall()  # type: ignore[call-overload]
    return {(str(originator), int(version)): bytes(state) for originator, version, state in rows}


def key_row(settings: Settings, subject_hex: str) -> tuple[bytes | None, Any] | None:
    """(wrapped_key, erased_at) of a subject in the key table, read with plain SQL."""
    if not settings.database_url:
        with sqlite3.connect(f"file:{settings.db_path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT wrapped_key, erased_at FROM ledger_subject_keys WHERE subject_id = ?",
                               (subject_hex,)).fetchone()
        conn.close()
    else:
        with psycopg.connect(settings.database_url, autocommit=True) as pg:
            row = pg.execute("SELECT wrapped_key, erased_at FROM ledger_subject_keys WHERE subject_id = %s",
                             (subject_hex,)).fetchone()
    if row is None:
        return None
    return (None if row[0] is None else bytes(row[0])), row[1]
