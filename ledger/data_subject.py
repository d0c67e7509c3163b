"""DataSubject: a person (rep) or customer whose personal data may be held under a legal hold, or erased."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import RuleViolation

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:data-subject")
KINDS = ("rep", "customer")


def data_subject_id(subject_id: UUID) -> UUID:
    """Stream id of a subject's privacy record: derived, so it never collides with the rep or customer stream."""
    return uuid5(_NAMESPACE, f"data-subject:{subject_id}")


class DataSubject(LedgerAggregate):
    """Opened by the first hold or erasure of a subject; erasure is final, and refused while a hold is in force."""

    KIND = "data subject"
    if TYPE_CHECKING:
        subject_id: UUID
        kind: str
        hold: dict[str, Any] | None
        holds: list[dict[str, Any]]
        erased: bool
        erased_at: datetime | None
        erasure_reason: str | None

    class Identified(LedgerCreated):
        subject_id: UUID
        kind: str

        def apply(self, s: Any) -> None:
            s.subject_id, s.kind, s.hold, s.holds = self.subject_id, self.kind, None, []
            s.erased, s.erased_at, s.erasure_reason = False, None, None

    class LegalHoldPlaced(LedgerEvent):
        subject_id: UUID
        reason: str
        case_ref: str

        def apply(self, s: Any) -> None:
            s.hold = {"case_ref": self.case_ref, "reason": self.reason, "placed_at": self.occurred_at,
                      "placed_by": self.actor, "released_at": None, "release_reason": None}
            s.holds = [*s.holds, s.hold]

    class LegalHoldReleased(LedgerEvent):
        reason: str

        def apply(self, s: Any) -> None:
            released = {**s.hold, "released_at": self.occurred_at, "release_reason": self.reason}
            s.holds = [*s.holds[:-1], released]
            s.hold = None

    class Erased(LedgerEvent):
        subject_id: UUID
        reason: str

        def apply(self, s: Any) -> None:
            s.erased, s.erased_at, s.erasure_reason = True, self.occurred_at, self.reason

    @classmethod
    def identify(cls, *, subject_id: UUID, kind: str, **stamp: Any) -> DataSubject:
        return cls._start(cls.Identified, data_subject_id(subject_id), subject_id=subject_id, kind=kind, **stamp)

    def check_not_erased(self) -> None:
        if self.erased:
            raise RuleViolation(f"the personal data of {self.subject_id} was erased on {self.erased_at:%Y-%m-%d}",
                                code="already-erased", errors={"subject_id": ["already erased"]})

    def place_hold(self, *, reason: str, case_ref: str, **stamp: Any) -> None:
        self.check_not_erased()
        if self.hold is not None:
            raise RuleViolation(f"a legal hold ({self.hold['case_ref']}) is already in force", code="already-on-hold",
                                errors={"subject_id": ["already under a legal hold"]})
        self._record(self.LegalHoldPlaced, subject_id=self.subject_id, reason=reason, case_ref=case_ref, **stamp)

    def release_hold(self, *, reason: str, **stamp: Any) -> None:
        if self.hold is None:
            raise RuleViolation("no legal hold is in force", code="no-legal-hold",
                                errors={"subject_id": ["not under a legal hold"]})
        self._record(self.LegalHoldReleased, reason=reason, **stamp)

    def erase(self, *, reason: str, **stamp: Any) -> None:
        self.check_not_erased()
        if self.hold is not None:
            raise RuleViolation(f"a legal hold ({self.hold['case_ref']}) forbids erasure until it is released",
                                code="legal-hold", errors={"subject_id": ["under a legal hold"]})
        self._record(self.Erased, subject_id=self.subject_id, reason=reason, **stamp)
