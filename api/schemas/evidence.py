"""Schemas for art. 42 protected statuses and the evidence-bundle query."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from api.schemas.common import ResourceSchema, Shown, business_date, occurred_at, personal_text, text
from api.schemas.reads import AS_OF
from ledger.commands.evidence import RecordProtectedStatus
from ledger.protected_status import CATEGORIES

DATES = validate.Range(min=date(1950, 1, 1), max=date(2100, 12, 31), error="must be between 1950-01-01 and 2100-12-31")


class ProtectedStatusRecord(Schema):
    id = fields.UUID()
    rep_id = fields.UUID(required=True)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES),
                             metadata={"description": "the art. 42 case (encrypted at rest: health and family data)",
                                       "example": "medical_treatment_period"})
    starts_on = business_date()
    ends_on = business_date(required=False, load_default=None, allow_none=True,
                            metadata={"description": "expected end (e.g. of a medical treatment period); none: until ended"})
    basis = personal_text(max_length=2000, required=False, load_default=None, allow_none=True)  # certificate, diagnosis
    occurred_at = occurred_at()

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("ends_on") is not None and "starts_on" in data and data["ends_on"] < data["starts_on"]:
            raise ValidationError("must not be before starts_on", "ends_on")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> RecordProtectedStatus:
        return RecordProtectedStatus(**data)


class ProtectedStatusEnd(Schema):
    ended_on = business_date()
    reason = text(required=False, max_length=2000, load_default="")
    occurred_at = occurred_at()


class ProtectedStatusOut(ResourceSchema):
    rep_id = fields.UUID()
    category = Shown()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    basis = Shown(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.String()
    until = fields.Date(allow_none=True, metadata={"description": "last protected day: ended_on, else ends_on, else open"})


class EvidenceQuery(Schema):
    from_ = fields.Date(data_key="from", load_default=None, validate=DATES,
                        metadata={"description": "first business day covered (default: the beginning)"})
    to = fields.Date(load_default=None, validate=DATES,
                     metadata={"description": "last business day covered (default: the day of the as-of position)"})
    as_of = fields.String(load_default=None, validate=validate.Length(max=40), metadata=AS_OF)

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError("must not be before from", "to")
