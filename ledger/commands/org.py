"""Organisation commands: teams, competition groups, reps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID


@dataclass(frozen=True)
class CreateTeam:
    name: str
    occurred_at: datetime
    region: str = ""
    manager_id: UUID | None = None
    id: UUID | None = None


@dataclass(frozen=True)
class FormGroup:
    name: str
    period: str
    occurred_at: datetime
    member_ids: list[UUID] = field(default_factory=list)
    id: UUID | None = None


@dataclass(frozen=True)
class ChangeGroupMembers:
    group_id: UUID
    occurred_at: datetime
    added: list[UUID] = field(default_factory=list)
    removed: list[UUID] = field(default_factory=list)


@dataclass(frozen=True)
class PersonalDetails:
    """A rep's personal details, as given; the rep aggregate stores them encrypted under the rep's key."""

    national_id: str | None = None
    phone: str | None = None
    home_address: str | None = None


@dataclass(frozen=True)
class OnboardRep:
    name: str
    team_id: UUID
    hired_on: date
    occurred_at: datetime
    post: str = "sales"
    manager_id: UUID | None = None
    personal: PersonalDetails | None = None
    id: UUID | None = None


@dataclass(frozen=True)
class RecordPersonalDetails:
    rep_id: UUID
    occurred_at: datetime
    national_id: str | None = None
    phone: str | None = None
    home_address: str | None = None


@dataclass(frozen=True)
class TransferRep:
    rep_id: UUID
    team_id: UUID
    occurred_at: datetime
    post: str | None = None
    manager_id: UUID | None = None
    reason: str = ""


@dataclass(frozen=True)
class RecordRepLeft:
    rep_id: UUID
    left_on: date
    occurred_at: datetime
    reason: str = ""
