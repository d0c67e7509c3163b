"""`ledger scheduler`: the one process that runs timed jobs (APScheduler is started nowhere else)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import click

log = logging.getLogger("ledger.scheduler")


def catch_up_all(queries: object) -> None:
    """Keep every projection close to the head; idempotent (a run with nothing new does nothing)."""
    for runner in queries.read_side.runners.values():  # type: ignore[attr-defined]
        result = runner.catch_up()
        if result.events:
            log.info("%s: %d events to position %d", runner.name, result.events, result.position)
    queries.integrity.catch_up()  # type: ignore[attr-defined]  # the sealer: extend the hash chain too
    queries.evidence.index.catch_up()  # type: ignore[attr-defined]  # what each event mentions, for bundles


def rebuild_all(queries: object) -> None:
    """The scheduled full rebuild: proves the read models still equal a fold of the whole ledger."""
    from projections.together import rebuild_together

    results = rebuild_together(list(queries.read_side.runners.values()))  # type: ignore[attr-defined]
    for name, result in results.items():
        log.info("rebuilt %s: %d events in %.1fs", name, result.events, result.seconds)


def run_now(job: object, queries: object, settings: object) -> None:
    """Run a ledger job for the current instant; failures are logged and retried at the next trigger."""
    from jobs.base import run_job

    try:
        context = run_job(job, queries.read_side.app, queries, settings, datetime.now(timezone.utc))  # type: ignore[arg-type, attr-defined]
        log.info("%s: %d new facts", job.name, context.recorded)  # type: ignore[attr-defined]
    except Exception:
        log.exception("job %s failed; it runs again at its next trigger", getattr(job, "name", job))


@click.command()
@click.option("--catch-up-seconds", default=10, show_default=True, type=click.IntRange(min=1),
              help="How often projections are caught up with new events.")
def scheduler(catch_up_seconds: int) -> None:
    """Run the timed jobs until interrupted: projection catch-up, and the rebuild at LEDGER_REBUILD_CRON."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    from jobs.base import all_jobs, cron_for
    from scripts.readcli import read_side

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with read_side() as (queries, settings):
        jobs = BlockingScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
        jobs.add_job(catch_up_all, "interval", seconds=catch_up_seconds, args=[queries], id="catch-up")
        jobs.add_job(rebuild_all, CronTrigger.from_crontab(settings.rebuild_cron, timezone="UTC"), args=[queries],
                     id="rebuild")
        for job in all_jobs().values():
            cron = cron_for(job, settings)
            jobs.add_job(run_now, CronTrigger.from_crontab(cron, timezone="UTC"), args=[job, queries, settings],
                         id=job.name, misfire_grace_time=3600)
            click.echo(f"scheduler: {job.name} at '{cron}' (UTC)")
        click.echo(f"scheduler: catch-up every {catch_up_seconds}s, rebuild at '{settings.rebuild_cron}' (UTC)")
        try:
            jobs.start()
        except (KeyboardInterrupt, SystemExit):
            pass
