"""Indicator analytics: which KPI indicators move revenue, suggested weights, and who needs what incentive.

Entry point (read-only; writes no event and no projection row of its own)::

    indicator_analytics(queries, period_from="2026-01", period_to="2026-09", *, team_id=None, as_of=None) -> dict

`queries` is a projections.registry.Queries; `as_of` a ledger position or ISO timestamp (None: now).
Raises ledger.errors.Invalid (422, naming period_from / period_to) and NotFound (404, "team").
Observations are (rep, month) scorecards of the range, computed as GET /reps/<id>/scorecard?period=YYYY-MM.
Correlations are {"n", "r", "ci95": [low, high] | None, "reason": str | None} (floats; r None when n < 3
or a variable is constant, ci95 None when n < 4). The report dict:

- period_from, period_to, team_id, position, as_of, base_currency, unconverted_currencies
- observations: {count, reps, months}
- scheme: {scheme_id, version, name, effective_from, applies} | None -- in force at the range's end
- indicators: [{key, dimension, lower_is_better, current_weight (str), suggested_weight (int),
               value: {n, pearson, spearman}, score: {n, pearson, spearman}}]
- weights: {min, max, basis: {key: float}, current: {key: str}, suggested: {key: int (sum 100)}, cohorts: [name]}
- what_if: [{period, reps, moved, kendall_tau, entries: [{rep_id, name, total_current, total_suggested,
            rank_current, rank_suggested, change}]}] -- the range's last 6 months
- training: {definition, n, excluded_pairs, pearson, spearman}
- top_performers: {top_rep_ids, reason, stages, top: G, rest: G} with G = {reps, revenue, follow_ups, deals,
                  follow_ups_per_deal, days_in_stage: {stage: {mean, n}}, stage_conversion: [{from, to,
                  entered, advanced, rate}], new_customer_revenue_share, new_customer_deal_share}
- incentives: {result_basis, capability_basis ("scores" | "percentiles"), median_result, median_capability,
              new_hire_months, pool_customers_unowned, reps: [{rep_id, name, team_id, quadrant, suggestion,
              text, figures: {result_score, capability_score, tenure_months, cohort, revenue, training_hours,
              customers_held}}]}
"""

from projections.analytics.report import indicator_analytics

__all__ = ["indicator_analytics"]
