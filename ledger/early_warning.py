"""EarlyWarning: a rule saw a rep or a group slipping; raised once per rule, subject and period."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.base import LedgerAggregate, LedgerCreated
from ledger.errors import Invalid
from ledger.periods import check_period

SUBJECT_KINDS = ("rep", "group")
_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:early-warning")
_ISO_WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")


def warning_id(rule: str, subject_id: UUID, period: str) -> UUID:
    """Stream id of a warning: a second raise for the same rule, subject and period conflicts."""
    return uuid5(_NAMESPACE, f"{rule}:{subject_id}:{period}")


def check_warning_period(period: str) -> str:
    """An ISO week (2026-W27) or a business period (2026-07, 2026-Q3, ...)."""
    if not _ISO_WEEK.match(period or ""):
        return check_period(period)
    try:
        date.fromisocalendar(int(period[:4]), int(period[6:]), 1)
    except ValueError:
        raise Invalid(f"{period!r} is not an ISO week", errors={"period": ["no such ISO week"]}) from None
    return period


class EarlyWarning(LedgerAggregate):
    """A warning for a manager to act on early; it is a fact about a closed period and never changes."""

    KIND = "early-warning"
    if TYPE_CHECKING:
        subject_kind: str
        subject_id: UUID
        team_id: UUID | None
        rule: str
        period: str
        detail: dict[str, Any]

    class Raised(LedgerCreated):
        subject_kind: str
        subject_id: UUID
        team_id: UUID | None
        rule: str
        period: str
        detail: dict[str, Any]

        def apply(self, w: Any) -> None:
            w.subject_kind, w.subject_id, w.team_id = self.subject_kind, self.subject_id, self.team_id
            w.rule, w.period, w.detail = self.rule, self.period, dict(self.detail)

    @classmethod
    def raise_warning(
        cls, *, subject_kind: str, subject_id: UUID, team_id: UUID | None, rule: str, period: str,
        detail: dict[str, Any], **stamp: Any,
    ) -> EarlyWarning:
        if subject_kind not in SUBJECT_KINDS:
            raise Invalid(f"unknown subject kind {subject_kind!r}",
                          errors={"subject_kind": [f"one of {', '.join(SUBJECT_KINDS)}"]})
        if not rule.strip():
            raise Invalid("a warning names its rule", errors={"rule": ["required"]})
        period = check_warning_period(period)
        return cls._start(cls.Raised, warning_id(rule, subject_id, period), subject_kind=subject_kind,
                          subject_id=subject_id, team_id=team_id, rule=rule, period=period, detail=dict(detail),
                          **stamp)
