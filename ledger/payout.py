"""PayoutRun: a period's payout lines, approved by a second person, paid, and adjusted only by new events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, RuleViolation
from ledger.money import ROUNDING, Money, check_currency, quantum
from ledger.periods import check_period


def _exact(amount: object, currency: str, field: str) -> Decimal:
    if not isinstance(amount, Decimal):
        raise Invalid("amounts are decimals", errors={field: ["not a decimal"]})
    return Money(amount, currency).check_exact(field).amount


def check_lines(lines: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
    """Normalised lines: each names a rep and an exact amount (negative for clawbacks); the rest of a
    line (kind, deal, rule, plan version, base, rate, positions) is kept as computed."""
    checked = []
    for line in lines:
        if not isinstance(line.get("rep_id"), UUID):
            raise Invalid("each line names a rep", errors={"lines": ["rep_id is required"]})
        checked.append({**line, "amount": _exact(line.get("amount"), currency, "lines")})
    return checked


def _open(status: str, action: str) -> None:
    if status == "paid":
        raise RuleViolation(f"a paid run is never changed; {action} goes into the next run", code="run-paid",
                            errors={"status": ["is paid"]})


class PayoutRun(LedgerAggregate):
    """A payout run: calculated -> approved (four eyes) -> paid; adjustments never edit the lines."""

    KIND = "payout-run"
    if TYPE_CHECKING:
        period: str
        currency: str
        team_id: UUID | None
        through_position: int
        calculated_by: str
        lines: list[dict[str, Any]]
        status: str
        adjustments: list[dict[str, Any]]
        approved_by: str | None
        paid_on: date | None
        reference: str | None

    class Calculated(LedgerCreated):
        class_version = 2
        period: str
        currency: str
        lines: list[dict[str, Any]]
        calculated_by: str
        team_id: UUID | None
        through_position: int  # the ledger position the calculation saw: later events make adjustments

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["team_id"], state["through_position"] = None, 0

        def apply(self, run: Any) -> None:
            run.period, run.currency, run.calculated_by = self.period, self.currency, self.calculated_by
            run.team_id, run.through_position = self.team_id, self.through_position
            run.lines = [dict(line) for line in self.lines]
            run.status, run.adjustments = "calculated", []
            run.approved_by = run.paid_on = run.reference = None

    class Recalculated(LedgerEvent):
        lines: list[dict[str, Any]]
        through_position: int
        recalculated_by: str

        def apply(self, run: Any) -> None:
            run.lines, run.through_position = [dict(line) for line in self.lines], self.through_position
            run.calculated_by, run.status, run.approved_by = self.recalculated_by, "calculated", None

    class Approved(LedgerEvent):
        approved_by: str

        def apply(self, run: Any) -> None:
            run.status, run.approved_by = "approved", self.approved_by

    class Paid(LedgerEvent):
        paid_on: date
        reference: str

        def apply(self, run: Any) -> None:
            run.status, run.paid_on, run.reference = "paid", self.paid_on, self.reference

    class Adjusted(LedgerEvent):
        class_version = 2
        rep_id: UUID
        amount: Decimal
        reason: str
        source: str  # manual, recalculation (a closed month computed again) or dispute
        corrects_period: str | None
        corrects_run_id: UUID | None
        dispute_id: UUID | None
        positions: list[int]  # ledger positions of the events behind the correction

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.update(source="manual", corrects_period=None, corrects_run_id=None, dispute_id=None, positions=[])

        def apply(self, run: Any) -> None:
            run.adjustments = [*run.adjustments, {
                "rep_id": self.rep_id, "amount": self.amount, "reason": self.reason, "source": self.source,
                "corrects_period": self.corrects_period, "corrects_run_id": self.corrects_run_id,
                "dispute_id": self.dispute_id, "positions": list(self.positions)}]
            if run.status == "approved":
                run.status, run.approved_by = "calculated", None  # a changed run needs approving again

    @classmethod
    def calculate(
        cls, *, id: UUID | None, period: str, team_id: UUID | None, currency: str, lines: list[dict[str, Any]],
        through_position: int, calculated_by: str, **stamp: Any,
    ) -> PayoutRun:
        checked = check_lines(lines, check_currency(currency))
        return cls._start(cls.Calculated, id, period=check_period(period), currency=currency, lines=checked,
                          calculated_by=calculated_by, team_id=team_id, through_position=through_position, **stamp)

    def recalculate(self, *, lines: list[dict[str, Any]], through_position: int, recalculated_by: str,
                    **stamp: Any) -> None:
        """New lines from the ledger as it stands; adjustments already recorded on the run are kept."""
        _open(self.status, "a recalculation")
        if self.team_id is None:  # recorded with hand-given lines (Calculated v1): nothing to compute them from
            raise RuleViolation("a run recorded before runs were computed per team cannot be recalculated; adjust it",
                                code="not-recalculable", errors={"team_id": ["the run has no team"]})
        self._record(self.Recalculated, lines=check_lines(lines, self.currency), through_position=through_position,
                     recalculated_by=recalculated_by, **stamp)

    @property
    def total(self) -> Decimal:
        """Sum of lines and adjustments, rounded to the currency's minor unit."""
        amounts = [line["amount"] for line in self.lines] + [a["amount"] for a in self.adjustments]
        return sum(amounts, Decimal(0)).quantize(quantum(self.currency), rounding=ROUNDING)

    def approve(self, *, approved_by: str, **stamp: Any) -> None:
        if self.status != "calculated":
            raise RuleViolation(f"the run is already {self.status}", code=f"already-{self.status}",
                                errors={"status": [f"is {self.status}, not calculated"]})
        if approved_by.strip().casefold() == self.calculated_by.strip().casefold():
            raise RuleViolation("the person who calculated a run cannot approve it", code="four-eyes",
                                errors={"approved_by": ["same person as calculated_by"]})
        self._record(self.Approved, approved_by=approved_by, **stamp)

    def pay(self, *, paid_on: date, reference: str, **stamp: Any) -> None:
        if self.status == "paid":
            raise RuleViolation("the run is already paid", code="already-paid", errors={"status": ["is paid"]})
        if self.status != "approved":
            raise RuleViolation("only an approved run can be paid", code="not-approved",
                                errors={"status": [f"is {self.status}, not approved"]})
        self._record(self.Paid, paid_on=paid_on, reference=reference, **stamp)

    def adjust(self, *, rep_id: UUID, amount: Decimal, reason: str, source: str = "manual",
               corrects_period: str | None = None, corrects_run_id: UUID | None = None,
               dispute_id: UUID | None = None, positions: list[int] | None = None, **stamp: Any) -> None:
        _open(self.status, "an adjustment")
        _exact(amount, self.currency, "amount")
        if amount == 0:
            raise Invalid("an adjustment changes the amount", errors={"amount": ["must not be 0"]})
        self._record(self.Adjusted, rep_id=rep_id, amount=amount, reason=reason, source=source,
                     corrects_period=corrects_period or self.period, corrects_run_id=corrects_run_id,
                     dispute_id=dispute_id, positions=list(positions or []), **stamp)

    def paid_to(self, rep_id: UUID) -> Decimal:
        return sum((line["amount"] for line in self.lines if line["rep_id"] == rep_id), Decimal(0)) + sum(
            (a["amount"] for a in self.adjustments if a["rep_id"] == rep_id), Decimal(0))
