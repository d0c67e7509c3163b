"""ProtectedStatus: a period in which Labour Contract Law art. 42 bars dismissal under arts. 40 and 41."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, RuleViolation
from ledger.personal import Personal, personal

# Art. 42 (1)-(6). The category is health or family data: stored encrypted under the rep's key.
CATEGORIES = (
    "occupational_disease_exposure",  # (1) exposed to occupational-disease hazards without an exit check, or under diagnosis
    "occupational_disease_or_injury",  # (2) capacity to work lost (wholly or partly) by occupational disease or work injury
    "medical_treatment_period",  # (3) ill or injured off work, within the statutory medical treatment period
    "pregnancy_maternity_nursing",  # (4) pregnancy, maternity leave or nursing period
    "long_service_near_retirement",  # (5) 15+ years' continuous service and within 5 years of statutory retirement
    "other_statutory",  # (6) other circumstances laws or administrative regulations provide
)


class ProtectedStatus(LedgerAggregate):
    """In force from `starts_on` until it is ended (or until the expected `ends_on`, when one was given)."""

    KIND = "protected-status"
    if TYPE_CHECKING:
        rep_id: UUID
        category: Personal
        starts_on: date
        ends_on: date | None
        basis: Personal | None
        ended_on: date | None
        end_reason: str

    class Recorded(LedgerCreated):
        rep_id: UUID
        category: Personal
        starts_on: date
        ends_on: date | None
        basis: Personal | None

        def apply(self, s: Any) -> None:
            s.rep_id, s.category, s.starts_on, s.ends_on = self.rep_id, self.category, self.starts_on, self.ends_on
            s.basis, s.ended_on, s.end_reason = self.basis, None, ""

    class Ended(LedgerEvent):
        ended_on: date
        reason: str

        def apply(self, s: Any) -> None:
            s.ended_on, s.end_reason = self.ended_on, self.reason

    @property
    def until(self) -> date | None:
        """The last day of protection: the day it was ended, else the expected end, else open."""
        return self.ended_on if self.ended_on is not None else self.ends_on

    @classmethod
    def record(cls, *, id: UUID | None, rep_id: UUID, category: str, starts_on: date, ends_on: date | None,
               basis: str | None, **stamp: Any) -> ProtectedStatus:
        if category not in CATEGORIES:
            raise Invalid(f"unknown category {category!r}", errors={"category": [f"one of {', '.join(CATEGORIES)}"]})
        if ends_on is not None and ends_on < starts_on:
            raise RuleViolation("a protected status cannot end before it starts", code="ends-before-start",
                                errors={"ends_on": ["before starts_on"]})
        return cls._start(cls.Recorded, id, rep_id=rep_id, category=Personal(rep_id, category), starts_on=starts_on,
                          ends_on=ends_on, basis=personal(rep_id, basis), **stamp)

    def end(self, *, ended_on: date, reason: str, **stamp: Any) -> None:
        if self.ended_on is not None:
            raise RuleViolation(f"protected status {self.id} ended on {self.ended_on}", code="already-ended",
                                errors={"ended_on": ["already ended"]})
        if ended_on < self.starts_on:
            raise RuleViolation("a protected status cannot end before it starts", code="ends-before-start",
                                errors={"ended_on": [f"before starts_on {self.starts_on}"]})
        self._record(self.Ended, ended_on=ended_on, reason=reason, **stamp)
