"""Payout runs: four-eyes approval, payment only after approval, adjustments never edit lines."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from ledger.application import LedgerApplication
from ledger.errors import Invalid, RuleViolation
from ledger.payout import PayoutRun

REP = uuid4()


def stamp() -> dict[str, Any]:
    return dict(occurred_at=datetime.now(timezone.utc), actor="t", idempotency_key="k")


def run(currency: str = "CNY", lines: list[dict[str, Any]] | None = None) -> PayoutRun:
    lines = lines if lines is not None else [
        {"rep_id": REP, "amount": Decimal("1200.50"), "description": "July commission", "source_event_ids": ["d1"]},
        {"rep_id": REP, "amount": Decimal("-200.25"), "description": "clawback", "source_event_ids": []},
    ]
    return PayoutRun.calculate(id=None, period="2026-07", currency=currency, lines=lines, calculated_by="alice",
                               **stamp())


def test_total_is_lines_plus_adjustments() -> None:
    payout = run()
    payout.adjust(rep_id=REP, amount=Decimal("-0.25"), reason="rounding dispute", **stamp())
    assert payout.total == Decimal("1000.00")
    assert [line["amount"] for line in payout.lines] == [Decimal("1200.50"), Decimal("-200.25")]


def test_calculator_cannot_approve_their_own_run() -> None:
    payout = run()
    with pytest.raises(RuleViolation) as error:
        payout.approve(approved_by=" Alice ", **stamp())
    assert error.value.code == "four-eyes" and payout.status == "calculated"


def test_run_must_be_approved_before_it_is_paid() -> None:
    payout = run()
    with pytest.raises(RuleViolation) as error:
        payout.pay(paid_on=date(2026, 8, 5), reference="B-1", **stamp())
    assert error.value.code == "not-approved"
    payout.approve(approved_by="bob", **stamp())
    payout.pay(paid_on=date(2026, 8, 5), reference="B-1", **stamp())
    assert (payout.status, payout.approved_by, payout.paid_on) == ("paid", "bob", date(2026, 8, 5))


def test_paid_run_cannot_be_approved_or_paid_again() -> None:
    payout = run()
    payout.approve(approved_by="bob", **stamp())
    payout.pay(paid_on=date(2026, 8, 5), reference="B-1", **stamp())
    with pytest.raises(RuleViolation) as approve_error:
        payout.approve(approved_by="carol", **stamp())
    with pytest.raises(RuleViolation) as pay_error:
        payout.pay(paid_on=date(2026, 8, 6), reference="B-2", **stamp())
    assert (approve_error.value.code, pay_error.value.code) == ("already-paid", "already-paid")


def test_paid_run_can_still_be_adjusted() -> None:
    payout = run()
    payout.approve(approved_by="bob", **stamp())
    payout.pay(paid_on=date(2026, 8, 5), reference="B-1", **stamp())
    payout.adjust(rep_id=REP, amount=Decimal("50.00"), reason="late deal", **stamp())
    assert payout.adjustments == [{"rep_id": REP, "amount": Decimal("50.00"), "reason": "late deal"}]


def test_amounts_finer_than_the_minor_unit_are_refused() -> None:
    with pytest.raises(Invalid):
        run(currency="JPY")
    with pytest.raises(Invalid) as error:
        run().adjust(rep_id=REP, amount=Decimal("1.001"), reason="x", **stamp())
    assert "amount" in error.value.errors


def test_run_without_lines_or_with_a_bad_period_is_invalid() -> None:
    with pytest.raises(Invalid):
        run(lines=[])
    with pytest.raises(Invalid) as error:
        PayoutRun.calculate(id=None, period="2026-13", currency="CNY", lines=[
            {"rep_id": REP, "amount": Decimal(1), "description": "", "source_event_ids": []}], calculated_by="a",
            **stamp())
    assert "period" in error.value.errors


def test_payout_run_replays_from_the_store_exactly() -> None:
    app = LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    payout = run()
    payout.adjust(rep_id=REP, amount=Decimal("10.10"), reason="fix", **stamp())
    app.save(payout)
    copy = app.repository.get(payout.id)
    assert (copy.lines, copy.adjustments, copy.total) == (payout.lines, payout.adjustments, Decimal("1010.35"))
