"""Starting the real CLI and `ledger serve` on a store of a test's own (fault tests kill and restart them)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.conftest import ROOT, TEST_MASTER_KEY, free_port, ledger_command, wait_until_healthy


def env_for(database_url: str = "", sqlite_path: str = "") -> dict[str, str]:
    """The process environment with only the given store, under the suite's master key (so that the test
    process reads what the servers and the CLI write), and a rate limit no load test reaches."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    if database_url:
        env["LEDGER_DATABASE_URL"] = database_url
    else:
        env["LEDGER_DB"] = sqlite_path
    env.update(LEDGER_MASTER_KEY=TEST_MASTER_KEY, PYTHONUNBUFFERED="1", LEDGER_RATE_LIMIT="1000000 per minute")
    return env


def cli(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ledger_command(), *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)


def init_store(env: dict[str, str]) -> str:
    """Create the tables once and return a fresh admin token."""
    done = cli(env, "db", "init")
    assert done.returncode == 0, done.stderr
    issued = cli(env, "tokens", "create", "--role", "admin", "--name", "fault-tests")
    assert issued.returncode == 0, issued.stderr
    return issued.stdout.strip().splitlines()[-1]


@dataclass
class Serving:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def serve(env: dict[str, str], log: Path, *, threads: int = 8) -> Serving:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*ledger_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)],
            env={**env, "LEDGER_CREATE_TABLES": "no"}, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(url, process, log)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return Serving(url, process, log)
