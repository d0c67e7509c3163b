"""EvidenceExport: someone exported a rep's evidence bundle; the ledger keeps who, whose, which range and its hash."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated
from ledger.errors import Invalid

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class EvidenceExport(LedgerAggregate):
    """One stream per export: the bundle's manifest hash ties the file a lawyer holds to this record."""

    KIND = "evidence-export"
    if TYPE_CHECKING:
        rep_id: UUID
        from_date: date
        to_date: date
        exported_by: str
        position: int
        checkpoint_id: UUID | None
        manifest_sha256: str

    class Exported(LedgerCreated):
        rep_id: UUID
        from_date: date
        to_date: date
        exported_by: str
        position: int
        checkpoint_id: UUID | None
        manifest_sha256: str

        def apply(self, e: Any) -> None:
            e.rep_id, e.from_date, e.to_date, e.exported_by = self.rep_id, self.from_date, self.to_date, self.exported_by
            e.position, e.checkpoint_id, e.manifest_sha256 = self.position, self.checkpoint_id, self.manifest_sha256

    @classmethod
    def record(cls, *, rep_id: UUID, from_date: date, to_date: date, exported_by: str, position: int,
               checkpoint_id: UUID | None, manifest_sha256: str, **stamp: Any) -> EvidenceExport:
        if to_date < from_date:
            raise Invalid("the range ends before it starts", errors={"to": ["before from"]})
        if position < 0:
            raise Invalid("a position is not negative", errors={"position": ["must be at least 0"]})
        if not SHA256_HEX.match(manifest_sha256):
            raise Invalid("not a SHA-256 hex digest", errors={"manifest_sha256": ["64 lowercase hex digits"]})
        return cls._start(cls.Exported, None, rep_id=rep_id, from_date=from_date, to_date=to_date,
                          exported_by=exported_by, position=position, checkpoint_id=checkpoint_id,
                          manifest_sha256=manifest_sha256, **stamp)
