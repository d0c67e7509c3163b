"""The one aggregate style: explicit nested events that carry business time, actor and request key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from ledger.errors import Invalid

A = TypeVar("A", bound="LedgerAggregate")


@dataclass(frozen=True)
class Ctx:
    """Who is recording, under which idempotency key, for which request fingerprint."""

    actor: str
    idempotency_key: str
    fingerprint: str = ""
    key_scope: str = ""  # keys are unique per client (token), as with Stripe's per-account keys

    @property
    def request_key(self) -> str:
        """The idempotency key qualified by its client: two clients may use the same key."""
        return f"{self.key_scope}/{self.idempotency_key}" if self.key_scope else self.idempotency_key

    def stamp(self, occurred_at: datetime) -> dict[str, Any]:
        """The metadata every event carries besides its own fields."""
        if occurred_at.tzinfo is None or occurred_at.utcoffset() is None:
            raise Invalid("occurred_at must be timezone-aware", errors={"occurred_at": ["timezone required"]})
        utc = occurred_at.astimezone(timezone.utc)  # stored in UTC whatever offset the client used
        return {"occurred_at": utc, "actor": self.actor, "idempotency_key": self.idempotency_key}


class LedgerCreated(Aggregate.Created):
    """First event of every stream. `timestamp` is recording time; `occurred_at` business time."""

    occurred_at: datetime
    actor: str
    idempotency_key: str


class LedgerEvent(Aggregate.Event):
    """Any later event of a stream."""

    occurred_at: datetime
    actor: str
    idempotency_key: str


class LedgerAggregate(Aggregate):
    """Commands check, then record; an event's `apply` only changes state (it re-runs on replay)."""

    KIND = "aggregate"

    @classmethod
    def _start(cls: type[A], event: type[LedgerCreated], id: UUID | None, **fields: Any) -> A:
        check_storable(fields)
        return cls._create(event, id=id or uuid4(), **fields)

    def _record(self, event: type[LedgerEvent], **fields: Any) -> None:
        check_storable(fields)
        self.trigger_event(event, **fields)


def check_storable(value: Any, path: str = "") -> None:
    """Refuse client-supplied mappings with the store's reserved `_type_` key: the JSON transcoder
    would read them back as typed values and the stream could never be decoded again."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and key in ("_type_", "_data_"):
                raise Invalid(f"the key {key!r} is reserved", errors={path.split(".")[0] or key: [f"reserved key {key!r}"]})
            check_storable(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for item in value:
            check_storable(item, path)
