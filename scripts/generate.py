"""`ledger generate`: a deterministic, realistic history of a sales organisation as an import file (JSON Lines)."""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import click

from scripts.generate_world import END, START, Scale, Sink, World, generated_id


def generate(path: Path | str, *, events: int, seed: int = 7) -> dict[str, Any]:
    """Write about `events` events' worth of rows (every row valid, in business-time order) to `path`; the same
    seed and size give a byte-identical file. Returns rows, events, the count per row type and the SHA-256."""
    from scripts import generate_steps as steps

    if events < 100:
        raise ValueError("generate at least 100 events (an organisation needs a few)")
    path = Path(path)
    scale = Scale.for_events(events)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        world = World(seed, scale, random.Random(seed), Sink(out, events))
        steps.organisation(world)
        scores_per_rep = min(6, max(1, round(0.06 * events / (scale.reps * 24))))
        training_chance = 0.02 * events / (scale.reps * 24)
        days = (END - START).days + 1
        hires_left, registered = scale.reps // 10, float(world.customers)
        weights = [0.25 if (START + timedelta(days=n)).weekday() >= 5 else 1.0 for n in range(days)]
        for n in range(days):
            day = START + timedelta(days=n)
            budget = _budget(world, n, days, scores_per_rep, training_chance) * weights[n] / sum(weights[n:])
            world.sink.morning(day, budget)
            registered += (scale.customers - registered) / (days - n)  # new leads arrive all along
            while world.customers < int(registered):
                steps.register(world)
            world.write_due(day)
            if day.day == 1:
                steps.month_start(world, day, scores_per_rep, training_chance)
            hires_left = steps.people(world, day, hires_left, days - n)
            steps.work(world, day, budget)
        while world.sink.events < events and world.active:  # the last day's calls make up the count exactly
            steps.work(world, END, events - world.sink.events)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"rows": world.sink.rows, "events": world.sink.events, "kinds": dict(sorted(world.sink.kinds.items())),
            "sha256": digest, "teams": scale.teams, "reps": scale.reps, "customers": world.customers}


def _budget(world: World, n: int, days: int, scores_per_rep: int, training_chance: float) -> float:
    """Events left for the day-to-day work once the scheduled ones still to come are set aside."""
    months_left = (days - n) / 30.4
    monthly = len(world.active) * (scores_per_rep + training_chance) + 2
    quarterly = len(world.active) * months_left / 3
    reserve = months_left * monthly + quarterly + len(world.later) + (world.scale.customers - world.customers)
    return max(0.0, world.sink.target - world.sink.events - reserve)


def payout_runs(app: Any, settings: Any, period: str, teams: list[UUID]) -> list[dict[str, Any]]:
    """One month's payout run per team, computed by the commission engine and recorded (a team whose run for
    the month exists already is left alone), with the seconds each took."""
    from ledger.base import Ctx
    from ledger.commands.payouts import CalculatePayout
    from ledger.errors import RuleViolation
    from projections.registry import Queries

    queries = Queries(app, settings)
    done = []
    try:
        for team in teams:
            started = time.perf_counter()
            try:
                computed = queries.commissions.calculation(team, period)
                command = CalculatePayout(period=period, team_id=team, **computed, calculated_by="generate",
                                          occurred_at=datetime.now(timezone.utc))
                app.calculate_payout(command, Ctx("generate", f"generate-payout-{team}-{period}"))
                status = "calculated"
            except RuleViolation as refused:  # run-exists (imported before) or nothing-to-pay (a quiet month)
                status = refused.code
            done.append({"team": str(team), "status": status, "seconds": time.perf_counter() - started})
    finally:
        queries.close()
    return done


@click.command("generate")
@click.option("--events", "events", default=100_000, show_default=True, type=click.IntRange(min=100),
              help="About how many events the file records when imported.")
@click.option("--seed", default=7, show_default=True, help="Random seed: the same seed and size give the same file.")
@click.option("--out", "out", default="history.jsonl", show_default=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The JSON Lines file to write.")
@click.option("--import", "then_import", is_flag=True, help="Import the file into the ledger, then compute one "
              "month's payout run per team (the last full month) with the commission engine.")
@click.option("--batch", default=2000, show_default=True, type=click.IntRange(min=1, max=50_000),
              help="Rows per transaction when importing.")
def generate_command(events: int, seed: int, out: Path, then_import: bool, batch: int) -> None:
    """Write a realistic, deterministic history as an import file (see docs/import.md).

    Scaled to --events: 500 reps in 40 teams and 50,000 customers at 1,000,000 events (at least 2 teams);
    two years of business ending 2026-10-31: ~65% follow-ups, ~12% claims, assignments and releases,
    ~6% deals (some split, ~5% reversed), ~6% scores, ~2% trainings, contracts with renewals and
    amendments, and the rules (KPI scheme and revision, commission plan assigned to every team, pool
    policy, FX rates).
    """
    started = time.perf_counter()
    stats = generate(out, events=events, seed=seed)
    click.echo(f"{out}: {stats['rows']:,} rows, {stats['events']:,} events, {stats['teams']} teams, {stats['reps']} reps, "
               f"{stats['customers']:,} customers in {time.perf_counter() - started:.1f} s; sha256 {stats['sha256']}")
    click.echo("  " + ", ".join(f"{kind} {count:,}" for kind, count in stats["kinds"].items()))
    if then_import:
        from scripts.import_cli import run_import

        settings = run_import(out, skip_invalid=False, batch=batch)
        _payouts(settings, _last_full_month(END), [generated_id(seed, f"team-{i}") for i in range(stats["teams"])])


def _last_full_month(day: date) -> str:
    last = day if (day + timedelta(days=1)).day == 1 else day.replace(day=1) - timedelta(days=1)
    return f"{last.year}-{last.month:02d}"


def _payouts(settings: Any, period: str, teams: list[UUID]) -> None:
    from ledger.application import build_application
    from scripts.cli import _store_errors

    with _store_errors(settings):
        app = build_application(settings)
        try:
            started = time.perf_counter()
            runs = payout_runs(app, settings, period, teams)
        finally:
            app.close()
    made = sum(1 for run in runs if run["status"] == "calculated")
    others = ", ".join(f"{n} {status}" for status, n in sorted(Counter(r["status"] for r in runs).items())
                       if status != "calculated")
    click.echo(f"payout runs for {period}: {made} calculated{', ' + others if others else ''} in "
               f"{time.perf_counter() - started:.1f} s (the read models caught up first)")
