"""The analytics page: which indicators move revenue, suggested weights beside the current ones, what-if."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from api.console import pages
from api.console.access import permit
from api.console.blueprint import bp, label, t
from api.resources.reads import queries
from ledger.errors import Invalid
from projections.analytics import indicator_analytics


@bp.get("/analytics")
def analytics() -> Any:
    """The report of GET /api/v1/analytics/indicators as tables, and a chart of current vs suggested weights."""
    all_reps = pages.reps()
    team = pages.uuid_arg("team") or pages.own_team(all_reps)
    permit("analytics.indicators", team=team)
    day = pages.moment().at.date()
    first = request.args.get("period_from") or f"{day.year}-01"
    last = request.args.get("period_to") or f"{day.year}-{day.month:02d}"
    if len(first) != 7 or len(last) != 7:
        raise Invalid("months are written YYYY-MM", errors={"period_from": ["YYYY-MM"], "period_to": ["YYYY-MM"]})
    report = indicator_analytics(queries(), first, last, team_id=str(team) if team else None, as_of=pages.moment().position)
    keys = list(report["weights"]["current"])
    weights = pages.chart("bar", [label("indicator", k) for k in keys], [
        {"label": t("analytics.current"), "data": [pages.number(report["weights"]["current"][k]) for k in keys]},
        {"label": t("analytics.suggested"), "data": [pages.number(report["weights"]["suggested"].get(k)) for k in keys]}])
    return render_template("console/analytics.html", report=report, weights=weights, period_from=first, period_to=last,
                           team=str(team) if team else "", teams={k: v["name"] for k, v in pages.teams().items()})
