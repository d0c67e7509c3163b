"""One bundle event as a line of events.jsonl: the stored bytes, their chain hash and Merkle proof, a readable payload."""

from __future__ import annotations

import base64
from dataclasses import fields
from typing import Any
from uuid import UUID

from ledger.personal import Personal
from projections.evidence.collect import Item
from projections.feed import event_type, plain

WITHHELD = "[withheld: personal data of another person]"
NOT_NEEDED = "[withheld: not needed as evidence]"
# The rep's identity papers, phone and address prove nothing about performance (data minimisation).
WITHHOLD_OWN = {"Rep.PersonalDetailsRecorded"}
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "occurred_at", "actor",
             "idempotency_key"}


def _shown(value: Any, rep_id: UUID | None) -> Any:
    """Plain JSON values; personal data of anyone but the rep (a customer's contacts) is left out."""
    if isinstance(value, Personal):
        if rep_id is None:
            return NOT_NEEDED
        return plain(value) if value.subject_id == rep_id else WITHHELD
    if isinstance(value, dict):
        return {str(k): _shown(v, rep_id) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_shown(v, rep_id) for v in value]
    return plain(value)


def payload(event: Any, rep_id: UUID) -> dict[str, Any]:
    """The event's own fields as plain JSON (the envelope fields are shown beside it)."""
    own = None if event_type(event) in WITHHOLD_OWN else rep_id
    return {f.name: _shown(getattr(event, f.name), own) for f in fields(event) if f.name not in _ENVELOPE}


def when(item: Item) -> dict[str, Any]:
    """Where and when a fact entered the ledger, and when it happened."""
    e = item.event
    occurred = getattr(e, "occurred_at", None)
    return {"position": item.position, "recorded_at": e.timestamp.isoformat(),
            "occurred_at": occurred.isoformat() if occurred is not None else None}


def event_record(item: Item, chain: dict[str, Any], proof: list[str], rep_id: UUID) -> dict[str, Any]:
    """Every field here is checked offline: against the stored bytes, the chain hash or the Merkle proof."""
    e, stored = item.event, item.stored
    return {
        "position": item.position, "ordinal": chain["ordinal"], "stream_id": str(stored.originator_id),
        "version": stored.originator_version, "topic": stored.topic, "type": event_type(e),
        "recorded_at": e.timestamp.isoformat(),
        "occurred_at": plain(getattr(e, "occurred_at", None)), "actor": getattr(e, "actor", None),
        "idempotency_key": getattr(e, "idempotency_key", None), "payload": payload(e, rep_id),
        "state_b64": base64.b64encode(bytes(stored.state)).decode("ascii"), "prev": chain["prev"], "hash": chain["hash"], "proof": proof,
    }
