"""Pool ownership: who owns each customer, since when and why, and every rep's holdings and idle days."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger.customer import Customer
from ledger.deal import Deal
from ledger.followup import FollowUp
from projections.base import Projection, State, View, text, topic_of

CUSTOMER, HOLDING = "customer", "holding"
OWNERSHIP_EVENTS: dict[type, str] = {Customer.Claimed: "claimed", Customer.Assigned: "assigned",
                                     Customer.Released: "released", Customer.Recycled: "recycled"}


class PoolProjection(Projection):
    """One state per customer (owner, since, history) and one per holding (rep, customer)."""

    name = "pool"
    topics = tuple(topic_of(c) for c in (Customer.Registered, Customer.Claimed, Customer.Assigned, Customer.Released,
                                         Customer.Recycled, FollowUp.Logged, Deal.Closed))

    def fold(self, view: View, position: int, event: Any) -> None:
        if isinstance(event, Customer.Registered):
            view.put(CUSTOMER, "", str(event.originator_id), {
                "name": event.name, "level": event.level, "segment": event.segment, "region": event.region,
                "source": event.source, "owner_id": None, "since": None, "registered_at": text(event.occurred_at),
                "last_follow_up_at": None, "last_deal_at": None, "history": []})
        elif type(event) in OWNERSHIP_EVENTS:
            self._ownership(view, position, event)
        elif isinstance(event, (FollowUp.Logged, Deal.Closed)):
            self._activity(view, event)

    def _ownership(self, view: View, position: int, event: Any) -> None:
        customer_id = str(event.originator_id)
        state = view.get(CUSTOMER, "", customer_id)
        if state is None:
            return
        previous = state["owner_id"]
        kind = OWNERSHIP_EVENTS[type(event)]
        owner = str(event.rep_id) if kind in ("claimed", "assigned") else None
        state["history"].append({
            "event": kind, "rep_id": str(event.rep_id), "previous_owner_id": previous, "position": position,
            "occurred_at": text(event.occurred_at), "actor": event.actor,
            "reason": getattr(event, "reason", "") or getattr(event, "rule", ""),
            "rule": getattr(event, "rule", None), "days_idle": getattr(event, "days_idle", None)})
        state["owner_id"], state["since"] = owner, text(event.occurred_at) if owner else None
        view.put(CUSTOMER, "", customer_id, state)
        if previous:
            view.put(HOLDING, previous, customer_id, {"held": False})
        if owner:
            view.put(HOLDING, owner, customer_id, {"held": True, "since": state["since"], "name": state["name"],
                                                  "level": state["level"], "last_follow_up_at": None, "last_deal_at": None})

    def _activity(self, view: View, event: Any) -> None:
        customer_id = str(event.customer_id)
        state = view.get(CUSTOMER, "", customer_id)
        if state is None:
            return
        field = "last_follow_up_at" if isinstance(event, FollowUp.Logged) else "last_deal_at"
        at = text(event.occurred_at)
        state[field] = max(state[field] or at, at)
        view.put(CUSTOMER, "", customer_id, state)
        owner = state["owner_id"]
        if owner and owner == str(event.rep_id):
            holding = view.get(HOLDING, owner, customer_id)
            if holding and holding.get("held"):
                holding[field] = max(holding[field] or at, at)
                view.put(HOLDING, owner, customer_id, holding)


def idle_days(since: str | None, last: str | None, now: datetime) -> int | None:
    """Whole days since the later of taking the customer and the last activity."""
    marks = [datetime.fromisoformat(x) for x in (since, last) if x]
    return (now - max(marks)).days if marks else None


def holding_view(customer_id: str, holding: State, now: datetime) -> dict[str, Any]:
    return {"customer_id": customer_id, "name": holding["name"], "level": holding["level"], "since": holding["since"],
            "last_follow_up_at": holding["last_follow_up_at"], "last_deal_at": holding["last_deal_at"],
            "idle_days_since_follow_up": idle_days(holding["since"], holding["last_follow_up_at"], now),
            "idle_days_since_deal": idle_days(holding["since"], holding["last_deal_at"], now)}


# -- queries ---------------------------------------------------------------------------------------

def pool_customers(rows: list[tuple[str, str, State]], *, level: str | None = None, region: str | None = None,
                   segment: str | None = None) -> list[dict[str, Any]]:
    """Customers nobody owns, oldest registration first, optionally filtered."""
    found = []
    for _, key, state in rows:
        if state["owner_id"] is not None:
            continue
        if (level and state["level"] != level) or (region and state["region"] != region) or \
                (segment and state["segment"] != segment):
            continue
        released = [h for h in state["history"] if h["event"] in ("released", "recycled")]
        found.append({"customer_id": key, "name": state["name"], "level": state["level"], "region": state["region"],
                      "segment": state["segment"], "registered_at": state["registered_at"],
                      "in_pool_since": released[-1]["occurred_at"] if released else state["registered_at"],
                      "last_follow_up_at": state["last_follow_up_at"], "last_deal_at": state["last_deal_at"]})
    return sorted(found, key=lambda c: (c["registered_at"], c["customer_id"]))


def ownership(customer_id: str, state: State) -> dict[str, Any]:
    return {"customer_id": customer_id, "name": state["name"], "owner_id": state["owner_id"], "since": state["since"],
            "history": state["history"]}


def holdings(rows: list[tuple[str, str, State]], now: datetime) -> list[dict[str, Any]]:
    """A rep's customers with idle days, the idlest first."""
    held = [holding_view(key, state, now) for _, key, state in rows if state.get("held")]
    return sorted(held, key=lambda h: (-(h["idle_days_since_follow_up"] or 0), h["customer_id"]))
