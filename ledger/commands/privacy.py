"""Privacy commands: legal holds on a data subject, and erasure of its personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class PlaceLegalHold:
    subject_id: UUID
    reason: str
    case_ref: str
    occurred_at: datetime


@dataclass(frozen=True)
class ReleaseLegalHold:
    subject_id: UUID
    reason: str
    occurred_at: datetime


@dataclass(frozen=True)
class EraseDataSubject:
    subject_id: UUID
    reason: str
    occurred_at: datetime
