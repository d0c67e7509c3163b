"""Lean handlers for the row kinds that dominate a CRM's history: the real handler's checks and its very event,
without copying the aggregates it reads or building the one it creates (tests/integration/test_import_fast.py
imports the same file both ways and compares the stored rows)."""

from __future__ import annotations

from typing import Any, Callable

from eventsourcing.utils import get_topic

from ledger.base import Ctx
from ledger.commands.sales import LogFollowUp
from ledger.customer import Customer
from ledger.followup import KINDS, STAGES, FollowUp
from ledger.imports.session import ImportSession
from ledger.imports.spill import PLACEHOLDER
from ledger.rep import Rep

# A lean handler records the command's event in the session and returns True, or returns False (having changed
# nothing) whenever it cannot tell the outcome on its own: the real handler then runs, and words any refusal.
Lean = Callable[[ImportSession, Any, Ctx], bool]

_FOLLOW_UP, _LOGGED = get_topic(FollowUp), get_topic(FollowUp.Logged)


def log_follow_up(session: ImportSession, cmd: LogFollowUp, ctx: Ctx) -> bool:
    """`SalesService.log_follow_up` for a rep and a customer the session holds: the rep active, the customer a
    customer, then `FollowUp.log`'s own checks; the event as `FollowUp.log` builds it (field by field)."""
    rep, customer = session.cache.get(cmd.rep_id), session.cache.get(cmd.customer_id)
    if (type(rep) is not Rep or not rep.active or not isinstance(customer, Customer) or cmd.id is None
            or cmd.kind not in KINDS or cmd.stage not in STAGES or cmd.duration_minutes < 0
            or cmd.occurred_at.utcoffset() is None):
        return False
    stamp = ctx.stamp(cmd.occurred_at)
    encoder = session.encoder
    if encoder.direct:  # FollowUp.Logged's state as the mapper takes it apart, key for key, in typed form
        session.record_leaf(encoder.direct_spill(cmd.id, FollowUp.INITIAL_VERSION, _LOGGED, {
            "timestamp": encoder.typed_placeholder, "originator_topic": _FOLLOW_UP,
            "occurred_at": encoder.typed_time(stamp["occurred_at"]), "actor": stamp["actor"],
            "idempotency_key": stamp["idempotency_key"], "rep_id": encoder.typed_uuid(cmd.rep_id),
            "customer_id": encoder.typed_uuid(cmd.customer_id), "kind": cmd.kind, "stage": cmd.stage,
            "notes": cmd.notes, "duration_minutes": cmd.duration_minutes}))
        return True
    session.record_leaf(FollowUp.Logged(  # type: ignore[call-arg]
        originator_id=cmd.id, originator_version=FollowUp.INITIAL_VERSION, timestamp=PLACEHOLDER,
        originator_topic=_FOLLOW_UP, rep_id=cmd.rep_id, customer_id=cmd.customer_id, kind=cmd.kind,
        stage=cmd.stage, notes=cmd.notes, duration_minutes=cmd.duration_minutes, **stamp))
    return True


HANDLERS: dict[str, Lean] = {"log_follow_up": log_follow_up}
