"""Schemas of the indicator analytics: its query and the report (correlations are floats, money strings)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas.reads import AS_OF

MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="use a month, YYYY-MM")


class AnalyticsQuery(Schema):
    period_from = fields.String(required=True, validate=MONTH, metadata={"description": "first month, YYYY-MM",
                                                                          "example": "2026-01"})
    period_to = fields.String(required=True, validate=MONTH, metadata={"description": "last month, YYYY-MM (at most "
                                                                        "36 months after period_from)", "example": "2026-09"})
    team = fields.UUID(load_default=None, metadata={"description": "only this team's reps (required for managers)"})
    as_of = fields.String(load_default=None, validate=validate.Length(max=40), metadata=AS_OF)


def _number() -> fields.Float:
    return fields.Float(allow_none=True)


class Correlation(Schema):
    n = fields.Integer()
    r = _number()
    ci95 = fields.List(fields.Float(), allow_none=True, metadata={"description": "95% interval by Fisher's z"})
    reason = fields.String(allow_none=True, metadata={"description": "why r or ci95 is null"})


class Correlations(Schema):
    n = fields.Integer()
    pearson = fields.Nested(Correlation)
    spearman = fields.Nested(Correlation)


class IndicatorRow(Schema):
    key = fields.String()
    dimension = fields.String()
    lower_is_better = fields.Boolean()
    current_weight = fields.String()
    suggested_weight = fields.Integer(allow_none=True)
    value = fields.Nested(Correlations, metadata={"description": "the indicator's actual value against revenue"})
    score = fields.Nested(Correlations, metadata={"description": "the indicator's score against revenue"})


class SchemeRef(Schema):
    scheme_id = fields.String()
    version = fields.Integer()
    name = fields.String()
    effective_from = fields.String()
    applies = fields.String(metadata={"description": "team (its own scheme), company, or most reps (n of m): "
                                                     "without a team and a company scheme, the team scheme most reps "
                                                     "were scored under in the last month"})


class Weights(Schema):
    min = fields.Integer()
    max = fields.Integer()
    basis = fields.Dict(keys=fields.String(), values=fields.Float())
    current = fields.Dict(keys=fields.String(), values=fields.String())
    suggested = fields.Dict(keys=fields.String(), values=fields.Integer())
    cohorts = fields.List(fields.String())


class WhatIfEntry(Schema):
    rep_id = fields.String()
    name = fields.String()
    total_current = fields.String(allow_none=True)
    total_suggested = fields.String(allow_none=True)
    rank_current = fields.Integer()
    rank_suggested = fields.Integer()
    change = fields.Integer(metadata={"description": "places gained (positive) under the suggested weights"})


class WhatIf(Schema):
    period = fields.String()
    reps = fields.Integer()
    moved = fields.Integer()
    kendall_tau = _number()
    entries = fields.List(fields.Nested(WhatIfEntry))


class Training(Correlations):
    definition = fields.String()
    excluded_pairs = fields.Integer()


class StageDays(Schema):
    mean = fields.Float()
    n = fields.Integer()


class Conversion(Schema):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    entered = fields.Integer()
    advanced = fields.Integer()
    rate = _number()


class Habits(Schema):
    reps = fields.Integer()
    revenue = fields.Float()
    follow_ups = fields.Integer()
    deals = fields.Integer()
    follow_ups_per_deal = _number()
    days_in_stage = fields.Dict(keys=fields.String(), values=fields.Nested(StageDays))
    stage_conversion = fields.List(fields.Nested(Conversion))
    new_customer_revenue_share = _number()
    new_customer_deal_share = _number()


class TopPerformers(Schema):
    top_rep_ids = fields.List(fields.String())
    top = fields.Nested(Habits, allow_none=True)
    rest = fields.Nested(Habits, allow_none=True)
    reason = fields.String(allow_none=True)
    stages = fields.String()


class Figures(Schema):
    result_score = _number()
    capability_score = _number()
    tenure_months = fields.Integer()
    cohort = fields.String(allow_none=True)
    revenue = fields.Float()
    training_hours = fields.Float()
    customers_held = fields.Integer()


class Suggestion(Schema):
    rep_id = fields.String()
    name = fields.String()
    team_id = fields.String()
    quadrant = fields.String(allow_none=True)
    suggestion = fields.String(allow_none=True)
    text = fields.String()
    figures = fields.Nested(Figures)


class Incentives(Schema):
    result_basis = fields.String()
    capability_basis = fields.String()
    median_result = _number()
    median_capability = _number()
    new_hire_months = fields.Integer()
    pool_customers_unowned = fields.Integer()
    reps = fields.List(fields.Nested(Suggestion))


class Observations(Schema):
    count = fields.Integer()
    reps = fields.Integer()
    months = fields.Integer()


class AnalyticsOut(Schema):
    period_from = fields.String()
    period_to = fields.String()
    team_id = fields.String(allow_none=True)
    position = fields.Integer()
    as_of = fields.String()
    base_currency = fields.String()
    unconverted_currencies = fields.List(fields.String())
    observations = fields.Nested(Observations)
    scheme = fields.Nested(SchemeRef, allow_none=True)
    indicators = fields.List(fields.Nested(IndicatorRow))
    weights = fields.Nested(Weights)
    what_if = fields.List(fields.Nested(WhatIf))
    training = fields.Nested(Training)
    top_performers = fields.Nested(TopPerformers)
    incentives = fields.Nested(Incentives)
