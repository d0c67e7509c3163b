"""Rules-as-data commands: KPI schemes, commission plans, pool policies and exchange rates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class DefineKpiScheme:
    name: str
    effective_from: date
    indicators: list[dict[str, Any]]
    occurred_at: datetime
    cohorts: list[dict[str, Any]] = field(default_factory=list)
    team_ids: list[UUID] = field(default_factory=list)
    cap: Decimal = Decimal(120)
    id: UUID | None = None


@dataclass(frozen=True)
class ReviseKpiScheme:
    scheme_id: UUID
    effective_from: date
    indicators: list[dict[str, Any]]
    occurred_at: datetime
    cohorts: list[dict[str, Any]] = field(default_factory=list)
    name: str | None = None
    reason: str = ""
    cap: Decimal | None = None


@dataclass(frozen=True)
class DefineCommissionPlan:
    name: str
    currency: str
    effective_from: date
    rules: dict[str, Any]
    occurred_at: datetime
    id: UUID | None = None


@dataclass(frozen=True)
class ReviseCommissionPlan:
    plan_id: UUID
    rules: dict[str, Any]
    effective_from: date
    occurred_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class AssignCommissionPlan:
    plan_id: UUID
    scope: str  # "rep" or "team"
    scope_id: UUID
    starts_on: date
    occurred_at: datetime
    ends_on: date | None = None


@dataclass(frozen=True)
class SetPoolPolicy:
    effective_from: date
    max_customers: int
    occurred_at: datetime
    team_id: UUID | None = None
    idle_days: int = 30
    no_deal_days: int = 90
    warning_days: int = 3
    protection_days: int = 7
    cooloff_days: int = 30
    distribution: str = "open"
    idle_days_by_level: dict[str, int] = field(default_factory=dict)
    rebalance_threshold: int = 0


@dataclass(frozen=True)
class RecordFxRate:
    base: str
    quote: str
    rate: Decimal
    on: date
    occurred_at: datetime
    source: str = ""
