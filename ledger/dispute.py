"""Dispute: a rep contests a statement line; the resolution, if it changes pay, becomes an adjustment."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, RuleViolation
from ledger.money import Money
from ledger.periods import check_period

REASONS = ("missing-deal", "wrong-split", "wrong-rate", "wrong-plan", "wrong-fx", "clawback", "other")
OUTCOMES = ("approve", "partial", "deny")


class Dispute(LedgerAggregate):
    """Opened on one line of a rep's monthly statement; resolved once, by someone other than the opener."""

    KIND = "dispute"
    if TYPE_CHECKING:
        rep_id: UUID
        period: str
        line_id: str
        reason: str
        comment: str
        claimed_amount: Decimal | None
        currency: str
        opened_by: str
        status: str
        outcome: str | None
        amount: Decimal
        note: str
        resolved_by: str | None

    class Opened(LedgerCreated):
        rep_id: UUID
        period: str
        line_id: str
        reason: str
        comment: str
        claimed_amount: Decimal | None
        currency: str

        def apply(self, d: Any) -> None:
            d.rep_id, d.period, d.line_id, d.reason = self.rep_id, self.period, self.line_id, self.reason
            d.comment, d.claimed_amount, d.currency = self.comment, self.claimed_amount, self.currency
            d.opened_by, d.status, d.outcome, d.amount = self.actor, "open", None, Decimal(0)
            d.note, d.resolved_by = "", None

    class Resolved(LedgerEvent):
        outcome: str
        amount: Decimal
        note: str

        def apply(self, d: Any) -> None:
            d.status, d.outcome, d.amount, d.note, d.resolved_by = "resolved", self.outcome, self.amount, self.note, self.actor

    @classmethod
    def open(
        cls, *, id: UUID | None, rep_id: UUID, period: str, line_id: str, reason: str, comment: str,
        claimed_amount: Decimal | None, currency: str, **stamp: Any,
    ) -> Dispute:
        if reason not in REASONS:
            raise Invalid(f"unknown reason {reason!r}", errors={"reason": [f"one of {', '.join(REASONS)}"]})
        if claimed_amount is not None:
            Money(claimed_amount, currency).check_exact("claimed_amount")
        return cls._start(cls.Opened, id, rep_id=rep_id, period=check_period(period), line_id=line_id, reason=reason,
                          comment=comment, claimed_amount=claimed_amount, currency=currency, **stamp)

    def resolve(self, *, outcome: str, amount: Decimal | None, note: str, **stamp: Any) -> None:
        """approve or partial: `amount` (non-zero, + pays more, - pays less) goes into the next payout
        run as an adjustment; deny: nothing changes. The opener cannot resolve their own dispute."""
        if outcome not in OUTCOMES:
            raise Invalid(f"unknown outcome {outcome!r}", errors={"outcome": [f"one of {', '.join(OUTCOMES)}"]})
        if self.status != "open":
            raise RuleViolation("the dispute is already resolved", code="already-resolved",
                                errors={"status": ["is resolved"]})
        if stamp.get("actor") == self.opened_by:
            raise RuleViolation("whoever opened a dispute cannot resolve it", code="four-eyes",
                                errors={"resolved_by": ["same person as the opener"]})
        if outcome == "deny":
            if amount not in (None, Decimal(0)):
                raise Invalid("a denied dispute changes nothing", errors={"amount": ["must be empty or 0 when denied"]})
            amount = Decimal(0)
        else:
            if amount is None or amount == 0:
                raise Invalid(f"an {outcome} resolution changes pay", errors={"amount": ["required and not 0"]})
            Money(amount, self.currency).check_exact("amount")
            claimed = self.claimed_amount
            if outcome == "partial" and claimed is not None and abs(amount) >= abs(claimed):
                raise RuleViolation("a partial resolution grants less than was claimed", code="not-partial",
                                    errors={"amount": [f"less than the claimed {claimed}"]})
        self._record(self.Resolved, outcome=outcome, amount=amount, note=note, **stamp)
