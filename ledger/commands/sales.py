"""Sales commands: follow-ups, closing deals and reversing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class LogFollowUp:
    rep_id: UUID
    customer_id: UUID
    kind: str
    stage: str
    occurred_at: datetime
    notes: str = ""
    duration_minutes: int = 0
    id: UUID | None = None


@dataclass(frozen=True)
class CloseDeal:
    rep_id: UUID
    customer_id: UUID
    amount: Decimal
    currency: str
    product: str
    customer_type: str
    closed_on: date
    occurred_at: datetime
    splits: list[dict[str, Any]] | None = None  # [{"rep_id": UUID, "share": Decimal percent}]
    margin: Decimal | None = None
    id: UUID | None = None


@dataclass(frozen=True)
class ReverseDeal:
    deal_id: UUID
    kind: str
    reason: str
    amount: Decimal
    currency: str
    occurred_at: datetime
