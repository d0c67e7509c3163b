"""Customer-pool commands: registration, claims, assignments, releases, recycling notices and recycling."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Contact:
    """A contact person at a customer; name and phone are stored encrypted under the customer's key."""

    name: str
    phone: str | None = None
    title: str = ""


@dataclass(frozen=True)
class RegisterCustomer:
    name: str
    occurred_at: datetime
    segment: str = ""
    source: str = ""
    region: str = ""
    level: str = "C"
    contacts: list[Contact] = field(default_factory=list)
    id: UUID | None = None


@dataclass(frozen=True)
class RecordContact:
    customer_id: UUID
    name: str
    occurred_at: datetime
    phone: str | None = None
    title: str = ""


@dataclass(frozen=True)
class ClaimCustomer:
    customer_id: UUID
    rep_id: UUID
    occurred_at: datetime


@dataclass(frozen=True)
class AssignCustomer:
    customer_id: UUID
    rep_id: UUID
    occurred_at: datetime
    reason: str
    rule: str = "manual"
    seed: int | None = None
    ranking: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ReleaseCustomer:
    customer_id: UUID
    occurred_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class RecycleCustomer:
    customer_id: UUID
    occurred_at: datetime
    rule: str
    days_idle: int


@dataclass(frozen=True)
class WarnRecycle:
    """Tell the owner the customer goes back to the pool on `recycle_on` unless it is worked."""

    customer_id: UUID
    occurred_at: datetime
    rule: str
    days_idle: int
    recycle_on: date
