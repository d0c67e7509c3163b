"""Training: a course, coaching session or post-change training a rep completed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated
from ledger.errors import Invalid

KINDS = ("course", "coaching", "post-change")


class Training(LedgerAggregate):
    """A completed training; a single immutable fact."""

    KIND = "training"
    if TYPE_CHECKING:
        rep_id: UUID
        course: str
        hours: Decimal
        completed_on: date
        provider: str
        kind: str

    class Completed(LedgerCreated):
        rep_id: UUID
        course: str
        hours: Decimal
        completed_on: date
        provider: str
        kind: str

        def apply(self, t: Any) -> None:
            t.rep_id, t.course, t.hours, t.completed_on = self.rep_id, self.course, self.hours, self.completed_on
            t.provider, t.kind = self.provider, self.kind

    @classmethod
    def complete(
        cls, *, id: UUID | None, rep_id: UUID, course: str, hours: Decimal, completed_on: date, provider: str,
        kind: str, **stamp: Any,
    ) -> Training:
        if not isinstance(hours, Decimal) or not hours.is_finite() or hours <= 0:
            raise Invalid("hours must be greater than 0", errors={"hours": ["must be greater than 0"]})
        if kind not in KINDS:
            raise Invalid(f"unknown training kind {kind!r}", errors={"kind": [f"one of {', '.join(KINDS)}"]})
        return cls._start(cls.Completed, id, rep_id=rep_id, course=course, hours=hours, completed_on=completed_on,
                          provider=provider, kind=kind, **stamp)
