"""Schemas for follow-ups and deals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from api.schemas.common import ResourceSchema, amount, business_date, check_minor_units, currency, occurred_at, text
from ledger.commands.sales import CloseDeal, LogFollowUp
from ledger.deal import CUSTOMER_TYPES, REVERSAL_KINDS
from ledger.followup import KINDS, STAGES

SHARE_PLACES = 4


def _share_places(value: Decimal) -> None:
    # Out-of-range values are the Range validator's to refuse; quantizing them could raise (a 500 before).
    if value.is_finite() and abs(value) <= 100 and value != value.quantize(Decimal(1).scaleb(-SHARE_PLACES)):
        raise ValidationError(f"at most {SHARE_PLACES} decimal places")


class FollowUpLog(Schema):
    id = fields.UUID()
    rep_id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    notes = text(required=False, max_length=5000, load_default="")
    duration_minutes = fields.Integer(load_default=0, validate=validate.Range(min=0, max=24 * 60))
    occurred_at = occurred_at()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> LogFollowUp:
        return LogFollowUp(**data)


class FollowUpOut(ResourceSchema):
    rep_id = fields.UUID()
    customer_id = fields.UUID()
    kind = fields.String()
    stage = fields.String()
    notes = fields.String()
    duration_minutes = fields.Integer()


class DealSplit(Schema):
    rep_id = fields.UUID(required=True)
    share = fields.Decimal(
        required=True, as_string=True, allow_nan=False,
        validate=[validate.Range(min=Decimal(0), min_inclusive=False, max=Decimal(100)), _share_places],
        metadata={"type": "string", "format": "decimal", "example": "50", "description": "percent of the deal"},
    )


class DealClose(Schema):
    id = fields.UUID()
    rep_id = fields.UUID(required=True, metadata={"description": "the closing rep"})
    customer_id = fields.UUID(required=True)
    amount = amount(required=True)
    currency = currency(required=True)
    product = text()
    customer_type = fields.String(required=True, validate=validate.OneOf(CUSTOMER_TYPES))
    splits = fields.List(
        fields.Nested(DealSplit), load_default=None, validate=validate.Length(min=1, max=20),
        metadata={"description": "credit split in percent, totalling 100; default 100% to the closing rep"},
    )
    closed_on = business_date()
    margin = fields.Decimal(as_string=True, allow_nan=False, load_default=None, validate=validate.Range(min=0),
                            metadata={"description": "gross margin in the deal's currency, for plans paying on margin"})
    occurred_at = occurred_at()

    @validates_schema
    def _exact(self, data: dict[str, Any], **_: Any) -> None:
        check_minor_units(data)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> CloseDeal:
        return CloseDeal(**data)


class DealReverse(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(REVERSAL_KINDS))
    reason = text(max_length=2000)
    amount = amount(required=True)
    currency = currency(required=True)
    occurred_at = occurred_at()

    @validates_schema
    def _exact(self, data: dict[str, Any], **_: Any) -> None:
        check_minor_units(data)


class DealSplitOut(Schema):
    rep_id = fields.UUID()
    share = fields.Decimal(as_string=True)


class DealOut(ResourceSchema):
    rep_id = fields.UUID()
    customer_id = fields.UUID()
    amount = fields.Decimal(as_string=True)
    currency = fields.String()
    product = fields.String()
    customer_type = fields.String()
    splits = fields.List(fields.Nested(DealSplitOut))
    closed_on = fields.Date()
    margin = fields.Decimal(as_string=True, allow_none=True)
    reversed_amount = fields.Decimal(as_string=True)
    net_amount = fields.Decimal(as_string=True)
    status = fields.String(metadata={"description": "closed, partially_reversed or reversed"})
