"""Schemas for payout runs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.schemas.common import ResourceSchema, business_date, currency, occurred_at, text
from ledger.money import MINOR_UNITS

LIMIT = Decimal("1e13")


def signed_amount(**kwargs: Any) -> fields.Decimal:
    """A money amount that may be negative (clawbacks); a decimal string, never a float."""
    return fields.Decimal(as_string=True, allow_nan=False, validate=validate.Range(min=-LIMIT, max=LIMIT,
                          min_inclusive=False, max_inclusive=False),
                          metadata={"type": "string", "format": "decimal", "example": "-120.50"}, **kwargs)


class PayoutLine(Schema):
    rep_id = fields.UUID(required=True)
    amount = signed_amount(required=True)
    description = text(required=False, max_length=500, load_default="")
    source_event_ids = fields.List(text(max_length=200), load_default=list, validate=validate.Length(max=1000),
                                   metadata={"description": "the events this line was computed from"})


class PayoutCalculate(Schema):
    id = fields.UUID(metadata={"description": "optional client-chosen id"})
    period = text(max_length=7, metadata={"example": "2026-07"})
    currency = currency(required=True)
    lines = fields.List(fields.Nested(PayoutLine), required=True, validate=validate.Length(min=1, max=10_000))
    occurred_at = occurred_at()

    @validates_schema
    def _exact(self, data: dict[str, Any], **_: Any) -> None:
        places = MINOR_UNITS.get(data.get("currency", ""))
        if places is None:
            return
        for index, line in enumerate(data.get("lines", [])):
            if line["amount"] != line["amount"].quantize(Decimal(1).scaleb(-places)):
                raise ValidationError(f"line {index}: {data['currency']} allows {places} decimal places", "lines")


class PayoutApprove(Schema):
    """The approver is the caller; it must not be the caller who calculated the run (four eyes)."""

    occurred_at = occurred_at()


class PayoutPay(Schema):
    paid_on = business_date()
    reference = text()
    occurred_at = occurred_at()


class PayoutAdjust(Schema):
    rep_id = fields.UUID(required=True)
    amount = signed_amount(required=True)
    reason = text(max_length=2000)
    occurred_at = occurred_at()


class PayoutLineOut(Schema):
    rep_id = fields.UUID()
    amount = fields.Decimal(as_string=True)
    description = fields.String()
    source_event_ids = fields.List(fields.String())


class AdjustmentOut(Schema):
    rep_id = fields.UUID()
    amount = fields.Decimal(as_string=True)
    reason = fields.String()


class PayoutRunOut(ResourceSchema):
    period = fields.String()
    currency = fields.String()
    status = fields.String(metadata={"description": "calculated, approved or paid"})
    lines = fields.List(fields.Nested(PayoutLineOut))
    adjustments = fields.List(fields.Nested(AdjustmentOut))
    total = fields.Decimal(as_string=True, metadata={"description": "lines + adjustments, in minor units"})
    calculated_by = fields.String()
    approved_by = fields.String(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    reference = fields.String(allow_none=True)
