"""Watch commands: early warnings, published scorecards and bottom-ranking review flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class RaiseEarlyWarning:
    subject_kind: str  # "rep" or "group"
    subject_id: UUID
    rule: str
    period: str  # an ISO week (2026-W27) or a period label (2026-07)
    occurred_at: datetime
    team_id: UUID | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishScorecard:
    rep_id: UUID
    period: str
    total: Decimal | None
    figures: dict[str, Any]
    occurred_at: datetime


@dataclass(frozen=True)
class RepublishScorecard:
    """An explicit correction of a published scorecard (an admin's decision, with its reason)."""

    rep_id: UUID
    period: str
    total: Decimal | None
    figures: dict[str, Any]
    reason: str
    occurred_at: datetime


@dataclass(frozen=True)
class FlagForReview:
    rep_id: UUID
    team_id: UUID
    period: str
    rank: int
    of: int
    consecutive_periods: int
    suggested_actions: list[str]
    occurred_at: datetime
