"""Tamper evidence over HTTP: verify the hash chain, list and sign checkpoints."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.idempotency import idempotent
from api.parser import Blueprint
from api.resources.reads import queries
from api.schemas.integrity import CheckpointListOut, CheckpointOut, CheckpointQuery, SignCheckpointIn, VerifyOut
from ledger.base import Ctx

blp = Blueprint("integrity", __name__, url_prefix="/api/v1", description="Hash chain, checkpoints, verification")


@blp.route("/integrity/verify", methods=["GET"])
@blp.response(200, VerifyOut)
def verify() -> Any:
    """Recompute every event's chain hash, the Merkle roots and signatures; name the first position that disagrees."""
    return queries().integrity.verify()


@blp.route("/integrity/checkpoints")
class Checkpoints(MethodView):
    @blp.arguments(CheckpointQuery, location="query")
    @blp.response(200, CheckpointListOut)
    def get(self, query: dict[str, Any]) -> Any:
        """Signed checkpoints of the hash chain, newest first."""
        return {"checkpoints": queries().integrity.checkpoints(query["limit"])}

    @blp.arguments(SignCheckpointIn)
    @blp.response(201, CheckpointOut)
    @idempotent
    def post(self, _: dict[str, Any], ctx: Ctx) -> Any:
        """Catch the chain up and sign a checkpoint at its head now (503 without a configured signing key)."""
        return queries().integrity.sign(ctx)
