"""Payout runs: record a calculated run, approve it (four eyes), pay it, adjust it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView

from api.ext import ledger
from api.idempotency import idempotent
from api.parser import Blueprint
from api.resources.common import add_read_routes
from api.schemas.payouts import PayoutAdjust, PayoutApprove, PayoutCalculate, PayoutPay, PayoutRunOut
from ledger.base import Ctx
from ledger.commands.payouts import AdjustPayout, ApprovePayout, CalculatePayout, PayPayout
from ledger.payout import PayoutRun

blp = Blueprint("payouts", __name__, url_prefix="/api/v1", description="Payout runs and their approval")


@blp.route("/payout-runs")
class PayoutRuns(MethodView):
    @blp.arguments(PayoutCalculate)
    @blp.response(201, PayoutRunOut)
    @idempotent
    def post(self, data: dict[str, Any], ctx: Ctx) -> Any:
        """Record a calculated payout run for a period; the caller is its calculator."""
        return ledger().calculate_payout(CalculatePayout(**data, calculated_by=ctx.actor), ctx)


@blp.route("/payout-runs/<uuid:run_id>/approve", methods=["POST"])
@blp.arguments(PayoutApprove)
@blp.response(200, PayoutRunOut)
@idempotent
def approve(data: dict[str, Any], run_id: UUID, ctx: Ctx) -> Any:
    """Approve a calculated run; the approver must not be the person who calculated it."""
    return ledger().approve_payout(ApprovePayout(run_id=run_id, approved_by=ctx.actor, **data), ctx)


@blp.route("/payout-runs/<uuid:run_id>/pay", methods=["POST"])
@blp.arguments(PayoutPay)
@blp.response(200, PayoutRunOut)
@idempotent
def pay(data: dict[str, Any], run_id: UUID, ctx: Ctx) -> Any:
    """Record that an approved run was paid."""
    return ledger().pay_payout(PayPayout(run_id=run_id, **data), ctx)


@blp.route("/payout-runs/<uuid:run_id>/adjust", methods=["POST"])
@blp.arguments(PayoutAdjust)
@blp.response(200, PayoutRunOut)
@idempotent
def adjust(data: dict[str, Any], run_id: UUID, ctx: Ctx) -> Any:
    """Record an adjustment for a rep; the run's lines are never edited."""
    return ledger().adjust_payout(AdjustPayout(run_id=run_id, **data), ctx)


add_read_routes(blp, "payout-runs", PayoutRun, PayoutRunOut)
