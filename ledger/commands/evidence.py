"""Evidence commands: art. 42 protected statuses and the record of an evidence export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID


@dataclass(frozen=True)
class RecordProtectedStatus:
    rep_id: UUID
    category: str
    starts_on: date
    occurred_at: datetime
    ends_on: date | None = None  # expected end (e.g. of a medical treatment period); None: until ended
    basis: str | None = None  # e.g. the certificate or diagnosis it rests on; encrypted
    id: UUID | None = None


@dataclass(frozen=True)
class EndProtectedStatus:
    status_id: UUID
    ended_on: date
    occurred_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class RecordEvidenceExport:
    rep_id: UUID
    from_date: date
    to_date: date
    exported_by: str
    position: int
    manifest_sha256: str
    occurred_at: datetime
    checkpoint_id: UUID | None = None
