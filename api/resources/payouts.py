"""Commissions over HTTP: statements, payout runs (calculated, approved, paid), disputes, simulations."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response
from flask.views import MethodView

from api.ext import ledger
from api.idempotency import idempotent
from api.parser import Blueprint
from api.resources.common import add_read_routes
from api.resources.reads import queries
from api.schemas.payouts import (
    AssignmentIn,
    DisputeOpen,
    DisputeOut,
    DisputeResolve,
    PayoutAdjust,
    PayoutApprove,
    PayoutCalculate,
    PayoutPay,
    PayoutRecalculate,
    PayoutRunOut,
    PayrollQuery,
    SimulateIn,
    SimulateOut,
    StatementOut,
    StatementQuery,
)
from api.schemas.rules import CommissionPlanOut
from ledger.base import Ctx
from ledger.commands.payouts import (
    AdjustPayout,
    ApprovePayout,
    CalculatePayout,
    OpenDispute,
    PayPayout,
    RecalculatePayout,
    ResolveDispute,
)
from ledger.commands.rules import AssignCommissionPlan
from ledger.dispute import Dispute
from ledger.payout import PayoutRun
from ledger.team import Team
from projections.reports import payroll, statement_pdf

blp = Blueprint("payouts", __name__, url_prefix="/api/v1", description="Commissions, payout runs and disputes")


@blp.route("/commission-plans/<uuid:plan_id>/assignments", methods=["POST"])
@blp.arguments(AssignmentIn)
@blp.response(200, CommissionPlanOut)
@idempotent
def assign_plan(data: dict[str, Any], plan_id: UUID, ctx: Ctx) -> Any:
    """Put a rep or a whole team on a plan for a date range."""
    return ledger().assign_commission_plan(AssignCommissionPlan(plan_id=plan_id, **data), ctx)


@blp.route("/reps/<uuid:rep_id>/statement", methods=["GET"])
@blp.arguments(StatementQuery, location="query")
@blp.response(200, StatementOut, content_type="application/json")
@blp.alt_response(200, description="the statement as a printable PDF (format=pdf)", content_type="application/pdf",
                  success=True)
def statement(query: dict[str, Any], rep_id: UUID) -> Any:
    """A rep's running commission statement for a month: every line, its rule and the events behind it."""
    found = queries().commissions.statement(rep_id, query["period"], query["as_of"])
    if query["format"] != "pdf":
        return found
    return _download(statement_pdf.render(found), "application/pdf", statement_pdf.file_name(found))


@blp.route("/payout-runs")
class PayoutRuns(MethodView):
    @blp.arguments(PayoutCalculate)
    @blp.response(201, PayoutRunOut)
    @idempotent
    def post(self, data: dict[str, Any], ctx: Ctx) -> Any:
        """Calculate and record a team's payout run for a month; the caller is its calculator."""
        ledger().load(Team, data["team_id"], field="team_id")  # an unknown team is 409, not "nothing to pay"
        computed = queries().commissions.calculation(data["team_id"], data["period"])
        return ledger().calculate_payout(CalculatePayout(**data, **computed, calculated_by=ctx.actor), ctx)


@blp.route("/payout-runs/<uuid:run_id>/recalculate", methods=["POST"])
@blp.arguments(PayoutRecalculate)
@blp.response(200, PayoutRunOut)
@idempotent
def recalculate(data: dict[str, Any], run_id: UUID, ctx: Ctx) -> Any:
    """Recalculate an unpaid run from the ledger as it stands; its adjustments are kept."""
    run = ledger().load(PayoutRun, run_id)
    computed = queries().commissions.calculation(run.team_id, run.period, run_id) if run.team_id else {}
    return ledger().recalculate_payout(RecalculatePayout(run_id=run_id, **_rest(computed), **data,
                                                         recalculated_by=ctx.actor), ctx)


def _rest(computed: dict[str, Any]) -> dict[str, Any]:
    return {key: computed.get(key, default) for key, default in
            (("lines", []), ("adjustments", []), ("through_position", 0))}


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
    """Record that an approved run was paid; from then on it never changes."""
    return ledger().pay_payout(PayPayout(run_id=run_id, **data), ctx)


@blp.route("/payout-runs/<uuid:run_id>/adjust", methods=["POST"])
@blp.arguments(PayoutAdjust)
@blp.response(200, PayoutRunOut)
@idempotent
def adjust(data: dict[str, Any], run_id: UUID, ctx: Ctx) -> Any:
    """Record a manual adjustment on an unpaid run; its lines are never edited."""
    return ledger().adjust_payout(AdjustPayout(run_id=run_id, **data), ctx)


@blp.route("/payout-runs/<uuid:run_id>/payroll", methods=["GET"])
@blp.arguments(PayrollQuery, location="query")
@blp.response(200, content_type="text/csv", description="one row per rep (format=csv or xlsx)")
def payroll_export(query: dict[str, Any], run_id: UUID) -> Response:
    """Payroll export of an approved or paid run: one row per rep, as CSV or XLSX."""
    return _download(*payroll.export(ledger().load(PayoutRun, run_id), query["format"]))


def _download(body: bytes, mime: str, name: str) -> Response:
    return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blp.route("/plans/simulate", methods=["POST"])
@blp.arguments(SimulateIn)
@blp.response(200, SimulateOut)
def simulate(data: dict[str, Any]) -> Any:
    """What-if: every rep's pay under a draft plan beside the actual, for a range of months; writes nothing."""
    return queries().commissions.simulate(**data)


@blp.route("/disputes")
class Disputes(MethodView):
    @blp.arguments(DisputeOpen)
    @blp.response(201, DisputeOut)
    @idempotent
    def post(self, data: dict[str, Any], ctx: Ctx) -> Any:
        """Open a dispute on a line of a rep's statement."""
        return ledger().open_dispute(queries().commissions.dispute_command(OpenDispute, data), ctx)


@blp.route("/disputes/<uuid:dispute_id>/resolve", methods=["POST"])
@blp.arguments(DisputeResolve)
@blp.response(200, DisputeOut)
@idempotent
def resolve_dispute(data: dict[str, Any], dispute_id: UUID, ctx: Ctx) -> Any:
    """Resolve a dispute: approve, partial or deny; a change in pay goes into the next payout run."""
    return ledger().resolve_dispute(ResolveDispute(dispute_id=dispute_id, **data), ctx)


add_read_routes(blp, "payout-runs", PayoutRun, PayoutRunOut)
add_read_routes(blp, "disputes", Dispute, DisputeOut)
