"""A contract's terms and status on a given day: amendments from their effective date, renewals, termination."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from ledger.application import LedgerApplication
from ledger.contract import Contract
from ledger.contract_terms import status_on
from ledger.errors import RuleViolation


def stamp() -> dict[str, Any]:
    return dict(occurred_at=datetime.now(timezone.utc), actor="t", idempotency_key="k")


def signed(kind: str = "fixed_term", ends_on: date | None = date(2028, 1, 31)) -> Contract:
    return Contract.sign(id=None, rep_id=uuid4(), kind=kind, starts_on=date(2025, 2, 1), ends_on=ends_on,
                         probation_months=3, post="sales", base_pay_amount=Decimal("9000.00"), currency="CNY",
                         pay_period="month", commission_plan_id=None, performance_clause="targets", **stamp())


def agreed(contract: Contract, effective_on: date, **changes: Any) -> UUID:
    amendment_id = contract.propose_amendment(amendment_id=None, changes=changes, effective_on=effective_on,
                                              proposed_by="employer", reason="", **stamp())
    for party in ("employee", "employer"):
        contract.sign_amendment(amendment_id=amendment_id, party=party, signer=party, **stamp())
    return amendment_id


def test_terms_change_on_the_effective_date_not_before() -> None:
    contract = signed()
    agreed(contract, date(2026, 1, 1), post="lead", base_pay_amount=Decimal("12000.00"))
    assert contract.terms_on(date(2025, 12, 31))["post"] == "sales"
    assert contract.terms_on(date(2025, 12, 31))["base_pay_amount"].value == Decimal("9000.00")
    assert contract.terms_on(date(2026, 1, 1))["post"] == "lead"
    assert contract.terms_on(date(2026, 1, 1))["base_pay_amount"].value == Decimal("12000.00")


def test_an_amendment_signed_by_one_party_never_applies() -> None:
    contract = signed()
    amendment_id = contract.propose_amendment(amendment_id=None, changes={"post": "lead"}, effective_on=date(2025, 6, 1),
                                              proposed_by="employer", reason="", **stamp())
    contract.sign_amendment(amendment_id=amendment_id, party="employer", signer="HR", **stamp())
    assert contract.terms_on(date(2027, 1, 1))["post"] == "sales" and contract.post == "sales"


def test_the_later_effective_date_prevails_whatever_the_signing_order() -> None:
    contract = signed()
    agreed(contract, date(2026, 6, 1), post="lead")
    agreed(contract, date(2026, 3, 1), post="senior sales")  # agreed later, but effective earlier
    assert [contract.terms_on(date(2026, m, 15))["post"] for m in (2, 4, 7)] == ["sales", "senior sales", "lead"]
    assert contract.post == "lead"  # current state: every agreed change in force


def test_a_renewal_moves_the_end_from_the_day_it_was_agreed() -> None:
    contract = signed()
    contract.renew(new_ends_on=date(2031, 1, 31), renewed_on=date(2027, 12, 1), **stamp())
    assert contract.terms_on(date(2027, 11, 30))["ends_on"] == date(2028, 1, 31)
    assert contract.terms_on(date(2027, 12, 1))["ends_on"] == date(2031, 1, 31)
    assert [contract.status_on(date(2027, 11, 30)), contract.status_on(date(2027, 12, 1))] == ["active", "renewed"]


@pytest.mark.parametrize("day, expected", [
    (date(2025, 1, 31), "not_yet_started"), (date(2025, 2, 1), "active"), (date(2026, 6, 30), "active"),
    (date(2026, 7, 1), "terminated"), (date(2028, 2, 1), "terminated"),
])
def test_status_follows_start_and_termination(day: date, expected: str) -> None:
    assert status_on(day, starts_on=date(2025, 2, 1), ends_on=date(2028, 1, 31), terminated_on=date(2026, 6, 30),
                     renewed=False) == expected


def test_a_fixed_term_expires_after_its_last_day_an_open_ended_never() -> None:
    assert signed().status_on(date(2028, 1, 31)) == "active"
    assert signed().status_on(date(2028, 2, 1)) == "expired"
    assert signed(kind="open_ended", ends_on=None).status_on(date(2060, 1, 1)) == "active"


def test_notice_cannot_be_served_after_the_last_day() -> None:
    with pytest.raises(RuleViolation) as error:
        signed().terminate(terminated_on=date(2026, 6, 30), ground="mutual", notice="none", reason="",
                           notice_given_on=date(2026, 7, 1), **stamp())
    assert error.value.code == "notice-after-end" and "notice_given_on" in error.value.errors


def test_terminations_stored_before_notice_dates_read_back_without_one() -> None:
    app = LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    contract = signed()
    contract.terminate(terminated_on=date(2026, 6, 30), ground="mutual", notice="none", reason="agreed", **stamp())
    stored = app.mapper.to_stored_event(contract.collect_events()[-1])
    state = app.mapper.transcoder.decode(stored.state)
    assert state.pop("class_version") == 2 and state.pop("notice_given_on") is None
    old = app.mapper.to_domain_event(replace(stored, state=app.mapper.transcoder.encode(state)))  # as version 1 stored it
    assert isinstance(old, Contract.Terminated) and old.notice_given_on is None and old.reason == "agreed"
