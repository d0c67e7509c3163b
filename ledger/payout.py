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
    """Normalised lines: rep, exact amount (negative for clawbacks), description, source event ids."""
    if not lines:
        raise Invalid("a payout run needs lines", errors={"lines": ["at least one line"]})
    checked = []
    for line in lines:
        if not isinstance(line.get("rep_id"), UUID):
            raise Invalid("each line names a rep", errors={"lines": ["rep_id is required"]})
        sources = line.get("source_event_ids") or []
        if not all(isinstance(s, str) and s for s in sources):
            raise Invalid("source event ids are strings", errors={"lines": ["source_event_ids must be strings"]})
        checked.append({"rep_id": line["rep_id"], "amount": _exact(line.get("amount"), currency, "lines"),
                        "description": str(line.get("description") or ""), "source_event_ids": list(sources)})
    return checked


class PayoutRun(LedgerAggregate):
    """A payout run: calculated -> approved (four eyes) -> paid; adjustments never edit the lines."""

    KIND = "payout-run"
    if TYPE_CHECKING:
        period: str
        currency: str
        calculated_by: str
        lines: list[dict[str, Any]]
        status: str
        adjustments: list[dict[str, Any]]
        approved_by: str | None
        paid_on: date | None
        reference: str | None

    class Calculated(LedgerCreated):
        period: str
        currency: str
        lines: list[dict[str, Any]]
        calculated_by: str

        def apply(self, run: Any) -> None:
            run.period, run.currency, run.calculated_by = self.period, self.currency, self.calculated_by
            run.lines = [{**line, "source_event_ids": list(line["source_event_ids"])} for line in self.lines]
            run.status, run.adjustments = "calculated", []
            run.approved_by = run.paid_on = run.reference = None

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
        rep_id: UUID
        amount: Decimal
        reason: str

        def apply(self, run: Any) -> None:
            run.adjustments = [*run.adjustments, {"rep_id": self.rep_id, "amount": self.amount, "reason": self.reason}]

    @classmethod
    def calculate(
        cls, *, id: UUID | None, period: str, currency: str, lines: list[dict[str, Any]], calculated_by: str,
        **stamp: Any,
    ) -> PayoutRun:
        checked = check_lines(lines, check_currency(currency))
        return cls._start(cls.Calculated, id, period=check_period(period), currency=currency, lines=checked,
                          calculated_by=calculated_by, **stamp)

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

    def adjust(self, *, rep_id: UUID, amount: Decimal, reason: str, **stamp: Any) -> None:
        _exact(amount, self.currency, "amount")
        if amount == 0:
            raise Invalid("an adjustment changes the amount", errors={"amount": ["must not be 0"]})
        self._record(self.Adjusted, rep_id=rep_id, amount=amount, reason=reason, **stamp)
