"""Payout commands: record a calculated run, approve it (four eyes), pay it, adjust it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class CalculatePayout:
    period: str
    currency: str
    lines: list[dict[str, Any]]
    calculated_by: str
    occurred_at: datetime
    id: UUID | None = None


@dataclass(frozen=True)
class ApprovePayout:
    run_id: UUID
    approved_by: str
    occurred_at: datetime


@dataclass(frozen=True)
class PayPayout:
    run_id: UUID
    paid_on: date
    reference: str
    occurred_at: datetime


@dataclass(frozen=True)
class AdjustPayout:
    run_id: UUID
    rep_id: UUID
    amount: Decimal
    reason: str
    occurred_at: datetime
