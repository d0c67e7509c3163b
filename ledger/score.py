"""Score: a capability indicator's value for a rep and period; corrections are new events, never edits."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, RuleViolation
from ledger.periods import check_period

SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
DEFAULT_SCALE = Decimal(100)


def check_indicator(indicator: str) -> str:
    if not SLUG.match(indicator) or len(indicator) > 64:
        raise Invalid(f"{indicator!r} is not an indicator slug",
                      errors={"indicator": ["lowercase letters, digits, - or _ (at most 64)"]})
    return indicator


def check_value(value: Decimal, scale: Decimal) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise Invalid("a score must be a decimal", errors={"value": ["not a decimal"]})
    if not 0 <= value <= scale:
        raise RuleViolation(f"{value} is outside the scale 0..{scale}", code="value-out-of-scale",
                            errors={"value": [f"must be between 0 and {scale}"]})
    return value


class Score(LedgerAggregate):
    """A recorded score; `value` is the latest corrected value and `original_value` the first one."""

    KIND = "score"
    if TYPE_CHECKING:
        rep_id: UUID
        indicator: str
        period: str
        value: Decimal
        original_value: Decimal
        scale: Decimal
        scorer: str
        comment: str
        corrections: int

    class Recorded(LedgerCreated):
        rep_id: UUID
        indicator: str
        value: Decimal
        scale: Decimal
        period: str
        scorer: str
        comment: str

        def apply(self, s: Any) -> None:
            s.rep_id, s.indicator, s.period = self.rep_id, self.indicator, self.period
            s.value, s.original_value, s.scale = self.value, self.value, self.scale
            s.scorer, s.comment, s.corrections = self.scorer, self.comment, 0

    class Corrected(LedgerEvent):
        value: Decimal
        previous_value: Decimal
        reason: str

        def apply(self, s: Any) -> None:
            s.value, s.corrections = self.value, s.corrections + 1

    @classmethod
    def record(
        cls, *, id: UUID | None, rep_id: UUID, indicator: str, value: Decimal, scale: Decimal, period: str,
        scorer: str, comment: str, **stamp: Any,
    ) -> Score:
        if not isinstance(scale, Decimal) or not scale.is_finite() or scale <= 0:
            raise Invalid("a scale must be a positive decimal", errors={"scale": ["must be greater than 0"]})
        return cls._start(
            cls.Recorded, id, rep_id=rep_id, indicator=check_indicator(indicator), value=check_value(value, scale),
            scale=scale, period=check_period(period), scorer=scorer, comment=comment, **stamp,
        )

    def correct(self, *, value: Decimal, reason: str, **stamp: Any) -> None:
        check_value(value, self.scale)
        if value == self.value:
            raise RuleViolation(f"the score is already {self.value}", code="no-change",
                                errors={"value": ["equals the current value"]})
        if not reason.strip():
            raise Invalid("a correction needs a reason", errors={"reason": ["required"]})
        self._record(self.Corrected, value=value, previous_value=self.value, reason=reason, **stamp)
