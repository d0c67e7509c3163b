"""The pool as it stood just before an instant, by business time, for the recycling and rebalancing jobs.

A job deciding for instant T reads only facts that occurred before T (and its own facts recorded at T),
so a late run for a past T decides what an on-time run would have, and a rerun plans the same steps,
each of which then replays under its deterministic idempotency key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from jobs.base import JobContext
from ledger.base import Ctx
from ledger.customer import Customer
from ledger.errors import LedgerError, NotFound
from ledger.holdings import Holdings, holdings_id
from ledger.rep import Rep
from projections import pool, pool_activity, scorecards
from projections.base import State

OWNERSHIP = (Customer.Claimed, Customer.Assigned, Customer.Released, Customer.Recycled)


@dataclass
class Held:
    """An owned customer as it stood just before the job's instant."""

    customer_id: UUID
    owner: UUID
    team_id: UUID | None
    level: str
    since: datetime
    warning: dict[str, Any] | None
    recycled_from: dict[str, datetime]
    touches: list[tuple[str, str, State]]

    def mark(self, kind: str, at: datetime) -> datetime:
        """When the owner last worked the customer (that kind of touch) before `at`, or took it."""
        last = pool_activity.last_touch(self.touches, str(self.owner), kind, at)
        return max(self.since, last) if last else self.since

    def in_cooloff(self, rep_id: str, at: datetime, cooloff_days: int) -> bool:
        recycled_at = self.recycled_from.get(rep_id)
        return recycled_at is not None and at < recycled_at + timedelta(days=cooloff_days)


def day_of(at: datetime) -> date:
    return at.astimezone(timezone.utc).date()


def days_between(earlier: datetime, at: datetime) -> int:
    """Whole calendar days (UTC) from one instant to another."""
    return (day_of(at) - day_of(earlier)).days


def seed_for(customer_id: UUID, at: datetime) -> int:
    """A deterministic seed per customer and instant (52 bits: exact in any JSON reader)."""
    text = f"{customer_id}|{at.astimezone(timezone.utc).isoformat()}"
    return int(hashlib.sha256(text.encode()).hexdigest()[:13], 16)


def held_before(context: JobContext, job: str) -> list[Held]:
    """Every customer owned just before `context.at`, whose ownership has not changed since (other than by
    this job at this very instant), sorted by id."""
    rs, at = context.queries.read_side, context.at
    moment = rs.moment()
    found = []
    for _, key, state in sorted(rs.rows(pool.PoolProjection.name, pool.CUSTOMER, moment, part=""), key=lambda r: r[1]):
        if state["owner_id"] is None and not _ours(state["history"][-1:], job, at):
            continue
        held = _customer_before(context, UUID(key), job)
        if held is not None:
            held.touches = rs.rows(pool_activity.NAME, pool_activity.TOUCH, moment, part=key)
            found.append(held)
    return found


def _ours(history: list[dict[str, Any]], job: str, at: datetime) -> bool:
    return any(h["actor"] == f"scheduler:{job}" and datetime.fromisoformat(h["occurred_at"]) == at for h in history)


def _customer_before(context: JobContext, customer_id: UUID, job: str) -> Held | None:
    snapshot: Any = SimpleNamespace()
    event: Any
    for event in context.app.repository.event_store.get(customer_id):
        if event.occurred_at < context.at:
            event.apply(snapshot)  # the aggregate's own state changes, folded up to the instant
        elif isinstance(event, OWNERSHIP) and not (event.occurred_at == context.at
                                                   and event.actor == f"scheduler:{job}"):
            return None  # ownership moved on after the instant: nothing to decide for it any more
    if getattr(snapshot, "owner_id", None) is None:
        return None
    return Held(customer_id=customer_id, owner=snapshot.owner_id, team_id=team_of(context, snapshot.owner_id),
                level=snapshot.level, since=snapshot.since, warning=snapshot.warning,
                recycled_from=dict(snapshot.recycled_from), touches=[])


def team_of(context: JobContext, rep_id: UUID) -> UUID | None:
    try:
        return context.app.load(Rep, rep_id).team_id
    except NotFound:
        return None


def held_count(context: JobContext, rep_id: UUID) -> int:
    """How many customers the rep held at the job's instant (facts up to and including it)."""
    held: set[UUID] = set()
    event: Any
    for event in context.app.repository.event_store.get(holdings_id(rep_id)):
        if event.occurred_at <= context.at:
            if isinstance(event, Holdings.Taken):
                held.add(event.customer_id)
            elif isinstance(event, Holdings.Given):
                held.discard(event.customer_id)
    return len(held)


def team_reps(context: JobContext, team_id: UUID | None) -> list[str]:
    """Active reps of a team hired by the job's day, by id."""
    rs, day = context.queries.read_side, day_of(context.at)
    rows = rs.rows(scorecards.ScorecardProjection.name, scorecards.REP, rs.moment(), part="")
    return sorted(key for _, key, rep in rows if rep["team_id"] == str(team_id) and rep["active"]
                  and date.fromisoformat(rep["hired_on"]) <= day)


def attempt(context: JobContext, command: Any, cmd: Any, ctx: Ctx) -> Any | None:
    """Record one keyed fact: a fact already recorded under the key is replayed, not repeated; a refusal
    (the ledger moved on since the instant) is noted and nothing is recorded."""
    earlier = context.app.replay(ctx)
    if earlier is not None:
        return earlier
    try:
        return context.record(command, cmd, ctx)
    except LedgerError as error:
        earlier = context.app.replay(ctx)  # a concurrent run recorded it first
        if earlier is None:
            context.notes.append(f"{ctx.idempotency_key}: refused ({error.code}: {error.detail})")
        return earlier
