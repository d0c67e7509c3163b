"""A rebuild racing catch-ups of the same projection (the API's rebuild while queries catch up, or
`ledger projections rebuild` beside a server): no duplicate rows, no error, the same rows as alone."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

from ledger.application import build_application
from ledger.base import Ctx
from ledger.commands import org, pool, sales
from ledger.settings import Settings
from projections.db import Database
from projections.pool import PoolProjection
from projections.runner import Runner
from projections.scorecards import ScorecardProjection
from projections.store import create_schema
from tests.conftest import fresh_store

START = datetime(2026, 5, 4, 9, tzinfo=timezone.utc)


def ctx() -> Ctx:
    return Ctx("race", f"k-{uuid4()}", "fp")


def some_history(app: Any) -> None:
    team = app.create_team(org.CreateTeam(name="race", occurred_at=START), ctx()).id
    reps = [app.onboard_rep(org.OnboardRep(name=f"r{n}", team_id=team, hired_on=date(2025, 1, 1), occurred_at=START),
                            ctx()).id for n in range(3)]
    for n in range(60):
        when = START + timedelta(hours=n)
        customer = app.register_customer(pool.RegisterCustomer(name=f"c{n}", occurred_at=when), ctx()).id
        app.claim_customer(pool.ClaimCustomer(customer_id=customer, rep_id=reps[n % 3], occurred_at=when), ctx())
        app.close_deal(sales.CloseDeal(rep_id=reps[n % 3], customer_id=customer, amount=Decimal(100 + n),
                                       currency="CNY", product="p", customer_type="new", closed_on=when.date(),
                                       occurred_at=when), ctx())


def race(runner: Runner, rebuilds: bool, failures: list[BaseException]) -> None:
    """Rebuild (one racer) or catch up (the others) four times; any error is collected for the test."""
    try:
        for _ in range(4):
            runner.rebuild() if rebuilds else runner.catch_up()
    except BaseException as error:  # noqa: BLE001  # asserted by the test, with the others'
        failures.append(error)


def rows(db: Database, name: str) -> list[tuple[Any, ...]]:
    with db.transaction(write=False) as cur:
        cur.execute("SELECT kind, part, key, valid_from, valid_to, state FROM projection_rows WHERE projection = ? "
                    "ORDER BY kind, part, key, valid_from", (name,))
        return [tuple(row) for row in cur.fetchall()]


def test_rebuilds_racing_catch_ups_leave_exactly_the_rows_of_a_lone_rebuild(settings: Settings, tmp_path: Path) -> None:
    with fresh_store(settings, tmp_path) as fresh:
        app = build_application(fresh)
        db = Database(fresh)
        try:
            create_schema(db)
            some_history(app)
            for make in (ScorecardProjection, PoolProjection):
                failures: list[BaseException] = []
                racers = [threading.Thread(target=race, args=(Runner(app, db, make(), batch=7), n == 0, failures))
                          for n in range(3)]
                for racer in racers:
                    racer.start()
                for racer in racers:
                    racer.join(timeout=300)
                assert failures == []
                name = make.name
                Runner(app, db, make(), batch=7).catch_up()
                raced = rows(db, name)
                Runner(app, db, make()).rebuild()
                assert raced == rows(db, name)
        finally:
            db.close()
            app.close()
