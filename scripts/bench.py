"""`ledger bench` / `python scripts/bench.py`: the ledger against the raw database, in one run, per engine.

For SQLite and for PostgreSQL, on a fresh store: generate and bulk-import N events (vs raw COPY of the
same rows), single-event commands through the real WSGI server with 4 clients (vs raw single-row INSERT
transactions), a full projection rebuild (vs raw SELECT + orjson decode of the same rows) with its peak
RSS, scorecard and as-of query latency, and the evidence bundle of the busiest rep. Prints a table and
writes bench.json. No figure is asserted anywhere: the machine is shared and noisy; ratios to the raw
baseline measured in the same run are what is compared with the targets.
"""

from __future__ import annotations

import base64
import json
import os
import platform
import random
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import click

from ledger.settings import Settings
from scripts import bench_parts as parts

TARGETS = {"api_appends": ("ratio", 0.6), "bulk_import": ("ratio", 0.5), "rebuild": ("ratio", 0.6),
           "scorecard": ("p99_ms", 20.0), "as_of": ("p99_ms", 100.0), "evidence": ("seconds", 2.0),
           "rebuild_rss": ("peak_rss_mb", 500.0)}


@contextmanager
def fresh(base: Settings, backend: str, keep: bool) -> Iterator[Settings]:
    """A brand-new store: a temporary SQLite file, or a new database on the configured PostgreSQL server."""
    from ledger.signing import generate_key_file

    keys = tempfile.TemporaryDirectory(prefix="ledger-bench-keys-")
    key = Path(keys.name) / "signing.pem"
    generate_key_file(key)
    base = replace(base, signing_key_file=str(key),
                   master_key=base.master_key or base64.b64encode(os.urandom(32)).decode())
    try:
        with _store(base, backend, keep) as settings:
            yield settings
    finally:
        keys.cleanup()


@contextmanager
def _store(base: Settings, backend: str, keep: bool) -> Iterator[Settings]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="ledger-bench-") as directory:
            yield replace(base, database_url="", db_path=str(Path(directory) / "bench.sqlite"))
        return
    import psycopg

    if not base.database_url:
        raise click.ClickException("PostgreSQL needs LEDGER_DATABASE_URL (or --pg-url) naming a server to use")
    name = f"ledger_bench_{uuid4().hex[:10]}"
    with psycopg.connect(base.database_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield replace(base, database_url=urlunsplit(urlsplit(base.database_url)._replace(path=f"/{name}")))
    finally:
        if not keep:
            with psycopg.connect(base.database_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


PARTS = ("import", "api", "rebuild", "queries", "evidence")


def bench_store(settings: Settings, events: int, seed: int, requests: int, queries_n: int,
                say: Any, only: tuple[str, ...] = PARTS) -> dict[str, Any]:
    """Every figure for one engine (or those in `only`), each beside its raw baseline. The data is always
    generated and imported; only its timing against COPY is skipped when `import` is not asked for."""
    from ledger.application import build_application
    from projections.registry import Queries
    from scripts import bench_data

    figures: dict[str, Any] = {"backend": settings.backend}
    say(f"[{settings.backend}] generating and importing {events:,} events")
    imported = bench_data.generate_and_import(settings, events, seed)
    figures["database"] = parts.database_environment(settings)  # durable or not: fsync, synchronous_commit
    rows = parts.stored_rows(settings) if {"import", "api"} & set(only) else []
    if "import" in only:
        copy_rate = parts.raw_bulk_copy(settings, rows)
        figures["bulk_import"] = {"events": imported["events"], "events_per_s": imported["events_per_s"],
                                  "baseline_rows_per_s": copy_rate, "ratio": imported["events_per_s"] / copy_rate}

    app = build_application(settings)
    queries = Queries(app, settings)
    try:
        world = bench_data.world(app, queries, seed)
        rng = random.Random(seed)
        if "api" in only:
            say(f"[{settings.backend}] {requests:,} single-event commands through the WSGI server, 4 clients")
            token = bench_data.token(app)
            bodies = [bench_data.follow_up(rng, world) for _ in range(requests + 1)]
            api_rate = parts.api_appends(settings, token, bodies)
            insert_rate = parts.raw_single_inserts(settings, rows[:requests])
            figures["api_appends"] = {"requests": requests, "per_s": api_rate, "baseline_rows_per_s": insert_rate,
                                      "ratio": api_rate / insert_rate}
        if "rebuild" in only:
            say(f"[{settings.backend}] full projection rebuild (fresh process) and raw SELECT + decode")
            rebuilt = parts.rebuild_in_subprocess(settings)
            visits, seconds = 0, 0.0
            for runner in queries.read_side.runners.values():
                count, rate = parts.raw_select_decode(settings, list(runner.projection.topics))
                visits, seconds = visits + count, seconds + count / rate
            baseline = visits / max(seconds, 1e-9)
            figures["rebuild"] = {**rebuilt, "baseline_rows_per_s": baseline,
                                  "ratio": rebuilt["events_per_s"] / baseline}
            figures["rebuild_rss"] = {"peak_rss_mb": rebuilt["peak_rss_mb"]}
        if "queries" in only:
            say(f"[{settings.backend}] {queries_n:,} scorecard and as-of queries")
            head = app.head()
            figures["scorecard"] = parts.latencies(
                lambda: queries.scorecards.rep(str(parts.pick(rng, world["reps"])), parts.pick(rng, world["periods"]),
                                               queries.read_side.moment(None)), queries_n)
            figures["as_of"] = _as_of_latencies(queries, world, rng, head, queries_n)
        if "evidence" in only:
            figures["evidence"] = bench_data.evidence(app, queries, settings, world)
    finally:
        queries.close()
        app.close()
    return figures


def _as_of_latencies(queries: Any, world: dict[str, Any], rng: random.Random, head: int, n: int) -> dict[str, Any]:
    """Scorecards as of random past positions; a rep not yet hired at the drawn position is drawn again
    (only answered queries are timed)."""
    from ledger.errors import NotFound

    samples: list[float] = []
    while len(samples) < n:
        moment = queries.read_side.moment(rng.randrange(head // 4, head + 1))
        started = time.perf_counter()
        try:
            queries.scorecards.rep(str(parts.pick(rng, world["reps"])), parts.pick(rng, world["periods"]), moment)
        except NotFound:
            continue
        samples.append(time.perf_counter() - started)
    return parts.percentiles(samples)


def verdicts(figures: dict[str, Any]) -> list[list[str]]:
    """Table rows: figure, value, baseline, ratio or limit, target, met."""
    out = []
    for name, (measure, target) in TARGETS.items():
        found = figures.get(name) or {}
        value = found.get(measure)
        if value is None:
            out.append([name, "-", "-", "-", f"{target}", "not measured"])
            continue
        met = value >= target if measure == "ratio" else value <= target
        rate = found.get("events_per_s") or found.get("per_s")
        shown = f"{rate:,.0f}/s" if rate else f"{value:,.2f} {measure.removesuffix('_ms').removesuffix('_mb')}"
        baseline = found.get("baseline_rows_per_s")
        out.append([name, shown, f"{baseline:,.0f}/s" if baseline else "-",
                    f"{value:.2f}" if measure == "ratio" else f"{value:,.2f}",
                    f"{'>=' if measure == 'ratio' else '<='} {target}", "yes" if met else "NO"])
    return out


@click.command()
@click.option("--events", default=100_000, show_default=True, help="Events to generate and import per engine.")
@click.option("--seed", default=7, show_default=True)
@click.option("--backend", "backends", default="sqlite,postgresql", show_default=True,
              help="Comma-separated: sqlite, postgresql.")
@click.option("--requests", default=2000, show_default=True, help="Single-event API commands to time.")
@click.option("--queries", "queries_n", default=1000, show_default=True, help="Scorecard and as-of queries to time.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("bench.json"), show_default=True)
@click.option("--pg-url", help="PostgreSQL server for the fresh bench database (default LEDGER_DATABASE_URL).")
@click.option("--keep", is_flag=True, help="Keep the PostgreSQL bench database afterwards.")
@click.option("--only", default=",".join(PARTS), show_default=True,
              help="Comma-separated parts to measure: " + ", ".join(PARTS) + " (the data is imported regardless).")
def bench(events: int, seed: int, backends: str, requests: int, queries_n: int, out: Path, pg_url: str | None,
          keep: bool, only: str) -> None:
    """Measure the ledger against the raw database in one run; print a table and write bench.json."""
    from scripts.cli import _settings

    base = _settings()
    if pg_url:
        base = replace(base, database_url=pg_url)
    report: dict[str, Any] = {"started_at": datetime.now(timezone.utc).isoformat(), "events": events, "seed": seed,
                              "machine": {"python": platform.python_version(), "platform": platform.platform(),
                                          "processor": platform.processor() or platform.machine(),
                                          "cpus": _cpus()}, "results": {}}
    chosen = tuple(p.strip() for p in only.split(",") if p.strip())
    if unknown := [p for p in chosen if p not in PARTS]:
        raise click.BadParameter(f"unknown part(s) {', '.join(unknown)}", param_hint="--only")
    for backend in [b.strip() for b in backends.split(",") if b.strip()]:
        if backend not in ("sqlite", "postgresql"):
            raise click.BadParameter(f"unknown backend {backend!r}", param_hint="--backend")
        started = time.perf_counter()
        with fresh(base, backend, keep) as settings:
            figures = bench_store(settings, events, seed, requests, queries_n, click.echo, chosen)
        figures["wall_seconds"] = time.perf_counter() - started
        report["results"][backend] = figures
        click.echo(f"\n{backend}: {events:,} events, {figures['wall_seconds']:.0f} s")
        _table(verdicts(figures), ["figure", "ledger", "raw baseline", "ratio / value", "target", "met"])
    out.write_text(json.dumps(report, indent=2, default=str))
    click.echo(f"\nwrote {out}")


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    bench()
