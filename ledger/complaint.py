"""Complaint: a customer's or colleague's complaint about a rep, with its severity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated
from ledger.errors import Invalid

SEVERITIES = ("low", "medium", "high")


class Complaint(LedgerAggregate):
    """A recorded complaint; a single immutable fact."""

    KIND = "complaint"
    if TYPE_CHECKING:
        rep_id: UUID
        customer_id: UUID | None
        description: str
        severity: str

    class Recorded(LedgerCreated):
        rep_id: UUID
        customer_id: UUID | None
        description: str
        severity: str

        def apply(self, c: Any) -> None:
            c.rep_id, c.customer_id = self.rep_id, self.customer_id
            c.description, c.severity = self.description, self.severity

    @classmethod
    def record(
        cls, *, id: UUID | None, rep_id: UUID, customer_id: UUID | None, description: str, severity: str,
        **stamp: Any,
    ) -> Complaint:
        if severity not in SEVERITIES:
            raise Invalid(f"unknown severity {severity!r}", errors={"severity": [f"one of {', '.join(SEVERITIES)}"]})
        return cls._start(cls.Recorded, id, rep_id=rep_id, customer_id=customer_id, description=description,
                          severity=severity, **stamp)
