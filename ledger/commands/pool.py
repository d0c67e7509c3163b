"""Customer-pool commands: registration, claims, assignments, releases, recycling."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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
