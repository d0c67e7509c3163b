"""The auditors' feed: every event in ledger order, optionally between two positions or two times."""

from __future__ import annotations

from typing import Any

from api.ext import ledger
from api.parser import Blueprint
from api.schemas.feed import BoundedFeed, BoundedFeedQuery
from projections.feed import read_feed

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="The event feed, in ledger order")


@blp.route("/events", methods=["GET"])
@blp.arguments(BoundedFeedQuery, location="query")
@blp.response(200, BoundedFeed)
def feed(query: dict[str, Any]) -> Any:
    """Events after a position (and within `from`..`until`), oldest first, with position, type, stream and both clocks."""
    return read_feed(ledger(), query["after"], query["limit"], since=query["from_"], until=query["until"])
