"""FollowUp: one logged contact with a customer (call, visit, meeting...) and the pipeline stage it left."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated
from ledger.errors import Invalid

KINDS = ("call", "visit", "meeting", "proposal", "demo", "wechat", "email")
STAGES = ("lead", "qualified", "proposal", "negotiation", "won", "lost")


class FollowUp(LedgerAggregate):
    """A follow-up is a single fact: once logged it is never edited."""

    KIND = "follow-up"
    if TYPE_CHECKING:
        rep_id: UUID
        customer_id: UUID
        kind: str
        stage: str
        notes: str
        duration_minutes: int

    class Logged(LedgerCreated):
        rep_id: UUID
        customer_id: UUID
        kind: str
        stage: str
        notes: str
        duration_minutes: int

        def apply(self, f: Any) -> None:
            f.rep_id, f.customer_id, f.kind, f.stage = self.rep_id, self.customer_id, self.kind, self.stage
            f.notes, f.duration_minutes = self.notes, self.duration_minutes

    @classmethod
    def log(
        cls, *, id: UUID | None, rep_id: UUID, customer_id: UUID, kind: str, stage: str,
        notes: str, duration_minutes: int, **stamp: Any,
    ) -> FollowUp:
        if kind not in KINDS:
            raise Invalid(f"unknown follow-up kind {kind!r}", errors={"kind": [f"one of {', '.join(KINDS)}"]})
        if stage not in STAGES:
            raise Invalid(f"unknown pipeline stage {stage!r}", errors={"stage": [f"one of {', '.join(STAGES)}"]})
        if duration_minutes < 0:
            raise Invalid("a duration cannot be negative", errors={"duration_minutes": ["must not be negative"]})
        return cls._start(cls.Logged, id, rep_id=rep_id, customer_id=customer_id, kind=kind, stage=stage,
                          notes=notes, duration_minutes=duration_minutes, **stamp)
