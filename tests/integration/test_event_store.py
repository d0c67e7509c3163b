"""The event store on the configured database: exact round trips, JSON storage, ordered positions."""

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from ledger.base import Ctx
from ledger.commands.org import CreateTeam, OnboardRep
from ledger.rep import Rep
from tests.conftest import TEST_DATABASE_URL


def test_store_backend_matches_configuration(ledger_app: Any) -> None:
    expected = "eventsourcing.postgres" if TEST_DATABASE_URL else "eventsourcing.sqlite"
    assert type(ledger_app.factory).__module__ == expected


def test_values_round_trip_exactly_and_are_stored_as_json(ledger_app: Any) -> None:
    occurred = datetime(2026, 2, 28, 23, 59, 59, 123456, tzinfo=timezone.utc)
    ctx = Ctx("auditor-test", f"k-{uuid4()}", "fp")
    team = ledger_app.create_team(CreateTeam(name="Exact", occurred_at=occurred), Ctx("t", f"k-{uuid4()}", "fp"))
    rep = ledger_app.onboard_rep(OnboardRep(name="Zhao", team_id=team.id, hired_on=date(2024, 2, 29), occurred_at=occurred), ctx)
    events = list(ledger_app.repository.event_store.get(rep.id))
    onboarded = events[0]
    assert isinstance(onboarded, Rep.Onboarded)
    assert onboarded.hired_on == date(2024, 2, 29) and type(onboarded.hired_on) is date
    assert onboarded.occurred_at == occurred and onboarded.team_id == team.id
    assert onboarded.idempotency_key == ctx.idempotency_key and onboarded.actor == "auditor-test"
    stored = ledger_app.recorder.select_events(rep.id)
    state = json.loads(stored[0].state)
    assert state["hired_on"] == {"_type_": "date_iso", "_data_": "2024-02-29"}
    assert stored[0].topic == "ledger.rep:Rep.Onboarded"


def test_decimal_scale_survives_the_store(ledger_app: Any) -> None:
    from ledger.services.base import DateAsISO  # noqa: F401  (registered by the application)

    transcoder = ledger_app.mapper.transcoder
    for text in ("0.10", "1E+3", "12345678901234.5678", "-0.00"):
        value = Decimal(text)
        back = transcoder.decode(transcoder.encode({"v": value}))["v"]
        assert back == value and str(back) == str(value)


@pytest.mark.parametrize("batch", [1, 7])
def test_positions_increase_in_commit_order(ledger_app: Any, batch: int) -> None:
    start = ledger_app.head()
    now = datetime.now(timezone.utc)
    for _ in range(batch):
        ledger_app.create_team(CreateTeam(name="Order", occurred_at=now), Ctx("t", f"k-{uuid4()}", "fp"))
    notifications = ledger_app.recorder.select_notifications(start=start + 1, limit=100)
    ids = [n.id for n in notifications]
    assert ids == sorted(ids) and len(ids) == 2 * batch  # each write: its event and its request record
