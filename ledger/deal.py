"""Deal: a closed sale, how its credit splits between reps, and the refunds or cancellation that reverse it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, RuleViolation
from ledger.money import Money, check_currency, quantum

CUSTOMER_TYPES = ("new", "existing")
REVERSAL_KINDS = ("refund", "cancellation")
HUNDRED = Decimal(100)


def _positive_money(amount: Decimal, currency: str) -> Money:
    money = Money.of(amount, currency).check_exact()
    if money.amount <= 0:
        raise Invalid("amount must be greater than 0", errors={"amount": ["must be greater than 0"]})
    return money


def _invalid_split(detail: str, code: str, reason: str) -> RuleViolation:
    return RuleViolation(detail, code=code, errors={"splits": [reason]})


class Deal(LedgerAggregate):
    """A deal; reversals only ever add up, so `net_amount` stays between 0 and `amount`."""

    KIND = "deal"
    if TYPE_CHECKING:
        rep_id: UUID
        customer_id: UUID
        product: str
        amount: Decimal
        currency: str
        customer_type: str
        splits: list[dict[str, Any]]
        closed_on: date
        margin: Decimal | None
        reversed_amount: Decimal
        net_amount: Decimal
        status: str

    class Closed(LedgerCreated):
        class_version = 2
        rep_id: UUID
        customer_id: UUID
        amount: Decimal
        currency: str
        product: str
        customer_type: str
        splits: list[dict[str, Any]]
        closed_on: date
        margin: Decimal | None  # gross margin in the deal's currency, for plans that pay on margin

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["margin"] = None

        def apply(self, d: Any) -> None:
            d.rep_id, d.customer_id, d.product = self.rep_id, self.customer_id, self.product
            d.amount, d.currency, d.customer_type = self.amount, self.currency, self.customer_type
            d.splits, d.closed_on, d.margin = [dict(s) for s in self.splits], self.closed_on, self.margin
            d.reversed_amount = Decimal(0).quantize(quantum(self.currency))
            d.net_amount, d.status = self.amount, "closed"

    class Reversed(LedgerEvent):
        kind: str
        reason: str
        amount: Decimal
        currency: str

        def apply(self, d: Any) -> None:
            d.reversed_amount = d.reversed_amount + self.amount
            d.net_amount = d.amount - d.reversed_amount
            d.status = "reversed" if d.net_amount == 0 else "partially_reversed"

    @staticmethod
    def check_splits(rep_id: UUID, splits: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        """The split as stored: 100% to the closing rep unless shares are given that total exactly 100."""
        if splits is None:
            return [{"rep_id": rep_id, "share": HUNDRED}]
        shares = [{"rep_id": s["rep_id"], "share": s["share"]} for s in splits]
        if any(not isinstance(s["share"], Decimal) or not s["share"].is_finite() for s in shares):
            raise Invalid("split shares must be decimals", errors={"splits": ["share is not a decimal"]})
        if any(s["share"] <= 0 for s in shares):
            raise _invalid_split("every split share must be greater than 0", "split-share-not-positive",
                                 "every share must be greater than 0")
        reps = [s["rep_id"] for s in shares]
        if len(set(reps)) != len(reps):
            raise _invalid_split("a rep appears twice in the split", "split-duplicate-rep", "a rep is listed twice")
        if rep_id not in reps:
            raise _invalid_split("the closing rep must have a share of the split", "split-missing-closer",
                                 "must include the closing rep")
        total = sum((s["share"] for s in shares), Decimal(0))
        if total != HUNDRED:
            raise _invalid_split(f"split shares total {total}, not 100", "split-total", "shares must total 100")
        return shares

    @classmethod
    def close(
        cls, *, id: UUID | None, rep_id: UUID, customer_id: UUID, amount: Decimal, currency: str, product: str,
        customer_type: str, splits: list[dict[str, Any]] | None, closed_on: date, margin: Decimal | None = None,
        **stamp: Any,
    ) -> Deal:
        money = _positive_money(amount, currency)
        if margin is not None:
            Money.of(margin, currency).check_exact("margin")
            if margin > money.amount:
                raise Invalid("margin cannot exceed the amount", errors={"margin": ["must not exceed amount"]})
        if customer_type not in CUSTOMER_TYPES:
            raise Invalid(f"unknown customer type {customer_type!r}",
                          errors={"customer_type": [f"one of {', '.join(CUSTOMER_TYPES)}"]})
        return cls._start(
            cls.Closed, id, rep_id=rep_id, customer_id=customer_id, amount=money.amount, currency=currency,
            product=product, customer_type=customer_type, splits=cls.check_splits(rep_id, splits),
            closed_on=closed_on, margin=margin, **stamp,
        )

    def reverse(self, *, kind: str, reason: str, amount: Decimal, currency: str, **stamp: Any) -> None:
        if kind not in REVERSAL_KINDS:
            raise Invalid(f"unknown reversal kind {kind!r}", errors={"kind": [f"one of {', '.join(REVERSAL_KINDS)}"]})
        if self.status == "reversed":
            raise RuleViolation(f"deal {self.id} is already fully reversed", code="deal-reversed",
                                errors={"amount": ["nothing is left to reverse"]})
        if check_currency(currency) != self.currency:
            raise RuleViolation(f"deal {self.id} is in {self.currency}, not {currency}", code="currency-mismatch",
                                errors={"currency": [f"must be {self.currency}, the deal's currency"]})
        money = _positive_money(amount, currency)
        if self.reversed_amount + money.amount > self.amount:
            raise RuleViolation(
                f"reversing {money.amount} would exceed the deal; {self.net_amount} {self.currency} remains",
                code="reversal-exceeds-deal", errors={"amount": [f"at most {self.net_amount} remains"]},
            )
        self._record(self.Reversed, kind=kind, reason=reason, amount=money.amount, currency=currency, **stamp)
