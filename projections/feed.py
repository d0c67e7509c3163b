"""The auditors' feed and stream histories: events exactly as recorded, as plain data."""

from __future__ import annotations

from dataclasses import fields as dc_fields
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Iterable
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEvent, DomainEventProtocol

from ledger.errors import Invalid
from ledger.personal import Personal

Bound = int | datetime  # a ledger position, or a recording time (timezone-aware)

_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic",
             "occurred_at", "actor", "idempotency_key"}


def plain(value: Any) -> Any:
    """JSON-ready form: UUID and Decimal as strings, dates ISO 8601, containers recursively;
    personal values as their value, or "[erased]" once their subject is erased."""
    if isinstance(value, Personal):
        return plain(value.shown())
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def event_type(event: object) -> str:
    """'Customer.Claimed' for ledger.customer:Customer.Claimed."""
    return type(event).__qualname__


def event_record(event: DomainEventProtocol[Any], position: int | None = None) -> dict[str, Any]:
    # every ledger event is a dataclass DomainEvent: its fields are the payload, `timestamp` the recording time
    if not isinstance(event, DomainEvent):
        raise TypeError(f"{type(event).__qualname__} is not a dataclass domain event")
    values = {f.name: getattr(event, f.name) for f in dc_fields(event)}
    return {
        "position": position,
        "stream_id": event.originator_id,
        "version": event.originator_version,
        "type": event_type(event),
        "recorded_at": event.timestamp,
        "occurred_at": values.get("occurred_at"),
        "actor": values.get("actor"),
        "idempotency_key": values.get("idempotency_key"),
        "payload": {k: plain(v) for k, v in values.items() if k not in _ENVELOPE},
    }


# Reads of the feed are themselves recorded (SensitiveDataRead); listing them in the feed would make
# every poll produce the next page. They are served by the access log instead.
ACCESS_RECORD_TOPIC = "ledger.read_audit:ReadAudit.SensitiveDataRead"


def parse_bound(value: str, field: str) -> Bound:
    """A ledger position (digits) or an ISO 8601 timestamp with an offset; 422 naming `field` otherwise."""
    text = value.strip()
    if text.isdigit():
        return int(text)
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{field} {value!r} is neither a position nor an ISO timestamp",
                      errors={field: ["a ledger position or an ISO 8601 timestamp"]}) from None
    if at.tzinfo is None:
        raise Invalid(f"{field} timestamps need an offset", errors={field: ["timezone required"]})
    return at


def position_at(app: Application[Any], at: datetime, head: int | None = None) -> int:
    """The last position recorded at or before `at` (0 if none): a binary search over recording times,
    which rise with positions (writers are serialised); `as_of` (ReadSide.moment) uses it too."""
    low, high = 0, head if head is not None else (app.recorder.max_notification_id() or 0)
    while low < high:
        middle = (low + high + 1) // 2
        found = app.recorder.select_notifications(start=middle, limit=1, stop=high)
        if not found:
            high = middle - 1
        elif recorded_at(app.mapper.to_domain_event(found[0])) <= at:
            low = found[0].id
        else:
            high = middle - 1
    return low


def recorded_at(event: object) -> datetime:
    """The recording time every stored event carries."""
    stamp = getattr(event, "timestamp", None)
    if not isinstance(stamp, datetime):
        raise TypeError(f"{type(event).__name__} has no recording time")
    return stamp


def first_position(app: Application[Any], bound: Bound) -> int:
    """Inclusive lower bound: that position, or the first one recorded at or after the time."""
    if isinstance(bound, datetime):
        return position_at(app, bound - timedelta(microseconds=1)) + 1  # recording times have microseconds
    return bound


def last_position(app: Application[Any], bound: Bound) -> int:
    """Inclusive upper bound: that position, or the last one recorded at or before the time."""
    return position_at(app, bound) if isinstance(bound, datetime) else bound


def read_feed(app: Application[Any], after: int, limit: int, *, since: Bound | None = None, until: Bound | None = None,
              with_access_records: bool = False) -> dict[str, Any]:
    """Events after a position, in ledger order, within the inclusive bounds `since`..`until` (positions or
    recording times). Gaps in positions are normal (refused writes, and the access records left out); read
    on from `next_after` until it reaches `until_position` (bounded) or `head`, not until a page is empty."""
    head = app.recorder.max_notification_id() or 0  # read first: every position up to it is committed
    start = max(after + 1, first_position(app, since)) if since is not None else after + 1
    bound = last_position(app, until) if until is not None else None
    stop = head if bound is None else min(head, bound)
    notifications = app.recorder.select_notifications(start=start, limit=limit, stop=stop) if start <= stop else []
    events = [event_record(app.mapper.to_domain_event(n), n.id) for n in notifications
              if with_access_records or n.topic != ACCESS_RECORD_TOPIC]
    full = len(notifications) == limit  # else everything up to `stop` has been read
    return {
        "events": events,
        "next_after": notifications[-1].id if full else max(start - 1, stop),
        "head": head,
        "from_position": start if since is not None else None,
        "until_position": bound,
    }


def history_records(events: Iterable[DomainEventProtocol[Any]]) -> list[dict[str, Any]]:
    return [event_record(e) for e in events]
