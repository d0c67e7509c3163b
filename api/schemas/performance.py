"""Schemas for scores, trainings, complaints, warnings and improvement plans."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from api.schemas.common import ResourceSchema, business_date, occurred_at, text
from ledger.commands.performance import (
    IssueWarning,
    RecordComplaint,
    RecordScore,
    RecordTraining,
    StartImprovementPlan,
)
from ledger.complaint import SEVERITIES
from ledger.improvement import OUTCOMES
from ledger.score import DEFAULT_SCALE, SLUG
from ledger.training import KINDS as TRAINING_KINDS
from ledger.warning_notice import LEVELS


def _decimal(*, positive: bool = False, maximum: Decimal | None = None, metadata: dict[str, Any] | None = None,
             **kwargs: Any) -> fields.Decimal:
    """A decimal sent as a string (JSON numbers are kept exact), at least 0 (or above 0)."""
    rule = validate.Range(min=Decimal(0), min_inclusive=not positive, max=maximum)
    return fields.Decimal(as_string=True, allow_nan=False, validate=rule,
                          metadata={"type": "string", "format": "decimal", **(metadata or {})}, **kwargs)


class ScoreRecord(Schema):
    id = fields.UUID()
    rep_id = fields.UUID(required=True)
    indicator = fields.String(required=True, validate=[validate.Length(max=64), validate.Regexp(SLUG)],
                              metadata={"example": "product-knowledge"})
    value = _decimal(required=True, metadata={"example": "87.5"})
    scale = _decimal(positive=True, maximum=Decimal(1_000_000), load_default=DEFAULT_SCALE,
                     metadata={"description": "the top of the scale; values run from 0 to it (default 100)"})
    period = text(max_length=7, metadata={"example": "2026-Q3"})
    scorer = text(required=False, load_default=None, metadata={"description": "default: the recording actor"})
    comment = text(required=False, max_length=2000, load_default="")
    occurred_at = occurred_at()

    @validates_schema
    def _within_scale(self, data: dict[str, Any], **_: Any) -> None:
        if "value" in data and "scale" in data and data["value"] > data["scale"]:
            raise ValidationError(f"must not exceed the scale ({data['scale']})", "value")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> RecordScore:
        return RecordScore(**data)


class ScoreCorrect(Schema):
    value = _decimal(required=True)
    reason = text(max_length=2000)
    occurred_at = occurred_at()


class ScoreOut(ResourceSchema):
    rep_id = fields.UUID()
    indicator = fields.String()
    value = fields.Decimal(as_string=True)
    original_value = fields.Decimal(as_string=True)
    scale = fields.Decimal(as_string=True)
    period = fields.String()
    scorer = fields.String()
    comment = fields.String()
    corrections = fields.Integer()


class TrainingRecord(Schema):
    id = fields.UUID()
    rep_id = fields.UUID(required=True)
    course = text()
    hours = _decimal(positive=True, maximum=Decimal(10_000), required=True, metadata={"example": "4.5"})
    completed_on = business_date()
    provider = text(required=False, load_default="")
    kind = fields.String(load_default="course", validate=validate.OneOf(TRAINING_KINDS))
    occurred_at = occurred_at()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> RecordTraining:
        return RecordTraining(**data)


class TrainingOut(ResourceSchema):
    rep_id = fields.UUID()
    course = fields.String()
    hours = fields.Decimal(as_string=True)
    completed_on = fields.Date()
    provider = fields.String()
    kind = fields.String()


class ComplaintRecord(Schema):
    id = fields.UUID()
    rep_id = fields.UUID(required=True)
    customer_id = fields.UUID(allow_none=True, load_default=None)
    description = text(max_length=5000)
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))
    occurred_at = occurred_at()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> RecordComplaint:
        return RecordComplaint(**data)


class ComplaintOut(ResourceSchema):
    rep_id = fields.UUID()
    customer_id = fields.UUID(allow_none=True)
    description = fields.String()
    severity = fields.String()


class WarningIssue(Schema):
    id = fields.UUID()
    rep_id = fields.UUID(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    reason = text(max_length=2000)
    issued_by = text(required=False, load_default=None, metadata={"description": "default: the recording actor"})
    occurred_at = occurred_at()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> IssueWarning:
        return IssueWarning(**data)


class WarningAcknowledge(Schema):
    acknowledged_on = business_date()
    occurred_at = occurred_at()


class WarningOut(ResourceSchema):
    rep_id = fields.UUID()
    level = fields.String()
    reason = fields.String()
    issued_by = fields.String()
    issued_at = fields.AwareDateTime()
    acknowledged_on = fields.Date(allow_none=True)


class ImprovementPlanStart(Schema):
    id = fields.UUID()
    rep_id = fields.UUID(required=True)
    goals = fields.List(text(max_length=500), required=True, validate=validate.Length(min=1, max=50))
    starts_on = business_date()
    ends_on = business_date()
    coach_id = fields.UUID(allow_none=True, load_default=None)
    occurred_at = occurred_at()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> StartImprovementPlan:
        return StartImprovementPlan(**data)


class ImprovementPlanConclude(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    concluded_on = business_date()
    summary = text(required=False, max_length=5000, load_default="")
    occurred_at = occurred_at()


class ImprovementPlanOut(ResourceSchema):
    rep_id = fields.UUID()
    goals = fields.List(fields.String())
    starts_on = fields.Date()
    ends_on = fields.Date()
    coach_id = fields.UUID(allow_none=True)
    status = fields.String(metadata={"description": "open or concluded"})
    outcome = fields.String(allow_none=True)
    concluded_on = fields.Date(allow_none=True)
    summary = fields.String()
