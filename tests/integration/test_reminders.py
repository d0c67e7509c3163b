"""Contract-expiry reminders: once per contract term, however often and from however many processes the job runs."""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator
from uuid import UUID, uuid4

import pytest

from jobs.base import find_job, run_job
from ledger.application import LedgerApplication, build_application
from ledger.base import Ctx
from ledger.commands import contracts, org
from ledger.commands.reminders import SendContractReminder
from ledger.contract_reminder import ContractReminder, reminder_id
from ledger.errors import RuleViolation
from ledger.settings import Settings
from projections.registry import Queries
from tests.conftest import fresh_store

ROOT = Path(__file__).resolve().parents[2]
SENT_TOPIC = "ledger.contract_reminder:ContractReminder.Sent"
SIGNED_AT = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def store(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LedgerApplication, Queries, Settings]]:
    """A ledger of its own, so that only this module's contracts are due."""
    with fresh_store(settings, tmp_path_factory.mktemp("reminders")) as fresh:
        fresh = replace(fresh, contract_reminder_days=30)
        app = build_application(fresh)
        queries = Queries(app, fresh)
        yield app, queries, fresh
        queries.close()
        app.close()


def ctx() -> Ctx:
    return Ctx("test", f"k-{uuid4()}")


def sign(app: LedgerApplication, ends_on: date | None, kind: str = "fixed_term") -> UUID:
    team = app.create_team(org.CreateTeam(name="Reminders", occurred_at=SIGNED_AT), ctx()).id
    rep = app.onboard_rep(org.OnboardRep(name="王芳", team_id=team, hired_on=date(2025, 1, 2), occurred_at=SIGNED_AT),
                          ctx()).id
    return app.sign_contract(contracts.SignContract(
        rep_id=rep, kind=kind, starts_on=date(2025, 1, 2), ends_on=ends_on, post="sales",
        base_pay_amount=Decimal("9000.00"), currency="CNY", occurred_at=SIGNED_AT), ctx()).id


def run(store: tuple[LedgerApplication, Queries, Settings], at: datetime) -> int:
    app, queries, settings = store
    return run_job(find_job("contract-reminders"), app, queries, settings, at).recorded


def sent(app: LedgerApplication, contract_id: UUID) -> list[Any]:
    """Every ContractReminder.Sent of the contract, from the log."""
    events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 10_000, topics=[SENT_TOPIC])]
    return [e for e in events if e.contract_id == contract_id]


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def hourly(start: datetime, days: int) -> list[datetime]:
    return [start + timedelta(hours=h) for h in range(24 * days)]


def test_hourly_runs_over_several_days_remind_once_thirty_days_before_the_end(store: Any) -> None:
    app = store[0]
    ends_on = date(2031, 3, 31)
    contract = sign(app, ends_on)
    due = midnight(ends_on - timedelta(days=30))
    for at in hourly(due - timedelta(days=2), 5):
        run(store, at)
    [reminder] = sent(app, contract)
    assert (reminder.ends_on, reminder.days_before, reminder.occurred_at) == (ends_on, 30, due)
    assert reminder.originator_id == reminder_id(contract, ends_on) and reminder.actor == "scheduler:contract-reminders"
    stream = app.repository.get(reminder_id(contract, ends_on))
    assert isinstance(stream, ContractReminder) and stream.version == 1


def test_nothing_is_due_before_the_window_or_after_the_end(store: Any) -> None:
    app = store[0]
    ends_on = date(2031, 5, 31)
    contract = sign(app, ends_on)
    run(store, midnight(ends_on - timedelta(days=31)) + timedelta(hours=23))
    run(store, midnight(ends_on + timedelta(days=1)))
    assert sent(app, contract) == []


def test_two_threads_with_their_own_connections_remind_once(store: Any) -> None:
    app, queries, settings = store
    ends_on = date(2031, 7, 31)
    contract = sign(app, ends_on)
    other = build_application(settings)
    try:
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def worker(application: LedgerApplication) -> None:
            try:
                barrier.wait()
                for at in hourly(midnight(ends_on - timedelta(days=30)), 1)[:6]:
                    run_job(find_job("contract-reminders"), application, queries, settings, at)
            except BaseException as error:  # surfaced below
                errors.append(error)

        threads = [threading.Thread(target=worker, args=(a,)) for a in (app, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
    finally:
        other.close()
    assert len(sent(app, contract)) == 1


def test_two_scheduler_processes_at_once_remind_once(store: Any) -> None:
    app, _, settings = store
    ends_on = date(2031, 9, 30)
    contract = sign(app, ends_on)
    env = {**os.environ, "LEDGER_MASTER_KEY": settings.master_key, "LEDGER_DB": settings.db_path,
           "LEDGER_DATABASE_URL": settings.database_url, "LEDGER_CONTRACT_REMINDER_DAYS": "30",
           "LEDGER_CREATE_TABLES": "no"}  # created once already, as for any pool of workers
    at = (midnight(ends_on - timedelta(days=29)) + timedelta(hours=5)).isoformat()
    processes = [subprocess.Popen([str(ROOT / ".venv/bin/ledger"), "jobs", "run", "contract-reminders", "--at", at],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    [reminder] = sent(app, contract)
    assert reminder.days_before == 29


def test_terminated_and_open_ended_contracts_get_no_reminder(store: Any) -> None:
    app = store[0]
    ends_on = date(2032, 1, 31)
    terminated = sign(app, ends_on)
    app.terminate_contract(contracts.TerminateContract(
        contract_id=terminated, terminated_on=date(2026, 3, 1), ground="mutual", notice="none",
        occurred_at=SIGNED_AT + timedelta(days=1)), ctx())
    open_ended = sign(app, None, kind="open_ended")
    for at in hourly(midnight(ends_on - timedelta(days=30)), 1)[:3]:
        run(store, at)
    assert sent(app, terminated) == [] and sent(app, open_ended) == []
    with pytest.raises(RuleViolation) as refused:
        app.send_contract_reminder(SendContractReminder(contract_id=terminated, ends_on=ends_on, on=ends_on,
                                                        occurred_at=SIGNED_AT), ctx())
    assert refused.value.code == "contract-terminated"


def test_a_renewed_term_gets_its_own_reminder(store: Any) -> None:
    app = store[0]
    first_end, second_end = date(2032, 3, 31), date(2034, 3, 31)
    contract = sign(app, first_end)
    run(store, midnight(first_end - timedelta(days=30)))
    app.renew_contract(contracts.RenewContract(contract_id=contract, new_ends_on=second_end, renewed_on=date(2026, 3, 1),
                                               occurred_at=SIGNED_AT + timedelta(days=2)), ctx())
    run(store, midnight(first_end - timedelta(days=30)) + timedelta(hours=1))
    assert [r.ends_on for r in sent(app, contract)] == [first_end]
    for at in hourly(midnight(second_end - timedelta(days=31)), 3):
        run(store, at)
    assert [(r.ends_on, r.days_before) for r in sent(app, contract)] == [(first_end, 30), (second_end, 30)]


def test_an_amended_end_date_is_the_term_reminded(store: Any) -> None:
    app = store[0]
    old_end, new_end = date(2033, 6, 30), date(2033, 4, 30)
    contract = sign(app, old_end)
    amendment = app.propose_amendment(contracts.ProposeAmendment(
        contract_id=contract, changes={"ends_on": new_end}, effective_on=date(2026, 2, 1), proposed_by="employer",
        occurred_at=SIGNED_AT), ctx()).amendments[-1]["id"]
    for party in ("employer", "employee"):
        app.sign_amendment(contracts.SignAmendment(contract_id=contract, amendment_id=amendment, party=party,
                                                   signer=party, occurred_at=SIGNED_AT), ctx())
    run(store, midnight(new_end - timedelta(days=30)))
    assert [(r.ends_on, r.days_before) for r in sent(app, contract)] == [(new_end, 30)]


def test_a_second_reminder_for_the_same_term_records_nothing(store: Any) -> None:
    app = store[0]
    ends_on = date(2033, 9, 30)
    contract = sign(app, ends_on)
    command = SendContractReminder(contract_id=contract, ends_on=ends_on, on=ends_on - timedelta(days=10),
                                   occurred_at=SIGNED_AT)
    first = app.send_contract_reminder(command, ctx())
    head = app.head()
    again = app.send_contract_reminder(replace(command, on=ends_on - timedelta(days=5)), ctx())
    assert app.head() == head and (again.id, again.version, again.days_before) == (first.id, 1, 10)
    with pytest.raises(RuleViolation) as refused:
        app.send_contract_reminder(replace(command, ends_on=ends_on + timedelta(days=1)), ctx())
    assert refused.value.code == "not-current-term"
