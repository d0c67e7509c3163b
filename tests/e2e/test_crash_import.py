"""kill -9 of the API server in the middle of a bulk import over HTTP: after a restart, posting the same file
resumes after the last saved batch and ends with the ledger of an uninterrupted import, no fact twice."""

from __future__ import annotations

import os
import signal
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import AggregateNotFoundError

from api.schemas.imports import build_command
from ledger.application import LedgerApplication, build_application
from ledger.import_run import Import, import_id
from ledger.imports.formats import Source
from ledger.imports.runner import import_file
from ledger.settings import Settings
from scripts.generate import generate
from scripts.load import Client
from scripts.soak_checks import projection_differences
from tests.conftest import fresh_store
from tests.e2e.servers import env_for, init_store, serve

pytestmark = pytest.mark.e2e

BATCH = 40


def history(app: LedgerApplication) -> list[tuple[UUID, int, str, bytes]]:
    """Every stored event but the import's own bookkeeping and the API token, in ledger order."""
    found: list[tuple[UUID, int, str, bytes]] = []
    after = 0
    while batch := app.recorder.select_notifications(start=after + 1, limit=1000):
        found += [(UUID(str(n.originator_id)), n.originator_version, n.topic, n.state) for n in batch
                  if "import_run" not in n.topic and not n.topic.startswith("ledger.token:")]  # the server's token
        after = batch[-1].id
    return found


def comparable(events: list[tuple[UUID, int, str, bytes]]) -> list[tuple[Any, ...]]:
    """Stream, version and type of every event. (Stored bytes differ between two stores by nature: the
    recording time and, for personal data, each store's own keys.)"""
    return [(stream, version, topic) for stream, version, topic, _ in events]


def import_run(app: LedgerApplication, sha256: str) -> Import | None:
    try:
        run = app.repository.get(import_id(sha256))
    except AggregateNotFoundError:
        return None
    return run if isinstance(run, Import) else None


def post_file(client: Client, path: Path) -> Any:
    return client.once("POST", f"/api/v1/imports?name={path.name}&batch={BATCH}", raw=path.read_bytes(),
                       content_type="application/x-ndjson")


def test_a_server_killed_mid_import_resumes_the_file_after_a_restart_to_the_same_ledger(
        settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    generate(path, events=4000, seed=uuid4().int % 10**9)
    source = Source.from_path(path)
    with ExitStack() as stack:
        killed, whole = (stack.enter_context(fresh_store(settings, tmp_path)) for _ in range(2))
        env = env_for(killed.database_url, killed.db_path)
        env["LEDGER_MAX_IMPORT_BYTES"] = str(64 * 1024 * 1024)
        token = init_store(env)
        first = serve(env, tmp_path / "server.log")
        watcher = build_application(replace(killed, create_tables=False))
        stack.callback(watcher.close)
        poster = stack.enter_context(_Background(lambda: post_file(Client(first.url, token, timeout=600), path)))
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and first.process.poll() is None:
            run = import_run(watcher, source.sha256)
            if run is not None and run.through_line > 0:
                os.kill(first.process.pid, signal.SIGKILL)  # mid-file: some batches saved, the rest not
                break
            time.sleep(0.005)
        first.process.wait(timeout=30)
        assert first.process.returncode == -signal.SIGKILL, (tmp_path / "server.log").read_text()[-2000:]
        assert poster.result().status == 0, "the client should have lost its connection with the server"
        stopped = import_run(watcher, source.sha256)
        assert stopped is not None and not stopped.completed and 0 < stopped.through_line < source.rows

        second = serve(env, tmp_path / "server.log")
        stack.callback(second.stop)
        resumed = post_file(Client(second.url, token, timeout=600), path)
        assert resumed.status == 201, resumed.body[:500]
        assert resumed.json()["resumed_after"] == stopped.through_line
        again = post_file(Client(second.url, token, timeout=600), path)
        assert again.status == 200 and again.json()["status"] == "already imported"

        reference = build_application(whole)
        stack.callback(reference.close)
        import_file(reference, path, build=build_command, batch=BATCH)
        recovered = history(watcher)
        assert comparable(recovered) == comparable(history(reference))
        assert len({(stream, version) for stream, version, _, _ in recovered}) == len(recovered)
        assert projection_differences(watcher, replace(killed, create_tables=False)) == {}


class _Background:
    """Run one call in a thread; `result()` waits for it."""

    def __init__(self, call: Any) -> None:
        import threading

        self._call, self._value, self._thread = call, None, threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self._value = self._call()

    def __enter__(self) -> _Background:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._thread.join(timeout=60)

    def result(self) -> Any:
        self._thread.join(timeout=60)
        return self._value
