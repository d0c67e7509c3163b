"""ReadAudit: a person read sensitive data (evidence, contracts, statements, the event feed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated


class ReadAudit(LedgerAggregate):
    """One stream per read, so that auditing reads never contends with anything."""

    KIND = "access record"
    if TYPE_CHECKING:
        reader: str
        role: str
        resource: str
        subject_ids: list[UUID]
        remote_addr: str
        user_agent: str

    class SensitiveDataRead(LedgerCreated):
        reader: str
        role: str
        resource: str
        subject_ids: list[UUID]
        remote_addr: str
        user_agent: str

        def apply(self, r: Any) -> None:
            r.reader, r.role, r.resource, r.subject_ids = self.reader, self.role, self.resource, list(self.subject_ids)
            r.remote_addr, r.user_agent = self.remote_addr, self.user_agent

    @classmethod
    def record(cls, *, reader: str, role: str, resource: str, subject_ids: list[UUID], remote_addr: str,
               user_agent: str, **stamp: Any) -> ReadAudit:
        return cls._start(cls.SensitiveDataRead, None, reader=reader, role=role, resource=resource,
                          subject_ids=list(subject_ids), remote_addr=remote_addr, user_agent=user_agent[:300], **stamp)
