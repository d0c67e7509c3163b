"""A small pool world on a brand-new store, and helpers to run the pool jobs over it day by day."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Iterator
from uuid import UUID, uuid4

from jobs.base import find_job, run_job
from ledger.application import LedgerApplication, build_application
from ledger.base import Ctx
from ledger.commands import org, pool, rules, sales
from ledger.settings import Settings
from projections.registry import Queries
from tests.conftest import fresh_store


def at(text: str) -> datetime:
    return datetime.fromisoformat(text if "+" in text else text + "+00:00")


def ctx() -> Ctx:
    return Ctx("test", f"k-{uuid4()}", "fp")


@contextmanager
def store(settings: Settings, directory: Path) -> Iterator[tuple[LedgerApplication, Queries, Settings]]:
    with fresh_store(settings, directory) as fresh:
        app = build_application(fresh)
        queries = Queries(app, fresh)
        try:
            yield app, queries, fresh
        finally:
            queries.close()
            app.close()


@dataclass
class World:
    team: UUID = field(default_factory=uuid4)
    reps: dict[str, UUID] = field(default_factory=lambda: {n: uuid4() for n in ("O", "A", "B", "C")})
    customers: dict[str, UUID] = field(default_factory=lambda: {n: uuid4() for n in (
        "idle", "cancel", "vip", "fresh", "f1", "f2", "f3", "f4")})


def build_random_world(app: LedgerApplication, w: World) -> None:
    app.create_team(org.CreateTeam(name="East", id=w.team, occurred_at=at("2026-01-02T00:00")), ctx())
    for name, rep in w.reps.items():
        app.onboard_rep(org.OnboardRep(name=name, team_id=w.team, hired_on=date(2025, 1, 1), id=rep,
                                       occurred_at=at("2026-01-02T00:00")), ctx())
    app.set_pool_policy(rules.SetPoolPolicy(team_id=w.team, effective_from=date(2026, 1, 1), max_customers=4,
                                            idle_days=30, idle_days_by_level={"A": 10, "D": 2}, no_deal_days=200,
                                            warning_days=3, protection_days=7, cooloff_days=30, distribution="random",
                                            occurred_at=at("2026-01-02T00:00")), ctx())
    levels = {"vip": "A", "fresh": "D"}
    for name, customer in w.customers.items():
        app.register_customer(pool.RegisterCustomer(name=name, id=customer, level=levels.get(name, "C"),
                                                     occurred_at=at("2026-01-02T00:00")), ctx())
    claims = [("idle", "O", "2026-02-01T09:00"), ("cancel", "O", "2026-02-01T09:00"), ("vip", "O", "2026-02-20T09:00"),
              ("fresh", "O", "2026-03-01T09:00")] + [(f"f{n}", "C", "2026-03-01T09:00") for n in range(1, 5)]
    for name, rep, when in claims:
        app.claim_customer(pool.ClaimCustomer(customer_id=w.customers[name], rep_id=w.reps[rep], occurred_at=at(when)),
                           ctx())
    for name, when in (("idle", "2026-02-05T15:00"), ("cancel", "2026-02-05T15:00"), ("cancel", "2026-03-05T10:00")):
        follow_up(app, w.reps["O"], w.customers[name], when)


def follow_up(app: LedgerApplication, rep: UUID, customer: UUID, when: str) -> None:
    app.log_follow_up(sales.LogFollowUp(rep_id=rep, customer_id=customer, kind="call", stage="lead",
                                        occurred_at=at(when)), ctx())


def run(app: LedgerApplication, queries: Queries, settings: Settings, job: str, when: str) -> int:
    return run_job(find_job(job), app, queries, settings, at(when)).recorded


def daily(app: LedgerApplication, queries: Queries, settings: Settings, first: str, last: str) -> list[int]:
    day, end, counts = date.fromisoformat(first), date.fromisoformat(last), []
    while day <= end:
        counts.append(run(app, queries, settings, "recycle", f"{day}T02:00"))
        day += timedelta(days=1)
    return counts


def history(app: LedgerApplication, customer: UUID) -> list[Any]:
    """The customer's events after registration and claim."""
    return list(app.repository.event_store.get(customer))[2:]


def summary(events: list[Any]) -> list[tuple[Any, ...]]:
    return [(type(e).__name__, e.occurred_at.date().isoformat(), getattr(e, "days_idle", None),
             getattr(e, "recycle_on", None)) for e in events]
