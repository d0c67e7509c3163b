"""Schemas for customers and the shared pool."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from api.schemas.common import ResourceSchema, Shown, occurred_at, personal_text, text
from ledger.commands.pool import Contact, RegisterCustomer

LEVELS = ("A", "B", "C", "D")


class ContactFields(Schema):
    """A contact person; name and phone are encrypted at rest under the customer's key."""

    name = personal_text(required=True)
    phone = personal_text(max_length=50, allow_none=True, load_default=None)
    title = text(required=False, load_default="")


class ContactIn(ContactFields):
    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Contact:
        return Contact(**data)


class ContactRecord(ContactFields):
    occurred_at = occurred_at()


class CustomerRegister(Schema):
    id = fields.UUID()
    name = text()
    segment = text(required=False, load_default="")
    source = text(required=False, load_default="")
    region = text(required=False, load_default="")
    level = fields.String(load_default="C", validate=validate.OneOf(LEVELS))
    contacts = fields.List(fields.Nested(ContactIn), load_default=list, validate=validate.Length(max=50),
                           metadata={"description": "optional contact people, recorded with the registration"})
    occurred_at = occurred_at()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> RegisterCustomer:
        return RegisterCustomer(**data)


class CustomerClaim(Schema):
    rep_id = fields.UUID(required=True)
    occurred_at = occurred_at()


class CustomerAssign(Schema):
    rep_id = fields.UUID(required=True)
    reason = text(max_length=2000)
    rule = fields.String(load_default="manual", validate=validate.OneOf(["manual", "random", "ranked", "round-robin", "handover"]))
    seed = fields.Integer(allow_none=True, load_default=None)
    occurred_at = occurred_at()


class CustomerRelease(Schema):
    reason = text(required=False, max_length=2000, load_default="")
    occurred_at = occurred_at()


class ContactOut(Schema):
    name = Shown()
    phone = Shown(allow_none=True)
    title = fields.String()


class CustomerOut(ResourceSchema):
    name = fields.String()
    segment = fields.String()
    source = fields.String()
    region = fields.String()
    level = fields.String()
    owner_id = fields.UUID(allow_none=True)
    contacts = fields.List(fields.Nested(ContactOut))
