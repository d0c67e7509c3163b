"""Measurements for `ledger bench`: each ledger path and, in the same run, its raw-database baseline."""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable
from uuid import uuid4

import orjson

from ledger.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
RAW_TABLE = "bench_raw_events"
RAW_SCHEMA = (f"CREATE TABLE IF NOT EXISTS {RAW_TABLE} (originator_id TEXT NOT NULL, originator_version BIGINT NOT NULL, "
              "topic TEXT, state BYTEA, notification_id {serial}, PRIMARY KEY (originator_id, originator_version))")


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 and p99 in milliseconds."""
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"p50_ms": round(pick(0.50), 3), "p99_ms": round(pick(0.99), 3), "n": len(ordered)}


# -- raw connections ---------------------------------------------------------------------------------
def _connect(settings: Settings) -> Any:
    if settings.backend == "postgresql":
        import psycopg

        return psycopg.connect(settings.database_url)
    return sqlite3.connect(settings.db_path, isolation_level=None, timeout=30)


def _raw_table(settings: Settings) -> None:
    serial = "BIGSERIAL" if settings.backend == "postgresql" else "INTEGER"
    with _connect(settings) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        conn.execute(RAW_SCHEMA.format(serial=serial).replace("BYTEA", "BYTEA" if serial == "BIGSERIAL" else "BLOB"))
        if settings.backend == "postgresql":
            conn.commit()


def events_table(settings: Settings) -> str:
    """The library's events table: named after the application on PostgreSQL, `stored_events` on SQLite."""
    return "ledgerapplication_events" if settings.backend == "postgresql" else "stored_events"


def position_column(settings: Settings) -> str:
    return "notification_id" if settings.backend == "postgresql" else "rowid"


def stored_rows(settings: Settings, limit: int | None = None) -> list[tuple[Any, ...]]:
    """The ledger's stored rows (id, version, topic, state) as the database holds them."""
    with _connect(settings) as conn:
        sql = f"SELECT originator_id, originator_version, topic, state FROM {events_table(settings)} ORDER BY {position_column(settings)}"
        rows = conn.execute(sql + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
    return [(str(r[0]), r[1], r[2], bytes(r[3])) for r in rows]


def raw_single_inserts(settings: Settings, rows: list[tuple[Any, ...]], clients: int = 4) -> float:
    """Single-row INSERT transactions from `clients` threads, each on its own connection: rows/s."""
    _raw_table(settings)
    placeholder = "%s" if settings.backend == "postgresql" else "?"
    sql = (f"INSERT INTO {RAW_TABLE} (originator_id, originator_version, topic, state) VALUES "
           f"({', '.join([placeholder] * 4)})")
    shares = [rows[i::clients] for i in range(clients)]

    def work(share: list[tuple[Any, ...]]) -> None:
        conn = _connect(settings)
        try:
            for row in share:
                if settings.backend == "postgresql":
                    conn.execute(sql, (str(uuid4()), *row[1:]))
                    conn.commit()
                else:
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute(sql, (str(uuid4()), *row[1:]))
                    conn.execute("COMMIT")
        finally:
            conn.close()

    return len(rows) / _timed_threads(work, shares)


def raw_bulk_copy(settings: Settings, rows: list[tuple[Any, ...]]) -> float:
    """The database's own bulk path: COPY on PostgreSQL, one executemany transaction on SQLite: rows/s."""
    _raw_table(settings)
    started = time.perf_counter()
    with _connect(settings) as conn:
        if settings.backend == "postgresql":
            with conn.cursor() as cur, cur.copy(
                    f"COPY {RAW_TABLE} (originator_id, originator_version, topic, state) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            conn.commit()
        else:
            conn.execute("BEGIN")
            conn.executemany(f"INSERT INTO {RAW_TABLE} (originator_id, originator_version, topic, state) "
                             "VALUES (?, ?, ?, ?)", rows)
            conn.execute("COMMIT")
    return len(rows) / (time.perf_counter() - started)


def raw_select_decode(settings: Settings, topics: list[str] | None = None) -> tuple[int, float]:
    """SELECT the stored rows (of the given topics) in position order and orjson-decode each: (rows, rows/s)."""
    started, count = time.perf_counter(), 0
    with _connect(settings) as conn:
        where = ""
        params: tuple[str, ...] = ()
        if topics:
            marks = ", ".join(["%s" if settings.backend == "postgresql" else "?"] * len(topics))
            where, params = f" WHERE topic IN ({marks})", tuple(topics)
        cursor = conn.execute(f"SELECT {position_column(settings)}, originator_id, originator_version, topic, state "
                              f"FROM {events_table(settings)}{where} ORDER BY {position_column(settings)}", params)
        while True:
            batch = cursor.fetchmany(5000)
            if not batch:
                break
            for row in batch:
                orjson.loads(row[4])
            count += len(batch)
    return count, count / max(1e-9, time.perf_counter() - started)


def _timed_threads(work: Callable[[Any], None], shares: list[Any]) -> float:
    errors: list[BaseException] = []

    def guarded(share: Any) -> None:
        try:
            work(share)
        except BaseException as error:  # noqa: BLE001 - reported after the join
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


# -- the ledger's paths --------------------------------------------------------------------------------
def environment(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update({"LEDGER_MASTER_KEY": settings.master_key, "LEDGER_RATE_LIMIT": "10000000 per minute",
                "LEDGER_SIGNING_KEY_FILE": settings.signing_key_file,
                "LEDGER_DB_POOL_SIZE": "8", "LEDGER_DB_MAX_OVERFLOW": "8"})
    env.update({"LEDGER_DATABASE_URL": settings.database_url} if settings.database_url else {"LEDGER_DB": settings.db_path})
    return env


def database_environment(settings: Settings) -> dict[str, str]:
    """The durability settings the run was measured under: raw single-row transactions cost a durable server
    an fsync each, so a figure means little without them (scripts/pg.sh starts either kind of server)."""
    with _connect(settings) as conn:
        if settings.backend == "postgresql":
            names = ("server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method")
            return {name: str(conn.execute(f"SHOW {name}").fetchone()[0]) for name in names}
        found = {name: conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("journal_mode", "synchronous")}
        return {"sqlite_version": sqlite3.sqlite_version, "journal_mode": str(found["journal_mode"]),
                # per connection; the library keeps SQLite's default (FULL: a WAL commit syncs), as this one does
                "synchronous": {0: "off", 1: "normal", 2: "full", 3: "extra"}.get(found["synchronous"], "?")}


def api_appends(settings: Settings, token: str, bodies: list[dict[str, Any]], clients: int = 4) -> float:
    """Single-event commands (POST /follow-ups, each with its Idempotency-Key) through the real WSGI server
    with `clients` concurrent clients, each on its own keep-alive connection (as a CRM integration's HTTP
    pool is, and as the raw baseline keeps its database connections): requests/s."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "scripts.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--threads", str(clients * 2)], env=environment(settings), cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base)
        _post(base, token, bodies[0])  # the first request opens the store; not timed
        shares = [bodies[1:][i::clients] for i in range(clients)]

        def client(share: list[dict[str, Any]]) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.connect()
            # http.client sends headers and body in two writes: without TCP_NODELAY (which urllib3 and most
            # HTTP clients set) the body waits out the server's delayed ACK, ~40 ms per request on keep-alive.
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                for body in share:
                    _post_on(connection, token, body)
            finally:
                connection.close()

        return (len(bodies) - 1) / _timed_threads(client, shares)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def _post(base: str, token: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(f"{base}/api/v1/follow-ups", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                              "Idempotency-Key": str(uuid4())})
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 201:
            raise RuntimeError(f"POST /follow-ups answered {response.status}")


def _post_on(connection: http.client.HTTPConnection, token: str, body: dict[str, Any]) -> None:
    connection.request("POST", "/api/v1/follow-ups", body=json.dumps(body).encode(),
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                "Idempotency-Key": str(uuid4())})
    response = connection.getresponse()
    response.read()
    if response.status != 201:
        raise RuntimeError(f"POST /follow-ups answered {response.status}")


def rebuild_in_subprocess(settings: Settings) -> dict[str, Any]:
    """Rebuild every projection in a fresh process: events folded, seconds, events/s and peak RSS (MB)."""
    code = ("import json, resource, time\n"
            # VmHWM: this process image's own peak. ru_maxrss would not do: Linux keeps across exec the
            # high-water mark of the forked copy of the parent (the bench, itself 2.6 GB after a 1M import).
            "def peak_mb():\n"
            "    try:\n"
            "        with open('/proc/self/status') as status:\n"
            "            return next(int(l.split()[1]) for l in status if l.startswith('VmHWM:')) / 1024\n"
            "    except (OSError, StopIteration):\n"
            "        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
            "from ledger.settings import Settings\nfrom ledger.application import build_application\n"
            "from projections.registry import Queries\n"
            "s = Settings.from_env(); app = build_application(s); q = Queries(app, s)\n"
            "t = time.perf_counter(); n = 0\n"
            "from projections.together import rebuild_together\n"
            "n = sum(r.events for r in rebuild_together(list(q.read_side.runners.values())).values())\n"
            "el = time.perf_counter() - t\n"
            "print(json.dumps({'events': n, 'seconds': el, 'events_per_s': n / el, 'peak_rss_mb': peak_mb()}))\n")
    done = subprocess.run([sys.executable, "-c", code], env=environment(settings), cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def latencies(call: Callable[[], Any], count: int) -> dict[str, float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def pick(rng: random.Random, items: list[Any]) -> Any:
    return items[rng.randrange(len(items))]
