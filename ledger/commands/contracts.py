"""Labour-contract commands: signing, amendments (proposed, then signed by each party), renewal, termination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class SignContract:
    rep_id: UUID
    kind: str
    starts_on: date
    post: str
    base_pay_amount: Decimal
    currency: str
    occurred_at: datetime
    ends_on: date | None = None
    probation_months: int = 0
    pay_period: str = "month"
    commission_plan_id: UUID | None = None
    performance_clause: str = ""
    id: UUID | None = None


@dataclass(frozen=True)
class ProposeAmendment:
    contract_id: UUID
    changes: dict[str, Any]
    effective_on: date
    proposed_by: str
    occurred_at: datetime
    reason: str = ""
    amendment_id: UUID | None = None


@dataclass(frozen=True)
class SignAmendment:
    contract_id: UUID
    amendment_id: UUID
    party: str
    signer: str
    occurred_at: datetime


@dataclass(frozen=True)
class RenewContract:
    contract_id: UUID
    new_ends_on: date
    renewed_on: date
    occurred_at: datetime


@dataclass(frozen=True)
class TerminateContract:
    contract_id: UUID
    terminated_on: date
    ground: str
    notice: str
    occurred_at: datetime
    reason: str = ""
    notice_given_on: date | None = None
