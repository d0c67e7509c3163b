"""The auditors' feed with bounds: `from` and `until` as ledger positions or recording times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import ValidationError, fields, validates_schema

from api.schemas.common import FeedQuerySchema, FeedSchema
from ledger.errors import Invalid
from projections.feed import Bound, parse_bound

BOUND = {"type": "string", "example": "2026-09-30T23:59:59+08:00",
         "description": "a ledger position (e.g. 5000) or an ISO 8601 timestamp with offset; inclusive"}


class PositionOrTime(fields.Field):
    """A feed bound: digits are a position, anything else must be an ISO 8601 timestamp with offset."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Bound:
        try:
            return parse_bound(str(value), self.data_key or attr or "bound")
        except Invalid as error:
            raise ValidationError([reason for reasons in error.errors.values() for reason in reasons]) from None


class BoundedFeedQuery(FeedQuerySchema):
    from_ = PositionOrTime(data_key="from", load_default=None,
                           metadata={**BOUND, "description": "first position, or first recording time, to include; "
                                                             + BOUND["description"]})
    until = PositionOrTime(load_default=None,
                           metadata={**BOUND, "description": "last position, or last recording time, to include; "
                                                             + BOUND["description"]})

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        since, until = data.get("from_"), data.get("until")
        same_kind = isinstance(since, datetime) == isinstance(until, datetime)
        if since is not None and until is not None and same_kind and since > until:
            raise ValidationError("must not be before from", "until")


class BoundedFeed(FeedSchema):
    from_position = fields.Integer(allow_none=True, metadata={"description": "first position the bounds admit"})
    until_position = fields.Integer(allow_none=True, metadata={
        "description": "last position the bounds admit; caught up when next_after reaches it (or head)"})
