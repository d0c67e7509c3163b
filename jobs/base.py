"""What a job is, what it gets to work with, and how its facts stay exactly-once."""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from ledger.application import LedgerApplication
from ledger.base import Ctx
from ledger.clock import FixedClock
from ledger.errors import Invalid
from ledger.settings import Settings
from projections.registry import Queries


@dataclass
class JobContext:
    """A job's world: the ledger, its read side, the settings and the instant the job runs for."""

    app: LedgerApplication
    queries: Queries
    settings: Settings
    at: datetime
    recorded: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def clock(self) -> FixedClock:
        """The injectable clock every rule reads "now" from: the instant the job runs for."""
        return FixedClock(self.at)

    def ctx(self, job: str, *subject: object) -> Ctx:
        """Deterministic idempotency key per job and subject (e.g. customer and period): a second run,
        or a second scheduler process, replays the first result instead of recording the fact again."""
        key = f"job:{job}:" + ":".join(str(s) for s in subject)
        return Ctx(actor=f"scheduler:{job}", idempotency_key=key[:255],
                   fingerprint=hashlib.sha256(key.encode()).hexdigest())

    def record(self, command: Callable[[Any, Ctx], Any], cmd: Any, ctx: Ctx) -> Any:
        """Run a command; counts it only if it recorded something new."""
        before = self.app.head()
        result = command(cmd, ctx)
        if self.app.head() != before:
            self.recorded += 1
        return result


@dataclass(frozen=True)
class Job:
    """A named, idempotent job with its default schedule (crontab syntax, UTC)."""

    name: str
    description: str
    cron: str
    run: Callable[[JobContext], None]


def all_jobs() -> dict[str, Job]:
    """Every job defined by a module of this package, by name."""
    import jobs

    found: dict[str, Job] = {}
    for module in pkgutil.iter_modules(jobs.__path__):
        if module.name == "base":
            continue
        for job in getattr(importlib.import_module(f"jobs.{module.name}"), "JOBS", []):
            found[job.name] = job
    return dict(sorted(found.items()))


def find_job(name: str) -> Job:
    jobs = all_jobs()
    if name not in jobs:
        raise Invalid(f"no job named {name!r}", errors={"name": [f"one of {', '.join(jobs) or '(none)'}"]})
    return jobs[name]


def cron_for(job: Job, settings: Settings) -> str:
    """The job's schedule: LEDGER_JOB_CRONS may override it (`name=cron;name=cron`)."""
    return settings.job_crons().get(job.name, job.cron)


def run_job(job: Job, app: LedgerApplication, queries: Queries, settings: Settings, at: datetime) -> JobContext:
    if at.tzinfo is None:
        raise Invalid("a job runs at a timezone-aware instant", errors={"at": ["timezone required"]})
    context = JobContext(app, queries, settings, at)
    job.run(context)
    return context
