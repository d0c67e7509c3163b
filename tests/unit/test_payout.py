"""Payout runs: four-eyes approval, payment only after approval, a paid run never changes, adjustments never
edit lines."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from ledger.application import LedgerApplication
from ledger.errors import Invalid, RuleViolation
from ledger.payout import PayoutRun

REP, TEAM, DEAL, PLAN = uuid4(), uuid4(), uuid4(), uuid4()


def stamp() -> dict[str, Any]:
    return dict(occurred_at=datetime.now(timezone.utc), actor="t", idempotency_key="k")


def line(amount: str, kind: str = "commission", rep_id: UUID = REP) -> dict[str, Any]:
    return {"rep_id": rep_id, "line_id": f"{kind}-{amount}", "kind": kind, "deal_id": DEAL, "rule": "base rate 5%",
            "plan_id": PLAN, "plan_version": 1, "base": Decimal("24010.00"), "rate": Decimal("0.05"),
            "amount": Decimal(amount), "currency": "CNY", "positions": [12, 3]}


def run(currency: str = "CNY", lines: list[dict[str, Any]] | None = None) -> PayoutRun:
    lines = lines if lines is not None else [line("1200.50"), line("-200.25", "clawback")]
    return PayoutRun.calculate(id=None, period="2026-07", team_id=TEAM, currency=currency, lines=lines,
                               through_position=40, calculated_by="alice", **stamp())


def paid_run() -> PayoutRun:
    payout = run()
    payout.approve(approved_by="bob", **stamp())
    payout.pay(paid_on=date(2026, 8, 5), reference="B-1", **stamp())
    return payout


def test_total_is_lines_plus_adjustments_and_lines_keep_what_the_engine_computed() -> None:
    payout = run()
    payout.adjust(rep_id=REP, amount=Decimal("-0.25"), reason="rounding dispute", **stamp())
    assert payout.total == Decimal("1000.00")
    assert payout.lines == [line("1200.50"), line("-200.25", "clawback")]
    assert (payout.team_id, payout.through_position, payout.status) == (TEAM, 40, "calculated")
    assert payout.paid_to(REP) == Decimal("1000.00") and payout.paid_to(uuid4()) == 0


def test_manual_adjustment_corrects_the_run_period_and_names_its_source() -> None:
    payout = run()
    payout.adjust(rep_id=REP, amount=Decimal("10.00"), reason="missed deal", **stamp())
    assert payout.adjustments == [{"rep_id": REP, "amount": Decimal("10.00"), "reason": "missed deal",
                                   "source": "manual", "corrects_period": "2026-07", "corrects_run_id": None,
                                   "dispute_id": None, "positions": []}]


def test_calculator_cannot_approve_their_own_run() -> None:
    payout = run()
    with pytest.raises(RuleViolation) as error:
        payout.approve(approved_by=" Alice ", **stamp())
    assert error.value.code == "four-eyes" and payout.status == "calculated"


def test_recalculation_replaces_lines_keeps_adjustments_and_makes_the_recalculator_the_calculator() -> None:
    payout = run()
    payout.adjust(rep_id=REP, amount=Decimal("5.00"), reason="manual", **stamp())
    payout.approve(approved_by="bob", **stamp())
    payout.recalculate(lines=[line("1500.00")], through_position=55, recalculated_by="bob", **stamp())
    assert (payout.lines, payout.through_position, payout.status) == ([line("1500.00")], 55, "calculated")
    assert payout.total == Decimal("1505.00") and len(payout.adjustments) == 1
    with pytest.raises(RuleViolation) as error:
        payout.approve(approved_by="bob", **stamp())
    assert error.value.code == "four-eyes"
    payout.approve(approved_by="alice", **stamp())
    assert payout.approved_by == "alice"


def test_run_must_be_approved_before_it_is_paid() -> None:
    payout = run()
    with pytest.raises(RuleViolation) as error:
        payout.pay(paid_on=date(2026, 8, 5), reference="B-1", **stamp())
    assert error.value.code == "not-approved"
    payout.approve(approved_by="bob", **stamp())
    payout.pay(paid_on=date(2026, 8, 5), reference="B-1", **stamp())
    assert (payout.status, payout.approved_by, payout.paid_on) == ("paid", "bob", date(2026, 8, 5))


def test_adjusting_an_approved_run_sends_it_back_for_approval() -> None:
    payout = run()
    payout.approve(approved_by="bob", **stamp())
    payout.adjust(rep_id=REP, amount=Decimal("-100.00"), reason="over-credited", **stamp())
    assert (payout.status, payout.approved_by) == ("calculated", None)
    with pytest.raises(RuleViolation) as error:
        payout.pay(paid_on=date(2026, 8, 5), reference="B-1", **stamp())
    assert error.value.code == "not-approved"


def test_paid_run_cannot_be_approved_or_paid_again() -> None:
    payout = paid_run()
    with pytest.raises(RuleViolation) as approve_error:
        payout.approve(approved_by="carol", **stamp())
    with pytest.raises(RuleViolation) as pay_error:
        payout.pay(paid_on=date(2026, 8, 6), reference="B-2", **stamp())
    assert (approve_error.value.code, pay_error.value.code) == ("already-paid", "already-paid")


def test_paid_run_is_never_adjusted_or_recalculated() -> None:
    payout = paid_run()
    before = (payout.version, list(payout.lines), list(payout.adjustments), payout.total)
    with pytest.raises(RuleViolation) as adjust_error:
        payout.adjust(rep_id=REP, amount=Decimal("50.00"), reason="late deal", **stamp())
    with pytest.raises(RuleViolation) as recalc_error:
        payout.recalculate(lines=[line("9.00")], through_position=99, recalculated_by="carol", **stamp())
    assert (adjust_error.value.code, recalc_error.value.code) == ("run-paid", "run-paid")
    assert (payout.version, payout.lines, payout.adjustments, payout.total) == before
    assert payout.status == "paid" and payout.total == Decimal("1000.25")


def test_run_recorded_before_runs_were_computed_per_team_is_never_recalculated_to_nothing() -> None:
    legacy = PayoutRun.calculate(id=None, period="2026-05", team_id=None, currency="CNY", lines=[line("300.00")],
                                 through_position=0, calculated_by="alice", **stamp())
    with pytest.raises(RuleViolation) as error:
        legacy.recalculate(lines=[], through_position=90, recalculated_by="bob", **stamp())
    assert (error.value.code, legacy.lines, legacy.total) == ("not-recalculable", [line("300.00")], Decimal("300.00"))


def test_amounts_finer_than_the_minor_unit_are_refused() -> None:
    with pytest.raises(Invalid) as yen:
        run(currency="JPY")  # 1200.50 has no place in yen
    assert "lines" in yen.value.errors
    with pytest.raises(Invalid) as error:
        run().adjust(rep_id=REP, amount=Decimal("1.001"), reason="x", **stamp())
    assert "amount" in error.value.errors
    with pytest.raises(Invalid) as zero:
        run().adjust(rep_id=REP, amount=Decimal("0.00"), reason="x", **stamp())
    assert "amount" in zero.value.errors


def test_line_without_a_rep_or_a_bad_period_is_invalid() -> None:
    with pytest.raises(Invalid) as no_rep:
        run(lines=[{"amount": Decimal("1.00"), "kind": "commission"}])
    assert "lines" in no_rep.value.errors
    with pytest.raises(Invalid) as error:
        PayoutRun.calculate(id=None, period="2026-13", team_id=TEAM, currency="CNY", lines=[line("1.00")],
                            through_position=1, calculated_by="a", **stamp())
    assert "period" in error.value.errors


def test_payout_run_replays_from_the_store_exactly() -> None:
    app = LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    payout = run()
    dispute = uuid4()
    payout.adjust(rep_id=REP, amount=Decimal("10.10"), reason="dispute resolved", source="dispute",
                  corrects_period="2026-06", dispute_id=dispute, positions=[77], **stamp())
    payout.recalculate(lines=[line("1200.50"), line("-200.25", "clawback")], through_position=80,
                       recalculated_by="carol", **stamp())
    payout.approve(approved_by="bob", **stamp())
    app.save(payout)
    copy = app.repository.get(payout.id)
    assert (copy.lines, copy.adjustments, copy.total) == (payout.lines, payout.adjustments, Decimal("1010.35"))
    assert copy.adjustments[0]["dispute_id"] == dispute and copy.adjustments[0]["corrects_period"] == "2026-06"
    assert (copy.through_position, copy.calculated_by, copy.approved_by, copy.team_id) == (80, "carol", "bob", TEAM)


def test_runs_and_adjustments_stored_before_teams_and_sources_are_upcast() -> None:
    calculated: dict[str, Any] = {"period": "2026-05", "currency": "CNY", "lines": [], "calculated_by": "a"}
    PayoutRun.Calculated.upcast_v1_v2(calculated)
    assert (calculated["team_id"], calculated["through_position"]) == (None, 0)
    adjusted: dict[str, Any] = {"rep_id": REP, "amount": Decimal("1.00"), "reason": "x"}
    PayoutRun.Adjusted.upcast_v1_v2(adjusted)
    assert adjusted == {"rep_id": REP, "amount": Decimal("1.00"), "reason": "x", "source": "manual",
                        "corrects_period": None, "corrects_run_id": None, "dispute_id": None, "positions": []}
