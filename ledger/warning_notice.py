"""WarningNotice: a disciplinary warning issued to a rep, acknowledged at most once."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, RuleViolation

LEVELS = ("verbal", "written", "final")
WESTMOST_OFFSET = timedelta(hours=12)  # UTC-12, the latest-running civil time zone


class WarningNotice(LedgerAggregate):
    """A warning; `acknowledged_on` stays None until the rep acknowledges it."""

    KIND = "warning"
    if TYPE_CHECKING:
        rep_id: UUID
        level: str
        reason: str
        issued_by: str
        issued_at: datetime
        acknowledged_on: date | None

    class Issued(LedgerCreated):
        rep_id: UUID
        level: str
        reason: str
        issued_by: str

        def apply(self, w: Any) -> None:
            w.rep_id, w.level, w.reason, w.issued_by = self.rep_id, self.level, self.reason, self.issued_by
            w.issued_at, w.acknowledged_on = self.occurred_at, None

    class Acknowledged(LedgerEvent):
        acknowledged_on: date

        def apply(self, w: Any) -> None:
            w.acknowledged_on = self.acknowledged_on

    @classmethod
    def issue(cls, *, id: UUID | None, rep_id: UUID, level: str, reason: str, issued_by: str,
              **stamp: Any) -> WarningNotice:
        if level not in LEVELS:
            raise Invalid(f"unknown warning level {level!r}", errors={"level": [f"one of {', '.join(LEVELS)}"]})
        return cls._start(cls.Issued, id, rep_id=rep_id, level=level, reason=reason, issued_by=issued_by, **stamp)

    def acknowledge(self, *, acknowledged_on: date, **stamp: Any) -> None:
        if self.acknowledged_on is not None:
            raise RuleViolation(f"warning {self.id} was acknowledged on {self.acknowledged_on}",
                                code="already-acknowledged", errors={"acknowledged_on": ["already acknowledged"]})
        # occurred_at is stored in UTC: refuse only a day on which the warning existed in no time zone
        earliest = (self.issued_at.astimezone(timezone.utc) - WESTMOST_OFFSET).date()
        if acknowledged_on < earliest:
            raise RuleViolation("a warning cannot be acknowledged before it was issued",
                                code="acknowledged-before-issued",
                                errors={"acknowledged_on": [f"before the warning was issued ({earliest})"]})
        self._record(self.Acknowledged, acknowledged_on=acknowledged_on, **stamp)
