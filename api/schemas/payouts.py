"""Schemas for commission statements, payout runs, disputes and plan simulations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields, validate

from api.schemas.common import ResourceSchema, business_date, currency, occurred_at, text
from api.schemas.reads import AS_OF
from ledger.dispute import OUTCOMES, REASONS

LIMIT = Decimal("1e13")
MONTH = {"description": "a month, YYYY-MM", "example": "2026-07"}


def signed_amount(description: str = "", **kwargs: Any) -> fields.Decimal:
    """A money amount that may be negative (clawbacks); a decimal string, never a float."""
    return fields.Decimal(as_string=True, allow_nan=False, validate=validate.Range(min=-LIMIT, max=LIMIT,
                          min_inclusive=False, max_inclusive=False), allow_none=True,
                          metadata={"type": "string", "format": "decimal", "example": "-120.50",
                                    "description": description}, **kwargs)


def month(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="use a month, YYYY-MM"),
                         metadata=MONTH, **kwargs)


def dec() -> fields.Decimal:
    return fields.Decimal(as_string=True, allow_none=True)


class StatementQuery(Schema):
    period = month(required=True)
    as_of = fields.String(load_default=None, validate=validate.Length(max=40), metadata=AS_OF)
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "pdf"]),
                           metadata={"description": "json (default) or pdf"})


class LineOut(Schema):
    line_id = fields.String(metadata={"description": "stable id of the line, for disputes"})
    rep_id = fields.UUID()
    kind = fields.String(metadata={"description": "commission, new-customer-bonus, spiff, cap, clawback, draw, "
                                                  "draw-recovery or team-pool"})
    deal_id = fields.UUID(allow_none=True)
    rule = fields.String()
    plan_id = fields.UUID(allow_none=True)
    plan_version = fields.Integer(allow_none=True)
    base = dec()
    rate = dec()
    amount = fields.Decimal(as_string=True)
    currency = fields.String()
    positions = fields.List(fields.Integer(), metadata={"description": "ledger positions of the events behind it"})
    corrects_period = fields.String(allow_none=True)
    corrects_run_id = fields.UUID(allow_none=True)
    weight = dec()


class PlanRef(Schema):
    plan_id = fields.UUID()
    name = fields.String()
    version = fields.Integer()
    position = fields.Integer()


class DisputeRef(Schema):
    id = fields.UUID()
    status = fields.String()
    amount = fields.Decimal(as_string=True)
    position = fields.Integer()


class StatementOut(Schema):
    rep_id = fields.UUID()
    period = fields.String()
    currency = fields.String(allow_none=True)
    plan = fields.Nested(PlanRef, allow_none=True)
    quota = dec()
    bookings = fields.Decimal(as_string=True)
    attainment = dec()
    lines = fields.List(fields.Nested(LineOut))
    earned = fields.Decimal(as_string=True)
    paid = fields.Decimal(as_string=True, metadata={"description": "paid runs' lines and their corrections"})
    due = fields.Decimal(as_string=True)
    draw_balance = fields.Decimal(as_string=True)
    notes = fields.List(fields.String())
    disputes = fields.List(fields.Nested(DisputeRef))
    as_of = fields.Integer(metadata={"description": "the ledger position this statement reflects"})
    as_of_time = fields.DateTime()


class PayoutCalculate(Schema):
    period = month(required=True)
    team_id = fields.UUID(required=True)
    occurred_at = occurred_at()


class PayoutRecalculate(Schema):
    occurred_at = occurred_at()


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


class AdjustmentOut(Schema):
    rep_id = fields.UUID()
    amount = fields.Decimal(as_string=True)
    reason = fields.String()
    source = fields.String(metadata={"description": "manual, recalculation or dispute"})
    corrects_period = fields.String(allow_none=True)
    corrects_run_id = fields.UUID(allow_none=True)
    dispute_id = fields.UUID(allow_none=True)
    positions = fields.List(fields.Integer())


class PayoutRunOut(ResourceSchema):
    period = fields.String()
    team_id = fields.UUID(allow_none=True)
    currency = fields.String()
    status = fields.String(metadata={"description": "calculated, approved or paid"})
    through_position = fields.Integer(metadata={"description": "the ledger position the calculation saw"})
    lines = fields.List(fields.Nested(LineOut))
    adjustments = fields.List(fields.Nested(AdjustmentOut))
    total = fields.Decimal(as_string=True, metadata={"description": "lines + adjustments"})
    calculated_by = fields.String()
    approved_by = fields.String(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    reference = fields.String(allow_none=True)


class PayrollQuery(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))


class DisputeOpen(Schema):
    id = fields.UUID(metadata={"description": "optional client-chosen id"})
    rep_id = fields.UUID(required=True)
    period = month(required=True)
    line_id = text(max_length=64, metadata={"description": "a line_id from the rep's statement for the period"})
    reason = fields.String(required=True, validate=validate.OneOf(REASONS))
    comment = text(required=False, max_length=4000, load_default="")
    claimed_amount = signed_amount(load_default=None)
    occurred_at = occurred_at()


class DisputeResolve(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    amount = signed_amount("what the resolution adds to pay (negative: less)", load_default=None)
    note = text(required=False, max_length=4000, load_default="")
    occurred_at = occurred_at()


class DisputeOut(ResourceSchema):
    rep_id = fields.UUID()
    period = fields.String()
    line_id = fields.String()
    reason = fields.String()
    comment = fields.String()
    claimed_amount = fields.Decimal(as_string=True, allow_none=True)
    currency = fields.String()
    opened_by = fields.String()
    status = fields.String(metadata={"description": "open or resolved"})
    outcome = fields.String(allow_none=True)
    amount = fields.Decimal(as_string=True)
    note = fields.String()
    resolved_by = fields.String(allow_none=True)


class SimulateIn(Schema):
    currency = currency(required=True)
    rules = fields.Dict(keys=fields.String(), required=True, metadata={"description": "a draft plan's rules"})
    period_from = month(required=True)
    period_to = month(required=True)
    plan_id = fields.UUID(load_default=None, metadata={"description": "the draft replaces this plan; "
                                                                      "without it, it applies to every rep"})
    team_id = fields.UUID(load_default=None)


class SimRow(Schema):
    rep_id = fields.UUID()
    period = fields.String()
    currency = fields.String(allow_none=True)
    actual = fields.Decimal(as_string=True)
    simulated = fields.Decimal(as_string=True)
    difference = fields.Decimal(as_string=True)


class SimTotals(Schema):
    actual = fields.Decimal(as_string=True)
    simulated = fields.Decimal(as_string=True)
    difference = fields.Decimal(as_string=True)


class SimulateOut(Schema):
    as_of = fields.Integer()
    rows = fields.List(fields.Nested(SimRow))
    totals = fields.Nested(SimTotals)


class AssignmentIn(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(["rep", "team"]))
    scope_id = fields.UUID(required=True)
    starts_on = business_date()
    ends_on = business_date(required=False, load_default=None, allow_none=True)
    occurred_at = occurred_at()
