"""Schemas for teams, competition groups and reps."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validates_schema

from api.schemas.common import ResourceSchema, Shown, business_date, occurred_at, personal_text, text
from ledger.commands.org import CreateTeam, FormGroup, OnboardRep, PersonalDetails


class TeamCreate(Schema):
    id = fields.UUID(metadata={"description": "optional client-chosen id"})
    name = text()
    region = text(required=False, load_default="")
    manager_id = fields.UUID(allow_none=True, load_default=None)
    occurred_at = occurred_at()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> CreateTeam:
        return CreateTeam(**data)


class TeamOut(ResourceSchema):
    name = fields.String()
    region = fields.String()
    manager_id = fields.UUID(allow_none=True)


class GroupCreate(Schema):
    id = fields.UUID()
    name = text()
    period = text(max_length=7, metadata={"example": "2026-Q3"})
    member_ids = fields.List(fields.UUID(), load_default=list)
    occurred_at = occurred_at()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> FormGroup:
        return FormGroup(**data)


class GroupMembersChange(Schema):
    added = fields.List(fields.UUID(), load_default=list)
    removed = fields.List(fields.UUID(), load_default=list)
    occurred_at = occurred_at()


class GroupOut(ResourceSchema):
    name = fields.String()
    period = fields.String()
    member_ids = fields.List(fields.UUID())


class PersonalDetailsFields(Schema):
    """A rep's personal details; each optional, at least one given. Encrypted at rest under the rep's key."""

    national_id = personal_text(max_length=50)
    phone = personal_text(max_length=50)
    home_address = personal_text(max_length=500)

    @validates_schema
    def _some(self, data: dict[str, Any], **_: Any) -> None:
        if not any(data.get(name) for name in ("national_id", "phone", "home_address")):
            raise ValidationError("give at least one of national_id, phone, home_address", "national_id")


class PersonalDetailsIn(PersonalDetailsFields):
    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> PersonalDetails:
        return PersonalDetails(**data)


class RepPersonalDetails(PersonalDetailsFields):
    occurred_at = occurred_at()


class RepOnboard(Schema):
    id = fields.UUID()
    name = text()
    team_id = fields.UUID(required=True)
    manager_id = fields.UUID(allow_none=True, load_default=None)
    post = text(required=False, load_default="sales")
    hired_on = business_date()
    personal = fields.Nested(PersonalDetailsIn, allow_none=True, load_default=None,
                             metadata={"description": "optional personal details, recorded with the onboarding"})
    occurred_at = occurred_at()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> OnboardRep:
        return OnboardRep(**data)


class RepTransfer(Schema):
    team_id = fields.UUID(required=True)
    post = text(required=False, load_default=None)
    manager_id = fields.UUID(allow_none=True, load_default=None)
    reason = text(required=False, max_length=2000, load_default="")
    occurred_at = occurred_at()


class RepLeave(Schema):
    left_on = business_date()
    reason = text(required=False, max_length=2000, load_default="")
    occurred_at = occurred_at()


class RepOut(ResourceSchema):
    name = fields.String()
    team_id = fields.UUID()
    manager_id = fields.UUID(allow_none=True)
    post = fields.String()
    hired_on = fields.Date()
    active = fields.Boolean()
    left_on = fields.Date(allow_none=True)
    national_id = Shown(allow_none=True)
    phone = Shown(allow_none=True)
    home_address = Shown(allow_none=True)
