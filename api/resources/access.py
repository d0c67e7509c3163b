"""The access log: who read sensitive data, when, and from where."""

from __future__ import annotations

from typing import Any

from api.ext import ledger
from api.parser import Blueprint
from api.schemas.common import FeedQuerySchema, FeedSchema
from projections.feed import event_record

blp = Blueprint("access", __name__, url_prefix="/api/v1", description="Audit of sensitive reads")


@blp.route("/access-log", methods=["GET"])
@blp.arguments(FeedQuerySchema, location="query")
@blp.response(200, FeedSchema)
def access_log(query: dict[str, Any]) -> Any:
    """SensitiveDataRead events after a position: who read what, when, from which address."""
    app = ledger()
    found = app.access_log(query["after"], query["limit"])
    return {"events": [event_record(event, position) for position, event in found],
            "next_after": found[-1][0] if found else query["after"], "head": app.head()}
