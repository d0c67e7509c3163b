"""The `ledger` command line: serve the API, create the tables, print the event feed."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import click

from ledger.settings import Settings
from scripts.analytics_cli import analytics
from scripts.bench import bench
from scripts.demo import demo
from scripts.evidence_cli import evidence
from scripts.generate import generate_command
from scripts.import_cli import import_command
from scripts.integrity_cli import checkpoint, keys, verify
from scripts.jobs_cli import jobs
from scripts.payouts_cli import payouts, statement
from scripts.readcli import leaderboard, projections, scorecard
from scripts.replay_cli import bound_option, replay
from scripts.scheduler import scheduler
from scripts.soak import soak
from scripts.tokens import tokens

PAGE = 500


def _settings() -> Settings:
    """The environment is read here, at the edge, once per command, and checked before any work."""
    from ledger.errors import LedgerError

    try:
        settings = Settings.from_env().check()
    except (LedgerError, ValueError) as error:
        raise click.ClickException(f"bad configuration: {error}") from None
    return settings


@contextmanager
def _store_errors(settings: Settings) -> Iterator[None]:
    """Turn an unreachable store or a refused configuration into one line on stderr instead of a traceback."""
    from eventsourcing.persistence import PersistenceError

    from ledger.errors import LedgerError

    try:
        yield
    except PersistenceError as error:
        hint = " (run `ledger db init` first)" if "table" in str(error) else ""
        raise click.ClickException(f"{_where(settings)}: {error}{hint}") from None
    except LedgerError as error:
        raise click.ClickException(f"{_where(settings)}: {error.detail}") from None


def _where(settings: Settings) -> str:
    """The store in words, without any password."""
    if settings.backend == "sqlite":
        return f"sqlite file {settings.db_path}"
    url = urlsplit(settings.database_url)
    return f"postgresql {url.hostname}:{url.port or 5432}{url.path}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Sales Performance Ledger: an event-sourced record of a sales team's facts.

    Storage comes from the environment: LEDGER_DB (SQLite file, default ./ledger.sqlite) or
    LEDGER_DATABASE_URL (postgresql://user:password@host:port/dbname).
    """


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="TCP port.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Worker threads (each may hold one database connection).")
def serve(host: str, port: int, threads: int) -> None:
    """Serve the HTTP API with waitress until interrupted.

    The event store is opened by the first request. With several server processes on one
    database, run `ledger db init` once first and start them with LEDGER_CREATE_TABLES=no.
    """
    from scripts.serve import serve as run_server

    run_server(_settings(), host=host, port=port, threads=threads)


@cli.group()
def db() -> None:
    """Manage the event store."""


@db.command("init")
def db_init() -> None:
    """Create the event store's tables (safe to repeat); run once before starting many workers."""
    from ledger.application import build_application

    settings = replace(_settings(), create_tables=True)
    with _store_errors(settings):
        application = build_application(settings)
        try:
            from projections.registry import Queries

            Queries(application, settings).close()  # the read models' and the integrity chain's tables too
        finally:
            application.close()
    click.echo(f"tables ready in {_where(settings)}")


def _pages(settings: Settings, after: int, limit: int | None, follow: bool, interval: float,
           since: Any = None, until: Any = None) -> Iterator[dict[str, Any]]:
    """Feed records after a position (within `since`..`until`); with `follow`, keeps polling for new ones."""
    from ledger.application import build_application
    from projections.feed import plain, read_feed

    application = build_application(replace(settings, create_tables=False))
    try:
        left = limit
        while left is None or left > 0:
            page = read_feed(application, after, min(PAGE, left) if left is not None else PAGE, since=since, until=until)
            for record in page["events"]:
                yield plain(record)
            after = page["next_after"]
            if left is not None:
                left -= len(page["events"])
            if page["until_position"] is not None and after >= page["until_position"]:
                return  # the upper bound is reached: nothing more to print or follow
            if after >= page["head"]:
                if not follow:
                    return
                time.sleep(interval)
    finally:
        application.close()


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM end a follow cleanly, even where the parent started us with SIGINT ignored
    (background jobs of non-interactive shells, as in CI)."""

    def interrupt(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


@cli.command()
@click.option("--after", default=0, show_default=True, type=click.IntRange(min=0),
              help="Print events after this ledger position.")
@click.option("--limit", default=None, type=click.IntRange(min=1), show_default="no limit",
              help="Stop after this many events.")
@click.option("--from", "since", callback=bound_option,
              help="First position, or first recording time (ISO 8601 with offset), to print; inclusive.")
@click.option("--until", callback=bound_option,
              help="Last position, or last recording time (ISO 8601 with offset), to print; inclusive.")
@click.option("--follow", "-f", is_flag=True, help="Keep polling for new events until Ctrl-C (or until --until).")
@click.option("--interval", default=1.0, show_default=True, type=click.FloatRange(min=0.05),
              help="Seconds between polls with --follow.")
def events(after: int, limit: int | None, follow: bool, interval: float, since: Any, until: Any) -> None:
    """Print the event feed as JSON lines, oldest first.

    Each line is one event as GET /api/v1/events shows it: position, stream, version, type,
    both clocks, actor, idempotency key and payload.
    """
    settings = _settings()
    _stop_on_signals()
    if settings.backend == "sqlite" and not Path(settings.db_path).exists():
        raise click.ClickException(f"no ledger at {settings.db_path}; run `ledger db init` or set LEDGER_DB")
    try:
        with _store_errors(settings):
            for record in _pages(settings, after, limit, follow, interval, since, until):
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
                sys.stdout.flush()
    except KeyboardInterrupt:
        pass
    except BrokenPipeError:  # the reader went away, e.g. `ledger events | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


cli.add_command(demo)
cli.add_command(bench)
cli.add_command(statement)
cli.add_command(payouts)
cli.add_command(tokens)
cli.add_command(projections)
cli.add_command(scorecard)
cli.add_command(leaderboard)
cli.add_command(scheduler)
cli.add_command(jobs)
cli.add_command(evidence)
cli.add_command(replay)
cli.add_command(keys)
cli.add_command(checkpoint)
cli.add_command(verify)
cli.add_command(soak)
cli.add_command(generate_command)
cli.add_command(import_command)
cli.add_command(analytics)


def main() -> None:
    """Console-script entry point (`ledger`, declared in setup.cfg)."""
    cli(prog_name="ledger")


if __name__ == "__main__":
    main()
