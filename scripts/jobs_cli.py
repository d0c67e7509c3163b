"""`ledger jobs`: list the timed jobs and run any of them for a given instant (replaying time)."""

from __future__ import annotations

from datetime import datetime, timezone

import click


@click.group()
def jobs() -> None:
    """List and run the timed jobs (the scheduler runs them on their cron)."""


@jobs.command("list")
def list_jobs() -> None:
    """Every job with its schedule (UTC) and what it does."""
    from jobs.base import all_jobs, cron_for
    from scripts.cli import _settings

    settings = _settings()
    for job in all_jobs().values():
        click.echo(f"{job.name:<22} {cron_for(job, settings):<16} {job.description}")


@jobs.command("run")
@click.argument("name")
@click.option("--at", "at", help="The instant to run for, ISO 8601 with offset (default: now). Past instants "
                                 "record what an on-time run would have.")
def run(name: str, at: str | None) -> None:
    """Run one job once, for an instant; safe to repeat (each fact is recorded once)."""
    from jobs.base import find_job, run_job
    from ledger.errors import LedgerError
    from scripts.readcli import read_side

    try:
        instant = datetime.fromisoformat(at.replace("Z", "+00:00")) if at else datetime.now(timezone.utc)
    except ValueError:
        raise click.BadParameter(f"{at!r} is not an ISO 8601 instant", param_hint="--at") from None
    with read_side() as (queries, settings):
        try:
            job = find_job(name)
            context = run_job(job, queries.read_side.app, queries, settings, instant)
        except LedgerError as error:
            raise click.ClickException(error.detail) from None
        click.echo(f"{job.name} at {instant.isoformat()}: {context.recorded} new facts recorded")
        for note in context.notes:
            click.echo(f"  {note}")
