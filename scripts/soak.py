"""`ledger soak`: mixed load on a real server for N minutes, with jobs and a rebuild, then the invariants."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.request import urlopen
from uuid import uuid4

import click

JOBS = ("recycle", "period-close", "follow-up-warning", "contract-reminders", "lagging-groups", "rebalance",
        "checkpoint")
RATE_LIMIT = "1000000 per minute"  # the soak is one tenant's whole load, not one client's


def ledger(env: dict[str, str], *args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    """The `ledger` command line in a process of its own, as an operator or cron would run it."""
    return subprocess.run([sys.executable, "-m", "scripts.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def rss_mib(pid: int) -> float | None:
    """Resident memory of a process (VmRSS), in MiB; None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def memory_verdict(samples: list[float]) -> dict[str, Any]:
    """Bounded when the last third of the run (median) is within 1.5x + 64 MiB of the first third, after
    the first tenth of the samples (warm-up: imports, pools, caches) is left out."""
    steady = samples[len(samples) // 10:]
    if len(steady) < 6:
        return {"bounded": True, "samples": len(samples), "note": "too few samples to judge"}
    third = len(steady) // 3
    first, last = statistics.median(steady[:third]), statistics.median(steady[-third:])
    tenth = max(1, len(samples) // 10)
    return {"bounded": last <= first * 1.5 + 64, "samples": len(samples), "first_third_mib": round(first, 1),
            "last_third_mib": round(last, 1), "max_mib": round(max(samples), 1), "min_mib": round(min(samples), 1),
            "median_by_tenth_mib": [round(statistics.median(samples[i:i + tenth]), 1)
                                    for i in range(0, len(samples) - tenth + 1, tenth)]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], log: Path, threads: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "scripts.cli", "serve", "--port", str(port),
                                    "--threads", str(threads)], env={**env, "LEDGER_CREATE_TABLES": "no"},
                                   stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise click.ClickException(f"the server did not start; see {log}")


def prepare(env: dict[str, str], workdir: Path) -> tuple[dict[str, str], str]:
    """Tables, a signing key (so checkpoints are signed and verified) unless one is configured, a token."""
    env = {**env, "LEDGER_RATE_LIMIT": RATE_LIMIT, "PYTHONUNBUFFERED": "1"}
    if not env.get("LEDGER_SIGNING_KEY_FILE"):
        key = workdir / "soak-signing.pem"
        made = ledger(env, "keys", "generate", "--out", str(key))
        if made.returncode != 0:
            raise click.ClickException(f"cannot make a signing key: {made.stderr.strip()}")
        env["LEDGER_SIGNING_KEY_FILE"] = str(key)
    for args in (("db", "init"), ("tokens", "create", "--role", "admin", "--name", f"soak-{uuid4().hex[:6]}")):
        done = ledger(env, *args)
        if done.returncode != 0:
            raise click.ClickException(f"`ledger {' '.join(args[:2])}` failed: {done.stderr.strip()}")
    return env, done.stdout.strip().splitlines()[-1]


class Background:
    """Jobs and one full rebuild, run as separate processes while the clients write."""

    def __init__(self, env: dict[str, str], seconds: float) -> None:
        self.env, self.seconds = env, seconds
        self.jobs: list[dict[str, Any]] = []
        self.rebuild: dict[str, Any] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="soak-background", daemon=True)

    def _timed(self, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
        started = time.monotonic()
        done = ledger(self.env, *args)
        return done, round(time.monotonic() - started, 2)

    def _run(self) -> None:
        interval = max(5.0, self.seconds / 8)
        rebuild_at = time.monotonic() + self.seconds / 2
        next_job, turn = time.monotonic() + interval, 0
        while not self.stop.is_set():
            now = time.monotonic()
            if not self.rebuild and now >= rebuild_at:
                done, took = self._timed("projections", "rebuild", "--all")
                self.rebuild = {"exit": done.returncode, "seconds": took,
                                "output": done.stdout.strip().splitlines()[-8:],
                                "error": done.stderr.strip()[-300:] if done.returncode else ""}
            elif now >= next_job:
                name = JOBS[turn % len(JOBS)]
                turn += 1
                done, took = self._timed("jobs", "run", name)
                self.jobs.append({"job": name, "exit": done.returncode, "seconds": took,
                                  "output": (done.stdout.strip().splitlines() or [""])[0][:200],
                                  "error": done.stderr.strip()[-300:] if done.returncode else ""})
                next_job = time.monotonic() + interval
            else:
                self.stop.wait(min(next_job, rebuild_at if not self.rebuild else next_job) - now)


def check_invariants(env: dict[str, str], url: str, token: str, tally: Any, after: int) -> dict[str, Any]:
    """Events stored = writes acknowledged; projections = rebuild; verify passes."""
    from ledger.application import build_application
    from ledger.settings import Settings
    from scripts.load import Client, read_feed
    from scripts.soak_checks import acknowledged_once, acknowledgement_problems, projection_differences

    events = read_feed(Client(url, token, timeout=120), after)
    summary = acknowledged_once(events, tally.acknowledged, tally.issued)
    settings = replace(Settings.from_env(env).check(), create_tables=False)
    app = build_application(settings)
    try:
        differences = projection_differences(app, settings)
    finally:
        app.close()
    verified = ledger(env, "verify", "--json")
    try:
        verify_report = json.loads(verified.stdout)
    except ValueError:
        verify_report = {"ok": False, "problem": verified.stderr.strip()[-300:]}
    undecided = len(set(tally.issued)) - len(set(tally.acknowledged)) - tally.refused
    return {
        "events_after_start": len(events),
        "acknowledged": summary,
        "acknowledgement_problems": acknowledgement_problems(summary),
        "writes_without_a_definite_answer": undecided,
        "projection_differences": differences,
        "verify": {"ok": bool(verify_report.get("ok")) and verified.returncode == 0,
                   **{k: verify_report.get(k) for k in ("checked", "head", "problem", "detail", "checkpoints")}},
    }


def run_soak(minutes: float, clients: int, seed: int, threads: int, pause: float, out: Path) -> dict[str, Any]:
    from scripts.load import Client, Tally, setup_world, start_clients

    seconds = minutes * 60
    with tempfile.TemporaryDirectory(prefix="ledger-soak-") as scratch:
        env, token = prepare(dict(os.environ), Path(scratch))
        process, url = start_server(env, out.with_suffix(".server.log"), threads)
        tag, tally, stop = f"soak-{uuid4().hex[:8]}", Tally(), threading.Event()
        background = Background(env, seconds)
        samples: list[float] = []
        try:
            admin = Client(url, token, timeout=60)
            head = int(admin.until_answered("GET", "/api/v1/events?limit=1").json()["head"])
            world = setup_world(admin, tag)
            started = time.monotonic()
            threads_ = start_clients(url, token, world, tally, tag, stop, clients=clients, seed=seed, pause=pause)
            background.thread.start()
            while time.monotonic() - started < seconds:
                if (mib := rss_mib(process.pid)) is not None:
                    samples.append(mib)
                time.sleep(1.0)
            stop.set()
            background.stop.set()
            for thread in threads_:
                thread.join(timeout=300)
            background.thread.join(timeout=1800)
            ran = time.monotonic() - started
            alive = process.poll() is None
            checks = check_invariants(env, url, token, tally, head)
        finally:
            stop.set()
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    memory = memory_verdict(samples)
    verdicts = {
        "events stored = writes acknowledged": not checks["acknowledgement_problems"],
        "every write answered for sure": checks["writes_without_a_definite_answer"] == 0,
        "projections = rebuild": not checks["projection_differences"],
        "ledger verify passes": checks["verify"]["ok"],
        "no 5xx, errors as problem+json": not tally.bad,
        "jobs and a rebuild ran during the load and succeeded": bool(background.jobs) and bool(background.rebuild)
        and all(j["exit"] == 0 for j in background.jobs) and background.rebuild["exit"] == 0,
        "server alive throughout": alive,
        "server memory bounded": memory["bounded"],
    }
    return {
        "ok": all(verdicts.values()), "verdicts": verdicts, "minutes": round(ran / 60, 2), "clients": clients,
        "writes_acknowledged": len(tally.acknowledged), "writes_refused": tally.refused, "reads": tally.reads,
        "requests_per_second": round((sum(tally.statuses.values())) / max(ran, 1e-9), 1),
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())}, "retries": tally.retries,
        "slowest_answer_s": round(tally.slowest, 2), "contract_breaches": tally.bad[:20],
        "jobs": background.jobs, "rebuild": background.rebuild, "memory": memory, **checks,
    }


@click.command()
@click.option("--minutes", default=1.0, show_default=True, type=click.FloatRange(min=0.1),
              help="How long the load runs (the checks afterwards take extra).")
@click.option("--clients", default=4, show_default=True, type=click.IntRange(1, 64), help="Concurrent clients.")
@click.option("--seed", default=7, show_default=True, help="Seed of the clients' random command mix.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Server threads.")
@click.option("--pause", default=0.0, show_default=True, type=click.FloatRange(min=0),
              help="Seconds each client waits between requests (0: as fast as answered).")
@click.option("--out", default="soak.json", show_default=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where the JSON report goes (the server's log beside it, .server.log).")
def soak(minutes: float, clients: int, seed: int, threads: int, pause: float, out: Path) -> None:
    """Soak test: start `ledger serve` on the configured store, drive mixed load (writes, reads, as-of
    queries) with jobs and a full rebuild meanwhile, then check the invariants: events stored = writes
    acknowledged, projections = rebuild, `ledger verify` passes, server memory bounded. Exit 1 if any fails.
    """
    report = run_soak(minutes, clients, seed, threads, pause, out)
    out.write_text(json.dumps(report, indent=2, default=str))
    click.echo(f"soak: {report['minutes']} min, {clients} clients, {report['writes_acknowledged']} writes acknowledged, "
               f"{report['writes_refused']} refused, {report['reads']} reads, {report['requests_per_second']} req/s, "
               f"slowest answer {report['slowest_answer_s']}s")
    memory = report["memory"]
    click.echo(f"server memory: {memory.get('first_third_mib')} -> {memory.get('last_third_mib')} MiB "
               f"(max {memory.get('max_mib')}); jobs run: {len(report['jobs'])}; rebuild: {report['rebuild'].get('seconds')}s")
    for name, ok in report["verdicts"].items():
        click.echo(f"  {'ok  ' if ok else 'FAIL'} {name}")
    click.echo(f"report: {out}")
    if not report["ok"]:
        sys.exit(1)
