"""Art. 42 protected statuses: periods in which a rep may not be dismissed under arts. 40 and 41."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView

from api.ext import ledger
from api.idempotency import idempotent
from api.parser import Blueprint
from api.resources.common import add_read_routes
from api.schemas.evidence import ProtectedStatusEnd, ProtectedStatusOut, ProtectedStatusRecord
from ledger.base import Ctx
from ledger.commands.evidence import EndProtectedStatus, RecordProtectedStatus
from ledger.protected_status import ProtectedStatus

blp = Blueprint("protection", __name__, url_prefix="/api/v1",
                description="Protected statuses (Labour Contract Law art. 42)")


@blp.route("/protected-statuses")
class ProtectedStatuses(MethodView):
    @blp.arguments(ProtectedStatusRecord)
    @blp.response(201, ProtectedStatusOut)
    @idempotent
    def post(self, cmd: RecordProtectedStatus, ctx: Ctx) -> Any:
        """Record that art. 42 protects a rep (pregnancy, occupational disease, medical treatment, long service...)."""
        return ledger().record_protected_status(cmd, ctx)


@blp.route("/protected-statuses/<uuid:status_id>/end", methods=["POST"])
@blp.arguments(ProtectedStatusEnd)
@blp.response(200, ProtectedStatusOut)
@idempotent
def end_status(data: dict[str, Any], status_id: UUID, ctx: Ctx) -> Any:
    """Record the day a protected status ended."""
    return ledger().end_protected_status(EndProtectedStatus(status_id=status_id, **data), ctx)


add_read_routes(blp, "protected-statuses", ProtectedStatus, ProtectedStatusOut)
