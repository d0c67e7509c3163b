"""Property: whatever is attempted afterwards, a paid payout run never changes; only approved runs get paid,
and never approved by their calculator."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ledger.application import LedgerApplication
from ledger.base import Ctx
from ledger.commands import org, payouts
from ledger.errors import LedgerError
from ledger.payout import PayoutRun

NOW = datetime(2026, 9, 3, 9, tzinfo=timezone.utc)
PERIODS = ["2026-07", "2026-08"]
PEOPLE = ["alice", "bob", "carol"]
period = st.sampled_from(PERIODS)
person = st.sampled_from(PEOPLE)
cents = st.integers(min_value=-50_000, max_value=500_000).filter(lambda n: n != 0)


def ctx() -> Ctx:
    return Ctx("property", f"k-{uuid4()}", f"fp-{uuid4()}")


def money(n: int) -> Decimal:
    return Decimal(n).scaleb(-2)


class PayoutMachine(RuleBasedStateMachine):
    """Random calculations, recalculations, adjustments, approvals and payments of one team's monthly runs."""

    def __init__(self) -> None:
        super().__init__()
        self.app = LedgerApplication()
        self.team = self.app.create_team(org.CreateTeam(name="T", occurred_at=NOW), ctx()).id
        self.rep = self.app.onboard_rep(org.OnboardRep(name="r", team_id=self.team, hired_on=date(2025, 1, 1),
                                                       occurred_at=NOW), ctx()).id
        self.runs: dict[str, UUID] = {}
        self.calculated_by: dict[str, str] = {}
        self.paid: dict[UUID, tuple[int, Decimal, Any, Any]] = {}  # run -> version, total, lines, adjustments

    def lines(self, amount: int) -> list[dict[str, Any]]:
        return [{"rep_id": self.rep, "line_id": f"commission-{amount}", "kind": "commission", "amount": money(amount),
                 "currency": "CNY", "positions": [1]}]

    def attempt(self, command: Any, cmd: Any) -> PayoutRun | None:
        before = self.app.head()
        try:
            return command(cmd, ctx())  # type: ignore[no-any-return]
        except LedgerError as error:
            assert self.app.head() == before, "a refused command recorded events"
            event(f"refused: {error.code}")
            return None

    def run_of(self, month: str) -> UUID | None:
        return self.runs.get(month)

    @rule(month=period, who=person, amount=cents, correction=cents)
    def calculate(self, month: str, who: str, amount: int, correction: int) -> None:
        run = self.attempt(self.app.calculate_payout, payouts.CalculatePayout(
            period=month, team_id=self.team, currency="CNY", lines=self.lines(amount),
            adjustments=[{"rep_id": self.rep, "amount": money(correction), "reason": "late deal", "source": "recalculation"}],
            through_position=self.app.head(), calculated_by=who, occurred_at=NOW))
        if run is not None:
            assert month not in self.runs, "a second run for the same team and month"
            self.runs[month], self.calculated_by[month] = run.id, who

    @rule(month=period, who=person, amount=cents)
    def recalculate(self, month: str, who: str, amount: int) -> None:
        if (run := self.run_of(month)) is not None:
            self.attempt(self.app.recalculate_payout, payouts.RecalculatePayout(
                run_id=run, lines=self.lines(amount), adjustments=[], through_position=self.app.head(),
                recalculated_by=who, occurred_at=NOW))

    @rule(month=period, amount=cents)
    def adjust(self, month: str, amount: int) -> None:
        if (run := self.run_of(month)) is not None:
            self.attempt(self.app.adjust_payout, payouts.AdjustPayout(
                run_id=run, rep_id=self.rep, amount=money(amount), reason="manual", occurred_at=NOW))

    @rule(month=period, who=person)
    def approve(self, month: str, who: str) -> None:
        if (run := self.run_of(month)) is not None:
            approved = self.attempt(self.app.approve_payout, payouts.ApprovePayout(run, who, NOW))
            if approved is not None:
                assert approved.calculated_by != who, "approved by its own calculator"
                event("approved")

    @rule(month=period)
    def pay(self, month: str) -> None:
        if (run := self.run_of(month)) is None:
            return
        status = self.load(run).status
        paid = self.attempt(self.app.pay_payout, payouts.PayPayout(run, date(2026, 9, 10), f"B-{month}", NOW))
        if paid is not None:
            assert status == "approved", f"a {status} run was paid"
            self.paid[run] = (paid.version, paid.total, paid.lines, paid.adjustments)
            event("paid")

    def load(self, run: UUID) -> PayoutRun:
        loaded = self.app.repository.get(run)
        assert isinstance(loaded, PayoutRun)
        return loaded

    @invariant()
    def a_paid_run_never_changes(self) -> None:
        for run, (version, total, lines, adjustments) in self.paid.items():
            stored = self.load(run)
            assert stored.status == "paid"
            assert (stored.version, stored.total, stored.lines, stored.adjustments) == (version, total, lines, adjustments)


PayoutMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None, database=None)
test_a_paid_run_never_changes_whatever_is_attempted_after = PayoutMachine.TestCase
