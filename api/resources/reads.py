"""The read side over HTTP: scorecards, leaderboard, pool and ownership, targets, projection control."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import current_app
from flask.views import MethodView

from api.ext import LedgerExtension, ledger
from api.idempotency import idempotent
from api.parser import Blueprint
from api.resources.common import add_read_routes
from api.schemas.reads import (
    AsOfQuery,
    HoldingsOut,
    LeaderboardOut,
    LeaderboardQuery,
    OwnershipOut,
    PeriodQuery,
    PoolOut,
    PoolQuery,
    ProjectionsOut,
    RebuildOut,
    ScorecardOut,
    TargetOut,
    TargetSetIn,
    TeamScoreOut,
)
from ledger.base import Ctx
from ledger.commands.targets import SetTarget
from ledger.errors import NotFound
from ledger.target import Target
from projections import pool
from projections.registry import Queries
from projections.scorecards import REP

blp = Blueprint("reads", __name__, url_prefix="/api/v1", description="Scorecards, leaderboard, pool, targets")


def queries() -> Queries:
    """The read side of the current app, built with the ledger on first use."""
    ext: LedgerExtension = current_app.extensions["ledger"]
    return ext.queries


@blp.route("/reps/<uuid:rep_id>/scorecard", methods=["GET"])
@blp.arguments(PeriodQuery, location="query")
@blp.response(200, ScorecardOut)
def rep_scorecard(query: dict[str, Any], rep_id: UUID) -> Any:
    """A rep's scorecard for a period: every indicator's actual, target, score, weight; total, ranks."""
    q = queries()
    return q.scorecards.rep(str(rep_id), query["period"], q.read_side.moment(query["as_of"]))


@blp.route("/teams/<uuid:team_id>/scorecard", methods=["GET"])
@blp.arguments(PeriodQuery, location="query")
@blp.response(200, TeamScoreOut)
def team_scorecard(query: dict[str, Any], team_id: UUID) -> Any:
    """A team's members ranked, its mean total, revenue and attainment, and its rank among teams."""
    q = queries()
    return q.scorecards.team(str(team_id), query["period"], q.read_side.moment(query["as_of"]))


@blp.route("/groups/<uuid:group_id>/scorecard", methods=["GET"])
@blp.arguments(PeriodQuery, location="query")
@blp.response(200, TeamScoreOut)
def group_scorecard(query: dict[str, Any], group_id: UUID) -> Any:
    """A competition group's score: the mean of its members' totals, and their summed revenue."""
    q = queries()
    return q.scorecards.group(str(group_id), query["period"], q.read_side.moment(query["as_of"]))


@blp.route("/leaderboard", methods=["GET"])
@blp.arguments(LeaderboardQuery, location="query")
@blp.response(200, LeaderboardOut)
def leaderboard(query: dict[str, Any]) -> Any:
    """Reps ranked by total for a period, company-wide or for one team or group."""
    q = queries()
    team, group = (str(x) if x else None for x in (query["team"], query["group"]))
    return q.scorecards.leaderboard(query["period"], q.read_side.moment(query["as_of"]), team_id=team, group_id=group)


@blp.route("/pool", methods=["GET"])
@blp.arguments(PoolQuery, location="query")
@blp.response(200, PoolOut)
def pool_customers(query: dict[str, Any]) -> Any:
    """Customers nobody owns, with how long they have been in the pool; filter by level, region, segment."""
    q = queries()
    moment = q.read_side.moment(query.pop("as_of"))
    rows = q.read_side.rows("pool", pool.CUSTOMER, moment, part="")
    return {"customers": pool.pool_customers(rows, **query), "position": moment.position, "as_of": moment.at.isoformat()}


@blp.route("/customers/<uuid:customer_id>/ownership", methods=["GET"])
@blp.arguments(AsOfQuery, location="query")
@blp.response(200, OwnershipOut)
def ownership(query: dict[str, Any], customer_id: UUID) -> Any:
    """Who owns the customer, since when, and every change of owner with its reason."""
    q = queries()
    moment = q.read_side.moment(query["as_of"])
    found = q.read_side.rows("pool", pool.CUSTOMER, moment, part="", key=str(customer_id))
    if not found:
        raise NotFound(f"no customer with id {customer_id} at position {moment.position}")
    return {**pool.ownership(str(customer_id), found[0][2]), "position": moment.position, "as_of": moment.at.isoformat()}


@blp.route("/reps/<uuid:rep_id>/holdings", methods=["GET"])
@blp.arguments(AsOfQuery, location="query")
@blp.response(200, HoldingsOut)
def holdings(query: dict[str, Any], rep_id: UUID) -> Any:
    """The rep's customers with idle days since the last follow-up and since the last deal."""
    q = queries()
    moment = q.read_side.moment(query["as_of"])
    if not q.read_side.rows("scorecards", REP, moment, part="", key=str(rep_id)):
        raise NotFound(f"no rep with id {rep_id} at position {moment.position}")
    rows = q.read_side.rows("pool", pool.HOLDING, moment, part=str(rep_id))
    return {"rep_id": str(rep_id), "holdings": pool.holdings(rows, moment.at), "position": moment.position,
            "as_of": moment.at.isoformat()}


@blp.route("/targets")
class Targets(MethodView):
    @blp.arguments(TargetSetIn)
    @blp.response(201, TargetOut)
    @idempotent
    def post(self, cmd: SetTarget, ctx: Ctx) -> Any:
        """Set a quota for a rep or a team, a period and an indicator; setting it again records a change."""
        return ledger().set_target(cmd, ctx)


add_read_routes(blp, "targets", Target, TargetOut)


@blp.route("/projections", methods=["GET"])
@blp.response(200, ProjectionsOut)
def projection_status() -> Any:
    """Each read model's position and how far behind the ledger's head it is."""
    return {"projections": queries().read_side.status()}


@blp.route("/projections/<name>/rebuild", methods=["POST"])
@blp.response(200, RebuildOut)
def rebuild(name: str) -> Any:
    """Rebuild one read model from zero (admin); answers when it has caught up."""
    result = queries().read_side.runner(name).rebuild()
    return {"name": name, "events": result.events, "position": result.position, "seconds": result.seconds,
            "events_per_second": int(result.events / max(result.seconds, 1e-9))}
