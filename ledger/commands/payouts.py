"""Payout commands: record a calculated run, recalculate it, approve it (four eyes), pay it, adjust it;
open and resolve disputes on statement lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class CalculatePayout:
    """A team's month as the commission engine computed it at `through_position`."""

    period: str
    team_id: UUID
    currency: str
    lines: list[dict[str, Any]]
    adjustments: list[dict[str, Any]]  # corrections of closed months and resolved disputes
    through_position: int
    calculated_by: str
    occurred_at: datetime


@dataclass(frozen=True)
class RecalculatePayout:
    run_id: UUID
    lines: list[dict[str, Any]]
    adjustments: list[dict[str, Any]]
    through_position: int
    recalculated_by: str
    occurred_at: datetime


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


@dataclass(frozen=True)
class OpenDispute:
    rep_id: UUID
    period: str
    line_id: str
    reason: str
    currency: str
    occurred_at: datetime
    comment: str = ""
    claimed_amount: Decimal | None = None
    id: UUID | None = None


@dataclass(frozen=True)
class ResolveDispute:
    dispute_id: UUID
    outcome: str
    occurred_at: datetime
    amount: Decimal | None = None
    note: str = ""
