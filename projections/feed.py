"""The auditors' feed and stream histories: events exactly as recorded, as plain data."""

from __future__ import annotations

from dataclasses import fields as dc_fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEvent, DomainEventProtocol

from ledger.personal import Personal

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


def read_feed(app: Application[Any], after: int, limit: int, *, with_access_records: bool = False) -> dict[str, Any]:
    """Events after a position, in ledger order. Gaps in positions are normal (refused writes, and the
    access records left out); read on from `next_after` until it stops moving, not until a page is empty."""
    notifications = app.recorder.select_notifications(start=after + 1, limit=limit)
    events = [event_record(app.mapper.to_domain_event(n), n.id) for n in notifications
              if with_access_records or n.topic != ACCESS_RECORD_TOPIC]
    return {
        "events": events,
        "next_after": notifications[-1].id if notifications else after,
        "head": app.recorder.max_notification_id() or 0,
    }


def history_records(events: Iterable[DomainEventProtocol[Any]]) -> list[dict[str, Any]]:
    return [event_record(e) for e in events]
