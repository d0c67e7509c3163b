"""Schemas for rules as data: KPI schemes, commission plans, pool policies and exchange rates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from api.schemas.common import ResourceSchema, business_date, currency, occurred_at, text
from api.schemas.customers import LEVELS
from ledger.commands.rules import DefineCommissionPlan, DefineKpiScheme, RecordFxRate, SetPoolPolicy
from ledger.kpi_scheme import DIMENSIONS
from ledger.pool_policy import COMPANY, DISTRIBUTIONS


def weight(**kwargs: Any) -> fields.Decimal:
    return fields.Decimal(as_string=True, allow_nan=False, validate=validate.Range(min=Decimal(0), max=Decimal(100)),
                          metadata={"type": "string", "format": "decimal", "example": "40"}, **kwargs)


def days(minimum: int, default: int) -> fields.Integer:
    return fields.Integer(load_default=default, validate=validate.Range(min=minimum, max=3650))


class Indicator(Schema):
    key = text(max_length=64)
    dimension = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    weight = weight(required=True)


class Cohort(Schema):
    name = text(max_length=64)
    max_tenure_months = fields.Integer(required=True, validate=validate.Range(min=1, max=600))
    weights = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=64)), values=weight(),
                          load_default=dict, metadata={"description": "indicator key -> weight; sums to 100"})


class KpiSchemeDefine(Schema):
    id = fields.UUID(metadata={"description": "optional client-chosen id"})
    name = text()
    effective_from = business_date()
    indicators = fields.List(fields.Nested(Indicator), required=True, validate=validate.Length(min=1, max=100),
                             metadata={"description": "weights sum to exactly 100"})
    cohorts = fields.List(fields.Nested(Cohort), load_default=list, validate=validate.Length(max=20))
    team_ids = fields.List(fields.UUID(), load_default=list,
                           metadata={"description": "teams it applies to; none: the whole company"})
    cap = fields.Decimal(as_string=True, validate=validate.Range(min=100, max=1000), metadata={
        "description": "most an indicator may score (default 120)", "type": "string", "format": "decimal"}, load_default=Decimal(120))
    occurred_at = occurred_at()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> DefineKpiScheme:
        return DefineKpiScheme(**data)


class KpiSchemeRevise(Schema):
    name = text(required=False, load_default=None, metadata={"description": "default: unchanged"})
    effective_from = business_date(metadata={"description": "after the previous revision's"})
    indicators = fields.List(fields.Nested(Indicator), required=True, validate=validate.Length(min=1, max=100))
    cohorts = fields.List(fields.Nested(Cohort), load_default=list, validate=validate.Length(max=20))
    reason = text(required=False, max_length=2000, load_default="")
    cap = fields.Decimal(as_string=True, validate=validate.Range(min=100, max=1000), metadata={
        "description": "most an indicator may score (default 120)", "type": "string", "format": "decimal"}, load_default=None)
    occurred_at = occurred_at()


class IndicatorOut(Schema):
    key = fields.String()
    dimension = fields.String()
    weight = fields.Decimal(as_string=True)


class CohortOut(Schema):
    name = fields.String()
    max_tenure_months = fields.Integer()
    weights = fields.Dict(keys=fields.String(), values=fields.Decimal(as_string=True))


class RevisionOut(Schema):
    version = fields.Integer(metadata={"description": "stream version holding this revision"})
    effective_from = fields.Date()
    reason = fields.String()


class KpiSchemeOut(ResourceSchema):
    name = fields.String()
    team_ids = fields.List(fields.UUID())
    cap = fields.Decimal(as_string=True)
    effective_from = fields.Date()
    indicators = fields.List(fields.Nested(IndicatorOut))
    cohorts = fields.List(fields.Nested(CohortOut))
    revisions = fields.List(fields.Nested(RevisionOut))


class CommissionPlanDefine(Schema):
    id = fields.UUID(metadata={"description": "optional client-chosen id"})
    name = text()
    currency = currency(required=True)
    effective_from = business_date()
    rules = fields.Dict(keys=fields.String(), required=True,
                        metadata={"description": "open structure; needs base_rate, a decimal 0..1"})
    occurred_at = occurred_at()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> DefineCommissionPlan:
        return DefineCommissionPlan(**data)


class CommissionPlanRevise(Schema):
    rules = fields.Dict(keys=fields.String(), required=True)
    effective_from = business_date(metadata={"description": "after the previous revision's"})
    reason = text(required=False, max_length=2000, load_default="")
    occurred_at = occurred_at()


class AssignmentOut(Schema):
    scope = fields.String(metadata={"description": "rep or team"})
    scope_id = fields.UUID()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)


class CommissionPlanOut(ResourceSchema):
    name = fields.String()
    currency = fields.String()
    effective_from = fields.Date()
    rules = fields.Dict(metadata={"description": "decimals are shown as strings"})
    revisions = fields.List(fields.Nested(RevisionOut))
    assignments = fields.List(fields.Nested(AssignmentOut),
                              metadata={"description": "reps and teams on the plan; where they overlap the "
                                                       "rep's own, then the latest-starting, wins"})


class PoolScope(Schema):
    """Which policy: `scope: company` or a `team_id` (exactly one)."""

    scope = fields.String(validate=validate.OneOf([COMPANY]))
    team_id = fields.UUID()

    @validates_schema
    def _one_scope(self, data: dict[str, Any], **_: Any) -> None:
        if ("scope" in data) == ("team_id" in data):
            raise ValidationError("give either scope=company or a team_id", "scope")


class PoolPolicySet(PoolScope):
    effective_from = business_date()
    max_customers = fields.Integer(required=True, validate=validate.Range(min=1, max=100_000))
    idle_days = days(1, 30)
    no_deal_days = days(1, 90)
    warning_days = days(0, 3)
    protection_days = days(0, 7)
    cooloff_days = days(0, 30)
    distribution = fields.String(load_default="open", validate=validate.OneOf(DISTRIBUTIONS))
    idle_days_by_level = fields.Dict(keys=fields.String(validate=validate.OneOf(LEVELS)),
                                     values=fields.Integer(validate=validate.Range(min=1, max=3650)), load_default=dict)
    rebalance_threshold = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=100_000), metadata={
        "description": "at period close, a rep's unworked customers beyond this many are recycled (0: off)"})
    occurred_at = occurred_at()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> SetPoolPolicy:
        data.pop("scope", None)
        return SetPoolPolicy(**data)


class PoolSettingOut(Schema):
    version = fields.Integer()
    effective_from = fields.Date()
    max_customers = fields.Integer()
    idle_days = fields.Integer()
    no_deal_days = fields.Integer()
    warning_days = fields.Integer()
    protection_days = fields.Integer()
    cooloff_days = fields.Integer()
    distribution = fields.String()
    idle_days_by_level = fields.Dict(keys=fields.String(), values=fields.Integer())
    rebalance_threshold = fields.Integer()


class PoolPolicyOut(ResourceSchema, PoolSettingOut):
    scope = fields.String(metadata={"description": "company or team:<id>"})
    team_id = fields.UUID(allow_none=True)
    versions = fields.List(fields.Nested(PoolSettingOut), metadata={"description": "every setting, in order"})


class FxRateRecord(Schema):
    base = currency(required=True)
    quote = currency(required=True)
    rate = fields.Decimal(as_string=True, allow_nan=False, required=True,
                          validate=validate.Range(min=Decimal(0), min_inclusive=False, max=Decimal("1e9")),
                          metadata={"type": "string", "format": "decimal", "example": "7.1234"})
    on = business_date()
    source = text(required=False, load_default="")
    occurred_at = occurred_at()

    @validates_schema
    def _pair(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("base") is not None and data.get("base") == data.get("quote"):
            raise ValidationError("must differ from base", "quote")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> RecordFxRate:
        return RecordFxRate(**data)


class FxEntryOut(Schema):
    on = fields.Date()
    rate = fields.Decimal(as_string=True)
    source = fields.String()


class FxRateOut(ResourceSchema):
    base = fields.String()
    quote = fields.String()
    rate = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "latest-dated rate"})
    on = fields.Date(allow_none=True)
    source = fields.String(allow_none=True)
    rates = fields.List(fields.Nested(FxEntryOut))
