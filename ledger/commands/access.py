"""Access commands: API tokens and the audit of sensitive reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class IssueToken:
    name: str
    role: str
    occurred_at: datetime
    team_ids: list[UUID] = field(default_factory=list)
    rep_id: UUID | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class RevokeToken:
    token_id: UUID
    occurred_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class RecordSensitiveRead:
    reader: str
    role: str
    resource: str
    occurred_at: datetime
    subject_ids: list[UUID] = field(default_factory=list)
    remote_addr: str = ""
    user_agent: str = ""
