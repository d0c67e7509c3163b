"""Performance commands: scores, trainings, complaints, warnings and improvement plans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True)
class RecordScore:
    rep_id: UUID
    indicator: str
    value: Decimal
    period: str
    occurred_at: datetime
    scale: Decimal = Decimal(100)
    scorer: str | None = None  # None: the actor recording it
    comment: str = ""
    id: UUID | None = None


@dataclass(frozen=True)
class CorrectScore:
    score_id: UUID
    value: Decimal
    reason: str
    occurred_at: datetime


@dataclass(frozen=True)
class RecordTraining:
    rep_id: UUID
    course: str
    hours: Decimal
    completed_on: date
    occurred_at: datetime
    provider: str = ""
    kind: str = "course"
    id: UUID | None = None


@dataclass(frozen=True)
class RecordComplaint:
    rep_id: UUID
    description: str
    severity: str
    occurred_at: datetime
    customer_id: UUID | None = None
    id: UUID | None = None


@dataclass(frozen=True)
class IssueWarning:
    rep_id: UUID
    level: str
    reason: str
    occurred_at: datetime
    issued_by: str | None = None  # None: the actor recording it
    id: UUID | None = None


@dataclass(frozen=True)
class AcknowledgeWarning:
    warning_id: UUID
    acknowledged_on: date
    occurred_at: datetime


@dataclass(frozen=True)
class StartImprovementPlan:
    rep_id: UUID
    goals: list[str]
    starts_on: date
    ends_on: date
    occurred_at: datetime
    coach_id: UUID | None = None
    id: UUID | None = None


@dataclass(frozen=True)
class ConcludeImprovementPlan:
    plan_id: UUID
    outcome: str
    concluded_on: date
    occurred_at: datetime
    summary: str = ""
