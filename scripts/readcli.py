"""`ledger projections`, `ledger scorecard`, `ledger leaderboard`: the read side for humans."""

from __future__ import annotations

import time
import unicodedata
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, Iterator

import click

from ledger.settings import Settings


@contextmanager
def read_side() -> Iterator[tuple[Any, Settings]]:
    """The ledger and its queries, opened from the environment and closed afterwards."""
    from ledger.application import build_application
    from projections.registry import Queries
    from scripts.cli import _settings, _store_errors

    settings = _settings()
    with _store_errors(settings):
        app = build_application(replace(settings, create_tables=settings.create_tables))
        queries = Queries(app, settings)
        try:
            yield queries, settings
        finally:
            queries.close()
            app.close()


@click.group()
def projections() -> None:
    """Inspect, catch up and rebuild the read models."""


@projections.command("status")
def status() -> None:
    """Each projection's position and how far behind the ledger's head it is."""
    with read_side() as (queries, _):
        for row in queries.read_side.status():
            click.echo(f"{row['name']:<12} position {row['position']:>10}  head {row['head']:>10}  behind {row['behind']}")


@projections.command("rebuild")
@click.argument("name", required=False)
@click.option("--all", "everything", is_flag=True, help="Rebuild every projection.")
def rebuild(name: str | None, everything: bool) -> None:
    """Forget a projection (or --all) and fold the whole ledger again, with progress and events/s."""
    from tqdm import tqdm

    if bool(name) == everything:
        raise click.UsageError("name one projection, or give --all")
    with read_side() as (queries, _):
        if everything:
            _rebuild_together(queries)
            return
        names = [queries.read_side.runner(name or "").name]
        for projection in names:
            runner = queries.read_side.runner(projection)
            started = time.perf_counter()
            with tqdm(desc=projection, unit="event") as bar:
                result = runner.rebuild(progress=bar.update)
            seconds = max(time.perf_counter() - started, 1e-9)
            click.echo(f"{projection}: {result.events} events to position {result.position} in {seconds:.2f}s "
                       f"({result.events / seconds:,.0f} events/s)")


def _rebuild_together(queries: Any) -> None:
    """Every projection in one pass over the ledger: each event is read and decoded once."""
    from tqdm import tqdm

    from projections.together import rebuild_together

    runners = list(queries.read_side.runners.values())
    started = time.perf_counter()
    with tqdm(desc="all projections", unit="event") as bar:
        results = rebuild_together(runners, progress=bar.update)
    seconds = max(time.perf_counter() - started, 1e-9)
    for projection, result in results.items():  # one shared pass: each projection's rate over its time
        click.echo(f"{projection}: {result.events} events to position {result.position} in {seconds:.2f}s "
                   f"({result.events / seconds:,.0f} events/s)")
    folded = sum(result.events for result in results.values())
    click.echo(f"all {len(results)} projections in one pass: {folded} events folded in {seconds:.2f}s "
               f"({folded / seconds:,.0f} events/s)")


def _width(text: str) -> int:
    """Columns a terminal gives the text: East Asian wide and fullwidth characters (names like 王芳) take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _table(rows: list[list[str]], headers: list[str]) -> None:
    widths = [max(_width(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    for line in [headers, ["-" * w for w in widths], *rows]:
        cells = (str(cell) + " " * (width - _width(str(cell))) for cell, width in zip(line, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


@click.command()
@click.argument("rep")
@click.option("--period", required=True, help="2026, 2026-H2, 2026-Q3 or 2026-07.")
@click.option("--as-of", "as_of", help="A ledger position or an ISO timestamp: the answer as the ledger stood then.")
def scorecard(rep: str, period: str, as_of: str | None) -> None:
    """Print a rep's scorecard (REP is the rep's id or exact name)."""
    from scripts.tokens import REP_TOPIC, _find

    with read_side() as (queries, _):
        rep_id = _find(queries.read_side.app, REP_TOPIC, rep, "rep")
        card = queries.scorecards.rep(str(rep_id), period, queries.read_side.moment(as_of))
        click.echo(f"{card['name']}  {card['period']}  total {card['total'] or '-'}  cohort {card['cohort'] or '-'}  "
                   f"as of position {card['position']}")
        _table([[i["key"], i["dimension"], i["actual"] or "-", i["target"] or "-", i["score"] or "-", i["weight"],
                 i["contribution"] or "-"] for i in card["indicators"]],
               ["indicator", "dimension", "actual", "target", "score", "weight", "contribution"])
        company, team = card["rank"]["company"], card["rank"]["team"]
        if company:
            click.echo(f"rank {company['rank']}/{company['of']} in the company (percentile {company['percentile']}), "
                       f"{team['rank']}/{team['of']} in the team")


@click.command()
@click.option("--period", required=True, help="2026, 2026-H2, 2026-Q3 or 2026-07.")
@click.option("--team", help="Only this team (id).")
@click.option("--as-of", "as_of", help="A ledger position or an ISO timestamp.")
def leaderboard(period: str, team: str | None, as_of: str | None) -> None:
    """Print the leaderboard for a period."""
    with read_side() as (queries, _):
        board = queries.scorecards.leaderboard(period, queries.read_side.moment(as_of), team_id=team)
        _table([[e["rank"], e["name"], e["total"] or "-", e["percentile"], e["cohort"] or "-"] for e in board["entries"]],
               ["rank", "rep", "total", "percentile", "cohort"])
