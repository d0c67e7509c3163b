"""Follow-ups and deals: log contacts, close deals, reverse them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView

from api.ext import ledger
from api.idempotency import idempotent
from api.parser import Blueprint
from api.resources.common import add_read_routes
from api.schemas.sales import DealClose, DealOut, DealReverse, FollowUpLog, FollowUpOut
from ledger.base import Ctx
from ledger.commands.sales import CloseDeal, LogFollowUp, ReverseDeal
from ledger.deal import Deal
from ledger.followup import FollowUp

blp = Blueprint("sales", __name__, url_prefix="/api/v1", description="Follow-ups and deals")


def _follow_up_reads(view: MethodView, cmd: LogFollowUp) -> tuple[UUID, UUID]:
    return cmd.rep_id, cmd.customer_id  # the streams log_follow_up loads: read with the key's record at once


@blp.route("/follow-ups")
class FollowUps(MethodView):
    @blp.arguments(FollowUpLog)
    @blp.response(201, FollowUpOut)
    @idempotent(reads=_follow_up_reads)
    def post(self, cmd: LogFollowUp, ctx: Ctx) -> Any:
        """Log a follow-up (call, visit, meeting...) of a customer by a rep, with its pipeline stage."""
        return ledger().log_follow_up(cmd, ctx)


@blp.route("/deals")
class Deals(MethodView):
    @blp.arguments(DealClose)
    @blp.response(201, DealOut)
    @idempotent
    def post(self, cmd: CloseDeal, ctx: Ctx) -> Any:
        """Record a closed deal and how its credit splits between reps."""
        return ledger().close_deal(cmd, ctx)


@blp.route("/deals/<uuid:deal_id>/reverse", methods=["POST"])
@blp.arguments(DealReverse)
@blp.response(200, DealOut)
@idempotent
def reverse(data: dict[str, Any], deal_id: UUID, ctx: Ctx) -> Any:
    """Refund or cancel all or part of a deal; reversals never exceed the deal's amount."""
    return ledger().reverse_deal(ReverseDeal(deal_id=deal_id, **data), ctx)


add_read_routes(blp, "follow-ups", FollowUp, FollowUpOut)
add_read_routes(blp, "deals", Deal, DealOut)
