"""The indicator analytics report: every section computed from one panel of (rep, month) scorecards."""

from __future__ import annotations

from typing import Any

from projections import pool
from projections.analytics import habits, incentives, indicators
from projections.analytics.observations import check_range, load


def indicator_analytics(queries: Any, period_from: str, period_to: str, *, team_id: str | None = None,
                        as_of: str | int | None = None) -> dict[str, Any]:
    """The analytics report for the months period_from..period_to (YYYY-MM), one team or all, as of a moment.
    `queries` is a projections.registry.Queries (its read_side and scorecards are used). Reads only."""
    months = check_range(period_from, period_to)
    read_side = queries.read_side
    moment = read_side.moment(as_of)
    panel = load(queries.scorecards, months, moment, team_id)
    rows = indicators.correlations(panel)
    suggested = indicators.suggested_weights(panel, rows)
    unowned = sum(1 for _, _, c in read_side.rows("pool", pool.CUSTOMER, moment, part="") if c["owner_id"] is None)
    return {
        "period_from": period_from, "period_to": period_to, "team_id": team_id,
        "position": moment.position, "as_of": moment.at.isoformat(), "base_currency": panel.rules.base_currency,
        "unconverted_currencies": sorted(panel.rules.unconverted),
        "observations": {"count": len(panel.rows), "reps": len({r.rep_id for r in panel.rows}), "months": len(months)},
        "scheme": suggested["scheme"],
        "indicators": rows,
        "weights": {k: suggested[k] for k in ("min", "max", "basis", "current", "suggested", "cohorts")},
        "what_if": indicators.what_if(panel, suggested["suggested"]),
        "training": indicators.training_growth(panel),
        "top_performers": habits.top_decile(read_side.app, panel),
        "incentives": {**incentives.suggestions(read_side, panel), "pool_customers_unowned": unowned},
    }
