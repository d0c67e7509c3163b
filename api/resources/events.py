"""The auditors' feed: every event in ledger order."""

from __future__ import annotations

from typing import Any

from api.ext import ledger
from api.parser import Blueprint
from api.schemas.common import FeedQuerySchema, FeedSchema
from projections.feed import read_feed

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="The event feed, in ledger order")


@blp.route("/events", methods=["GET"])
@blp.arguments(FeedQuerySchema, location="query")
@blp.response(200, FeedSchema)
def feed(query: dict[str, Any]) -> Any:
    """Events after a position, oldest first, with position, type, stream, version and both clocks."""
    return read_feed(ledger(), query["after"], query["limit"])
