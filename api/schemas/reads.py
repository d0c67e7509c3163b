"""Schemas of the read side: scorecards, leaderboards, the pool, ownership, targets, projections."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from api.schemas.common import ResourceSchema, amount, occurred_at, text
from ledger.commands.targets import SetTarget
from ledger.target import SCOPES

AS_OF = {"description": "a ledger position, or an ISO 8601 timestamp with offset: the answer as the ledger stood then"}
PERIOD = {"description": "2026, 2026-H1/H2, 2026-Q1..Q4 or 2026-MM", "example": "2026-Q3"}


class AsOfQuery(Schema):
    as_of = fields.String(load_default=None, validate=validate.Length(max=40), metadata=AS_OF)


class PeriodQuery(AsOfQuery):
    period = fields.String(required=True, validate=validate.Length(min=4, max=7), metadata=PERIOD)


class LeaderboardQuery(PeriodQuery):
    team = fields.UUID(load_default=None)
    group = fields.UUID(load_default=None)


class PoolQuery(AsOfQuery):
    level = fields.String(load_default=None, validate=validate.OneOf(["A", "B", "C", "D"]))
    region = fields.String(load_default=None, validate=validate.Length(max=200))
    segment = fields.String(load_default=None, validate=validate.Length(max=200))


class Stamped(Schema):
    position = fields.Integer(metadata={"description": "the ledger position this answer reflects"})
    as_of = fields.String()
    unconverted_currencies = fields.List(fields.String())


class Place(Schema):
    rank = fields.Integer()
    of = fields.Integer()
    percentile = fields.String()


class IndicatorScore(Schema):
    key = fields.String()
    dimension = fields.String()
    lower_is_better = fields.Boolean()
    actual = fields.String(allow_none=True)
    target = fields.String(allow_none=True)
    score = fields.String(allow_none=True)
    weight = fields.String()
    contribution = fields.String(allow_none=True)


class SchemeApplied(Schema):
    scheme_id = fields.String()
    version = fields.Integer()
    name = fields.String()
    effective_from = fields.String()
    cap = fields.String()


class ScorecardOut(Stamped):
    rep_id = fields.String()
    name = fields.String()
    team_id = fields.String()
    period = fields.String()
    tenure_months = fields.Integer()
    scheme = fields.Nested(SchemeApplied, allow_none=True)
    cohort = fields.String(allow_none=True)
    indicators = fields.List(fields.Nested(IndicatorScore))
    total = fields.String(allow_none=True)
    unscored = fields.List(fields.String())
    base_currency = fields.String()
    actuals = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    rank = fields.Dict(keys=fields.String(), values=fields.Nested(Place, allow_none=True))


class Entry(Schema):
    rep_id = fields.String()
    name = fields.String()
    team_id = fields.String()
    total = fields.String(allow_none=True)
    cohort = fields.String(allow_none=True)
    rank = fields.Integer()
    of = fields.Integer()
    percentile = fields.String()


class LeaderboardOut(Stamped):
    period = fields.String()
    team_id = fields.String(allow_none=True)
    group_id = fields.String(allow_none=True)
    entries = fields.List(fields.Nested(Entry))


class Member(Schema):
    rep_id = fields.String()
    name = fields.String()
    total = fields.String(allow_none=True)
    rank = fields.Integer()


class TeamScoreOut(Stamped):
    team_id = fields.String()
    group_id = fields.String()
    name = fields.String()
    period = fields.String()
    members = fields.List(fields.Nested(Member))
    mean_total = fields.String(allow_none=True)
    revenue = fields.String()
    revenue_target = fields.String(allow_none=True)
    attainment = fields.String(allow_none=True)
    rank = fields.Integer(allow_none=True)
    of = fields.Integer()


class PoolCustomer(Schema):
    customer_id = fields.String()
    name = fields.String()
    level = fields.String()
    region = fields.String()
    segment = fields.String()
    registered_at = fields.String()
    in_pool_since = fields.String()
    last_follow_up_at = fields.String(allow_none=True)
    last_deal_at = fields.String(allow_none=True)


class PoolOut(Stamped):
    customers = fields.List(fields.Nested(PoolCustomer))


class OwnershipChange(Schema):
    event = fields.String()
    rep_id = fields.String()
    previous_owner_id = fields.String(allow_none=True)
    position = fields.Integer()
    occurred_at = fields.String()
    actor = fields.String()
    reason = fields.String(allow_none=True)
    rule = fields.String(allow_none=True)
    days_idle = fields.Integer(allow_none=True)


class OwnershipOut(Stamped):
    customer_id = fields.String()
    name = fields.String()
    owner_id = fields.String(allow_none=True)
    since = fields.String(allow_none=True)
    history = fields.List(fields.Nested(OwnershipChange))


class Holding(Schema):
    customer_id = fields.String()
    name = fields.String()
    level = fields.String()
    since = fields.String()
    last_follow_up_at = fields.String(allow_none=True)
    last_deal_at = fields.String(allow_none=True)
    idle_days_since_follow_up = fields.Integer(allow_none=True)
    idle_days_since_deal = fields.Integer(allow_none=True)


class HoldingsOut(Stamped):
    rep_id = fields.String()
    holdings = fields.List(fields.Nested(Holding))


class TargetSetIn(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    scope_id = fields.UUID(required=True, metadata={"description": "the rep's or the team's id"})
    period = text(max_length=7, metadata=PERIOD)
    indicator = text(max_length=100, metadata={"example": "revenue"})
    value = amount(required=True)
    reason = text(required=False, max_length=2000, load_default="")
    occurred_at = occurred_at()

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> SetTarget:
        return SetTarget(**data)


class TargetOut(ResourceSchema):
    scope = fields.String()
    scope_id = fields.UUID()
    period = fields.String()
    indicator = fields.String()
    value = fields.Decimal(as_string=True)
    reason = fields.String()


class ProjectionStatus(Schema):
    name = fields.String()
    position = fields.Integer()
    head = fields.Integer()
    behind = fields.Integer()


class ProjectionsOut(Schema):
    projections = fields.List(fields.Nested(ProjectionStatus))


class RebuildOut(Schema):
    name = fields.String()
    events = fields.Integer()
    position = fields.Integer()
    seconds = fields.Float()
    events_per_second = fields.Integer()
