"""Rules as data: KPI schemes, commission plans, pool policies and exchange rates, all effective-dated."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView

from api.ext import ledger
from api.idempotency import idempotent
from api.parser import Blueprint
from api.resources.common import add_read_routes
from api.schemas.rules import (
    CommissionPlanDefine,
    CommissionPlanOut,
    CommissionPlanRevise,
    FxRateOut,
    FxRateRecord,
    KpiSchemeDefine,
    KpiSchemeOut,
    KpiSchemeRevise,
    PoolPolicyOut,
    PoolPolicySet,
    PoolScope,
)
from ledger.base import Ctx
from ledger.commands.rules import (
    DefineCommissionPlan,
    DefineKpiScheme,
    RecordFxRate,
    ReviseCommissionPlan,
    ReviseKpiScheme,
    SetPoolPolicy,
)
from ledger.commission_plan import CommissionPlan
from ledger.fx_rate import FxRate
from ledger.kpi_scheme import KpiScheme
from ledger.pool_policy import PoolPolicy

blp = Blueprint("rules", __name__, url_prefix="/api/v1", description="Rules as effective-dated data")


@blp.route("/kpi-schemes")
class KpiSchemes(MethodView):
    @blp.arguments(KpiSchemeDefine)
    @blp.response(201, KpiSchemeOut)
    @idempotent
    def post(self, cmd: DefineKpiScheme, ctx: Ctx) -> Any:
        """Define a KPI scheme: weighted indicators (summing to 100) and tenure cohorts."""
        return ledger().define_kpi_scheme(cmd, ctx)


@blp.route("/kpi-schemes/<uuid:scheme_id>/revise", methods=["POST"])
@blp.arguments(KpiSchemeRevise)
@blp.response(200, KpiSchemeOut)
@idempotent
def revise_kpi_scheme(data: dict[str, Any], scheme_id: UUID, ctx: Ctx) -> Any:
    """Revise a KPI scheme from a date after the previous revision's."""
    return ledger().revise_kpi_scheme(ReviseKpiScheme(scheme_id=scheme_id, **data), ctx)


@blp.route("/commission-plans")
class CommissionPlans(MethodView):
    @blp.arguments(CommissionPlanDefine)
    @blp.response(201, CommissionPlanOut)
    @idempotent
    def post(self, cmd: DefineCommissionPlan, ctx: Ctx) -> Any:
        """Define a commission plan; its rules are open data with at least a base_rate."""
        return ledger().define_commission_plan(cmd, ctx)


@blp.route("/commission-plans/<uuid:plan_id>/revise", methods=["POST"])
@blp.arguments(CommissionPlanRevise)
@blp.response(200, CommissionPlanOut)
@idempotent
def revise_commission_plan(data: dict[str, Any], plan_id: UUID, ctx: Ctx) -> Any:
    """Revise a commission plan's rules from a date after the previous revision's."""
    return ledger().revise_commission_plan(ReviseCommissionPlan(plan_id=plan_id, **data), ctx)


@blp.route("/pool-policy")
class PoolPolicies(MethodView):
    @blp.arguments(PoolScope, location="query")
    @blp.response(200, PoolPolicyOut)
    def get(self, query: dict[str, Any]) -> Any:
        """The pool policy of the company (?scope=company) or of a team (?team_id=)."""
        return ledger().pool_policy_for(query.get("team_id"))

    @blp.arguments(PoolPolicySet)
    @blp.response(200, PoolPolicyOut)
    @idempotent
    def post(self, cmd: SetPoolPolicy, ctx: Ctx) -> Any:
        """Set the pool policy of the company or of one team, from a date."""
        return ledger().set_pool_policy(cmd, ctx)


@blp.route("/fx-rates")
class FxRates(MethodView):
    @blp.arguments(FxRateRecord)
    @blp.response(201, FxRateOut)
    @idempotent
    def post(self, cmd: RecordFxRate, ctx: Ctx) -> Any:
        """Record the exchange rate of a currency pair on a day."""
        return ledger().record_fx_rate(cmd, ctx)


add_read_routes(blp, "kpi-schemes", KpiScheme, KpiSchemeOut)
add_read_routes(blp, "commission-plans", CommissionPlan, CommissionPlanOut)
add_read_routes(blp, "pool-policy", PoolPolicy, PoolPolicyOut)
add_read_routes(blp, "fx-rates", FxRate, FxRateOut)
