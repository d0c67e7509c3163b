"""Indicator analytics over HTTP: correlations with revenue, suggested weights, what-if, incentives."""

from __future__ import annotations

from typing import Any

from api.parser import Blueprint
from api.resources.reads import queries
from api.schemas.analytics import AnalyticsOut, AnalyticsQuery
from projections.analytics import indicator_analytics

blp = Blueprint("analytics", __name__, url_prefix="/api/v1", description="Indicator analytics (read-only)")


@blp.route("/analytics/indicators", methods=["GET"])
@blp.arguments(AnalyticsQuery, location="query")
@blp.response(200, AnalyticsOut)
def indicators(query: dict[str, Any]) -> Any:
    """Which indicators move revenue, suggested weights and their what-if, training, top decile, incentives."""
    team = str(query["team"]) if query["team"] else None
    return indicator_analytics(queries(), query["period_from"], query["period_to"], team_id=team, as_of=query["as_of"])
