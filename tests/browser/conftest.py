"""A real `ledger serve` over a generated history, driven by Debian's Chromium via Playwright (no browser download).

One server and one browser per session: the store (its own SQLite file, or a fresh PostgreSQL database when
LEDGER_TEST_DATABASE_URL is set) is filled by `ledger generate --import` (seconds, where `ledger demo` takes
tens), and one token per role is issued with `ledger tokens create`. Without /usr/bin/chromium the tests are
skipped locally and fail under CI.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.request import Request, urlopen
from uuid import uuid4

import pytest

from ledger.settings import Settings
from tests.conftest import TEST_MASTER_KEY, fresh_store
from tests.e2e.conftest import ROOT, TEST_DATABASE_URL, free_port, ledger_command, wait_until_healthy
from tests.integrity_keys import suite_signing_key

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
ROLES = ("admin", "hr", "legal", "auditor", "manager", "rep")
PERIOD = "2026-Q3"  # the generated history's last full quarter
EVENTS = 12000  # `ledger generate`: 6 reps in 2 teams, two years ending 2026-10-31, imported in seconds


@dataclass
class Console:
    """The running server, a token per role, and the reps of the 2026-Q3 leaderboard by name."""

    url: str
    env: dict[str, str]
    tokens: dict[str, str] = field(default_factory=dict)
    rep: dict[str, str] = field(default_factory=dict)  # the rep token's rep: id, name, team_id
    reps: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> leaderboard entry

    def post(self, path: str, body: dict[str, Any]) -> Any:
        request = Request(self.url + path, data=json.dumps(body).encode(), method="POST", headers={
            "Authorization": f"Bearer {self.tokens['admin']}", "Content-Type": "application/json",
            "Idempotency-Key": f"browser-{uuid4()}"})
        with urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def api(self, path: str, role: str = "admin") -> Any:
        request = Request(self.url + path, headers={"Authorization": f"Bearer {self.tokens[role]}"})
        with urlopen(request, timeout=60) as response:
            return json.loads(response.read())


def _cli(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run([*ledger_command(), *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"ledger {' '.join(args)} failed:\n{done.stderr[-3000:]}"
    return done.stdout


def _staying_rep(history: Path) -> dict[str, str]:
    """The first rep of the generated history who does not leave (the rep and manager tokens are theirs)."""
    rows = [json.loads(line) for line in history.read_text().splitlines()]
    leaving = {row["data"]["rep_id"] for row in rows if row["type"] == "rep_leave"}
    return next(row["data"] for row in rows if row["type"] == "rep" and row["data"]["id"] not in leaving)


def _parallel(env: dict[str, str], commands: list[list[str]]) -> list[str]:
    """Run CLI commands at once (each pays Python's start-up); the last line each prints, in order. The tables
    exist already (`ledger db init`): processes creating them at once would conflict on PostgreSQL."""
    running = [subprocess.Popen([*ledger_command(), *args], env={**env, "LEDGER_CREATE_TABLES": "no"}, cwd=ROOT,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for args in commands]
    found = []
    for args, process in zip(commands, running, strict=True):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, f"ledger {' '.join(args)} failed:\n{err[-3000:]}"
        found.append(out.strip().splitlines()[-1])
    return found


def _store_env(settings: Settings, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    if settings.database_url:
        env["LEDGER_DATABASE_URL"] = settings.database_url
    else:
        env["LEDGER_DB"] = settings.db_path
    env.update(LEDGER_MASTER_KEY=TEST_MASTER_KEY, LEDGER_SIGNING_KEY_FILE=suite_signing_key(tmp / "signing.pem"),
               LEDGER_RATE_LIMIT="1000000 per minute", LEDGER_CONSOLE_COOKIE_SECURE="no", PYTHONUNBUFFERED="1")
    return env


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package before the tests")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Console]:
    tmp = tmp_path_factory.mktemp("browser")
    base = Settings(database_url=TEST_DATABASE_URL) if TEST_DATABASE_URL else Settings(db_path=str(tmp / "x.sqlite"))
    with fresh_store(base, tmp) as settings:
        env = _store_env(settings, tmp)
        _cli(env, "db", "init")
        port, log = free_port(), tmp / "server.log"
        with log.open("wb") as out:  # the server starts while the history is imported (it reads lazily)
            process = subprocess.Popen([*ledger_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                       env={**env, "LEDGER_CREATE_TABLES": "no"}, cwd=ROOT, stdout=out,
                                       stderr=subprocess.STDOUT)
        try:
            history = tmp / "history.jsonl"
            _cli(env, "generate", "--events", str(EVENTS), "--out", str(history), "--import")
            rep = _staying_rep(history)
            tokens = dict(zip(ROLES, _parallel(env, [["tokens", "create", "--role", role, "--name", f"browser-{role}",
                                                      *(["--team", rep["team_id"]] if role == "manager" else []),
                                                      *(["--rep", rep["id"]] if role == "rep" else [])] for role in ROLES]), strict=True))
            wait_until_healthy(f"http://127.0.0.1:{port}", process, log)
            found = Console(f"http://127.0.0.1:{port}", env, tokens, rep)
            board = found.api(f"/api/v1/leaderboard?period={PERIOD}")
            found.reps = {e["name"]: e for e in board["entries"]}
            ranked = [e["rep_id"] for e in board["entries"]]
            for index, name in enumerate(("Alpha 甲组", "Beta 乙组")):  # two competition groups race in the period
                found.post("/api/v1/groups", {"name": name, "period": PERIOD, "member_ids": ranked[index::2]})
            for indicator, value in (("follow_ups", "300"), ("repurchase_rate", "20")):  # every indicator scored
                found.post("/api/v1/targets", {"scope": "team", "scope_id": rep["team_id"], "period": PERIOD,
                                               "indicator": indicator, "value": value})
            found.reps = {e["name"]: e for e in found.api(f"/api/v1/leaderboard?period={PERIOD}")["entries"]}
            yield found
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture()
def sign_in(browser: Any, console: Console) -> Iterator[Any]:
    """sign_in(role, **context options) -> a page signed in as that role, on the console's home page."""
    contexts: list[Any] = []

    def open_as(role: str, **options: Any) -> Any:
        context = browser.new_context(accept_downloads=True, locale="en-US", **options)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{console.url}/console/sign-in")
        page.fill("#token", console.tokens[role])
        page.click("#sign-in")
        page.wait_for_url(f"{console.url}/console/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
