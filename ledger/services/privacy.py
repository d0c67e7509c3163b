"""Handlers for privacy commands: legal holds and erasure of a data subject (crypto-shredding)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from ledger.base import Ctx, LedgerAggregate
from ledger.commands.privacy import EraseDataSubject, PlaceLegalHold, ReleaseLegalHold
from ledger.customer import Customer
from ledger.data_subject import DataSubject, data_subject_id
from ledger.errors import NotFound
from ledger.rep import Rep
from ledger.services.base import ServiceBase


class PrivacyService(ServiceBase):
    """Erasure destroys the subject's key after the Erased event is saved; no stored event byte changes."""

    def place_legal_hold(self, cmd: PlaceLegalHold, ctx: Ctx) -> DataSubject:
        stamp = ctx.stamp(cmd.occurred_at)
        record = self._record_of(cmd.subject_id, stamp)
        record.place_hold(reason=cmd.reason, case_ref=cmd.case_ref, **stamp)
        return self.commit(ctx, record)

    def release_legal_hold(self, cmd: ReleaseLegalHold, ctx: Ctx) -> DataSubject:
        stamp = ctx.stamp(cmd.occurred_at)
        record = self._record_of(cmd.subject_id, stamp)
        record.release_hold(reason=cmd.reason, **stamp)
        return self.commit(ctx, record)

    def erase_data_subject(self, cmd: EraseDataSubject, ctx: Ctx) -> DataSubject:
        stamp = ctx.stamp(cmd.occurred_at)
        record = self._record_of(cmd.subject_id, stamp)
        if record.erased and self.keystore.status(cmd.subject_id) != "erased":
            self.keystore.erase(cmd.subject_id)  # the event was saved but the key survived: finish the erasure
            return record
        record.erase(reason=cmd.reason, **stamp)
        result = self.commit(ctx, record)
        # After the event: if this fails, the ledger says "erased" and any retry destroys the key.
        self.keystore.erase(cmd.subject_id)
        return result

    def replay(self, ctx: Ctx) -> LedgerAggregate | None:
        earlier = super().replay(ctx)
        if isinstance(earlier, DataSubject) and earlier.erased:
            self.keystore.erase(earlier.subject_id)  # a retried erasure completes an interrupted key destruction
        return earlier

    def data_subject(self, subject_id: UUID) -> dict[str, Any]:
        """Holds and erasure of a known rep or customer, and the state of its key ("none", "active", "erased")."""
        kind = self._kind_of(subject_id)
        record = self._existing(subject_id)
        state: dict[str, Any] = {
            "id": data_subject_id(subject_id), "subject_id": subject_id, "kind": kind, "version": 0,
            "created_on": None, "modified_on": None, "hold": None, "holds": [], "erased": False, "erased_at": None,
            "erasure_reason": None,
        }
        if record is not None:
            state.update({name: getattr(record, name) for name in state if name not in ("id", "subject_id", "kind")})
        return {**state, "key": self.keystore.status(subject_id)}

    def data_subject_history(self, subject_id: UUID) -> list[Any]:
        self._kind_of(subject_id)
        return list(self.repository.event_store.get(data_subject_id(subject_id)))

    def _record_of(self, subject_id: UUID, stamp: dict[str, Any]) -> DataSubject:
        """The subject's privacy record; a new (unsaved) one for a known subject that has none yet."""
        kind = self._kind_of(subject_id)
        existing = self._existing(subject_id)
        return existing if existing is not None else DataSubject.identify(subject_id=subject_id, kind=kind, **stamp)

    def _existing(self, subject_id: UUID) -> DataSubject | None:
        try:
            return self.load(DataSubject, data_subject_id(subject_id))
        except NotFound:
            return None

    def _kind_of(self, subject_id: UUID) -> str:
        try:
            subject: object = self.repository.get(subject_id)
        except AggregateNotFoundError:
            subject = None
        if isinstance(subject, (Rep, Customer)):
            return subject.KIND
        raise NotFound(f"no rep or customer with id {subject_id}")
