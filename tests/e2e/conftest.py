"""A real `ledger serve` process on a free port, talked to over real HTTP with the standard library."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen
from uuid import uuid4

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_DATABASE_URL = os.environ.get("LEDGER_TEST_DATABASE_URL", "")
TEST_MASTER_KEY = "bGVkZ2VyLXRlc3QtbWFzdGVyLWtleS0zMi1ieXRlcyE="  # the same key as tests/conftest.py's
STARTUP_TIMEOUT_S = 30.0


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Server:
    """The running server: its base URL, and the environment that points a CLI at the same store."""

    url: str
    env: dict[str, str]
    log: Path
    token: str = ""
    actor: str = "admin:e2e"

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
        """A request with the server's admin token unless the headers carry their own Authorization."""
        headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        request = Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urlopen(request, timeout=60) as response:
                return Reply(response.status, response.headers.get_content_type(), response.read())
        except HTTPError as error:
            with error:
                return Reply(error.code, error.headers.get_content_type(), error.read())

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, body: Any = None, *, key: str | None = None) -> Reply:
        """POST JSON as `actor` with an Idempotency-Key (a fresh one unless given)."""
        headers = {"Content-Type": "application/json", "Idempotency-Key": key or str(uuid4())}
        return self.request("POST", path, json.dumps(body if body is not None else {}).encode(), headers)

    def head(self) -> int:
        reply = self.get("/api/v1/events?limit=1")
        assert reply.status == 200, reply.body
        return int(reply.json["head"])

    def feed(self, after: int) -> list[dict[str, Any]]:
        """Every event after a position, following pages to the end."""
        events: list[dict[str, Any]] = []
        while True:
            page = self.get(f"/api/v1/events?after={after}&limit=1000").json
            events += page["events"]
            if page["next_after"] >= page["head"]:  # caught up (reading the feed itself adds access records)
                return events
            after = page["next_after"]

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*ledger_command(), *args], env=self.env, cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout, check=False)


def ledger_command() -> list[str]:
    """The installed `ledger` console script beside this interpreter, else the module."""
    script = Path(sys.executable).parent / "ledger"
    return [str(script)] if script.exists() else [sys.executable, "-m", "scripts.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def store_env(tmp: Path) -> dict[str, str]:
    """The process environment with only our store settings: a temp SQLite file or the test PostgreSQL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    if TEST_DATABASE_URL:
        env["LEDGER_DATABASE_URL"] = TEST_DATABASE_URL
        env["LEDGER_MASTER_KEY"] = TEST_MASTER_KEY  # PostgreSQL has no development key file: the key must be given
    else:
        env["LEDGER_DB"] = str(tmp / "e2e.sqlite")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not healthy after {STARTUP_TIMEOUT_S}s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("e2e")
    env = store_env(tmp)
    # Tables are created once, up front, so that no two processes race to create them.
    init = subprocess.run([*ledger_command(), "db", "init"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert init.returncode == 0, init.stderr
    issued = subprocess.run([*ledger_command(), "tokens", "create", "--role", "admin", "--name", "e2e"], env=env,
                            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip().splitlines()[-1]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*ledger_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "8"],
            env={**env, "LEDGER_CREATE_TABLES": "no"}, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        wait_until_healthy(url, process, log)
        yield Server(url=url, env=env, log=log, token=token)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
