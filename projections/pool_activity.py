"""Pool activity: every follow-up and deal per customer with its business time, for the timed pool rules.

One row per touch (part = customer, key = position), never rewritten, so a job can ask "when did the
owner last work this customer before instant T" for any T: what an on-time run at T would have seen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger.deal import Deal
from ledger.followup import FollowUp
from projections.base import Projection, State, View, text, topic_of

NAME, TOUCH = "pool_activity", "touch"
FOLLOW_UP, DEAL = "follow_up", "deal"


class PoolActivityProjection(Projection):
    """Touches (follow-ups and won deals) of each customer, by rep and business time."""

    name = NAME
    topics = (topic_of(FollowUp.Logged), topic_of(Deal.Closed))

    def fold(self, view: View, position: int, event: Any) -> None:
        kind = FOLLOW_UP if isinstance(event, FollowUp.Logged) else DEAL
        view.put(TOUCH, str(event.customer_id), str(position),
                 {"rep_id": str(event.rep_id), "kind": kind, "at": text(event.occurred_at)})


def last_touch(rows: list[tuple[str, str, State]], rep_id: str, kind: str, before: datetime) -> datetime | None:
    """The latest touch of that kind by the rep strictly before an instant, from one customer's rows."""
    times = [datetime.fromisoformat(s["at"]) for _, _, s in rows if s["rep_id"] == rep_id and s["kind"] == kind]
    earlier = [t for t in times if t < before]
    return max(earlier) if earlier else None


def touched_between(rows: list[tuple[str, str, State]], rep_id: str, kind: str, start: datetime,
                    end: datetime) -> bool:
    """Whether the rep touched the customer (that kind) in [start, end)."""
    return any(s["rep_id"] == rep_id and s["kind"] == kind and start <= datetime.fromisoformat(s["at"]) < end
               for _, _, s in rows)
