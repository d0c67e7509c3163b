"""PublishedScorecard: a rep's scorecard for a closed period, frozen at period close."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, RuleViolation
from ledger.periods import check_period

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:published-scorecard")


def published_id(rep_id: UUID, period: str) -> UUID:
    """Stream id of a rep's published scorecard for a period: published once."""
    return uuid5(_NAMESPACE, f"{rep_id}:{period}")


class PublishedScorecard(LedgerAggregate):
    """Published results never change silently: only an explicit, reasoned republication replaces them."""

    KIND = "published-scorecard"
    if TYPE_CHECKING:
        rep_id: UUID
        period: str
        total: Decimal | None
        figures: dict[str, Any]
        republished: int

    class Published(LedgerCreated):
        """`total` is None when no KPI scheme applied; `figures` holds no personal data (strings for decimals)."""

        rep_id: UUID
        period: str
        total: Decimal | None
        figures: dict[str, Any]

        def apply(self, s: Any) -> None:
            s.rep_id, s.period, s.total, s.figures = self.rep_id, self.period, self.total, dict(self.figures)
            s.republished = 0

    class Republished(LedgerEvent):
        total: Decimal | None
        figures: dict[str, Any]
        previous_total: Decimal | None
        reason: str

        def apply(self, s: Any) -> None:
            s.total, s.figures, s.republished = self.total, dict(self.figures), s.republished + 1

    @classmethod
    def publish(
        cls, *, rep_id: UUID, period: str, total: Decimal | None, figures: dict[str, Any], **stamp: Any,
    ) -> PublishedScorecard:
        period = check_period(period)
        return cls._start(cls.Published, published_id(rep_id, period), rep_id=rep_id, period=period, total=total,
                          figures=dict(figures), **stamp)

    def republish(self, *, total: Decimal | None, figures: dict[str, Any], reason: str, **stamp: Any) -> None:
        if not reason.strip():
            raise Invalid("a republication needs a reason", errors={"reason": ["required"]})
        if total == self.total and figures == self.figures:
            raise RuleViolation("the figures equal the published ones", code="no-change",
                                errors={"figures": ["unchanged"]})
        self._record(self.Republished, total=total, figures=dict(figures), previous_total=self.total,
                     reason=reason, **stamp)
