"""Target: a quota for one rep or one team, one period and one indicator; changed only by new events."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, RuleViolation

SCOPES = ("rep", "team")
_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:target")


def target_id(scope: str, scope_id: UUID, period: str, indicator: str) -> UUID:
    """One stream per (scope, period, indicator): setting it again is a change of that stream."""
    return uuid5(_NAMESPACE, f"{scope}:{scope_id}:{period}:{indicator}")


def _check_value(value: Decimal) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise Invalid("a target is a positive decimal", errors={"value": ["must be greater than 0"]})
    return value


class Target(LedgerAggregate):
    """A rep's target overrides the team's; a team's target is the per-rep default for its members."""

    KIND = "target"
    if TYPE_CHECKING:
        scope: str
        scope_id: UUID
        period: str
        indicator: str
        value: Decimal
        reason: str

    class Set(LedgerCreated):
        scope: str
        scope_id: UUID
        period: str
        indicator: str
        value: Decimal
        reason: str

        def apply(self, t: Any) -> None:
            t.scope, t.scope_id, t.period, t.indicator = self.scope, self.scope_id, self.period, self.indicator
            t.value, t.reason = self.value, self.reason

    class Changed(LedgerEvent):
        value: Decimal
        previous_value: Decimal
        reason: str

        def apply(self, t: Any) -> None:
            t.value, t.reason = self.value, self.reason

    @classmethod
    def set(cls, *, scope: str, scope_id: UUID, period: str, indicator: str, value: Decimal, reason: str,
            **stamp: Any) -> Target:
        if scope not in SCOPES:
            raise Invalid("scope is rep or team", errors={"scope": ["rep or team"]})
        return cls._start(cls.Set, target_id(scope, scope_id, period, indicator), scope=scope, scope_id=scope_id,
                          period=period, indicator=indicator, value=_check_value(value), reason=reason, **stamp)

    def change(self, *, value: Decimal, reason: str, **stamp: Any) -> None:
        if _check_value(value) == self.value:
            raise RuleViolation("the target already has this value", code="no-change", errors={"value": ["unchanged"]})
        self._record(self.Changed, value=value, previous_value=self.value, reason=reason, **stamp)
