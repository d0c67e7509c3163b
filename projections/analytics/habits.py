"""What top performers do differently: the top revenue decile of the range against the rest.

Follow-ups per deal and the new-customer share come from the scorecard facts. Pipeline stages come from
the follow-up events themselves (each FollowUp.Logged names the stage the contact left the deal in): a
(rep, customer) pipeline is its follow-ups in business-time order, closed by a deal ("won") or a "won" /
"lost" follow-up. Time in a stage is the time from the first follow-up at that stage to the first one at
another stage (or the deal); a stage never left within the range is not counted. A pipeline has reached a
stage when it shows that stage or a later one (entering at "proposal" counts as having passed "lead").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator
from uuid import UUID

import orjson
from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder

from ledger.deal import Deal
from ledger.followup import FollowUp
from projections.analytics.observations import Panel
from projections.base import topic_of
from projections.scorecards import month_of

ORDER = ("lead", "qualified", "proposal", "negotiation", "won")
BATCH = 1000
DAY = 86400.0


@dataclass(frozen=True)
class Touch:
    rep_id: str
    customer_id: str
    at: datetime
    stage: str  # a follow-up's stage, or "won" for a deal
    deal: bool
    customer_type: str | None = None


def _raw(stored: Any) -> dict[str, Any]:
    """The fields a touch needs, read from the stored JSON without building the event (the scan's cost is
    decoding): ids as hex, times as ISO text. Only for plain stored state (no cipher, no compression)."""
    state = orjson.loads(stored.state)
    return {"rep": state["rep_id"]["_data_"], "customer": state["customer_id"]["_data_"],
            "at": state["occurred_at"]["_data_"], "stage": state.get("stage"), "type": state.get("customer_type")}


def _decoded(app: Application[Any], stored: Any) -> dict[str, Any]:
    e: Any = app.mapper.to_domain_event(stored)
    return {"rep": e.rep_id.hex, "customer": e.customer_id.hex, "at": e.occurred_at.isoformat(),
            "stage": getattr(e, "stage", None), "type": getattr(e, "customer_type", None)}


def touches(app: Application[Any], panel: Panel, reps: set[str]) -> Iterator[Touch]:
    """Follow-ups and deals of the reps, in the range's months, recorded up to the panel's moment."""
    wanted, after, months = [topic_of(FollowUp.Logged), topic_of(Deal.Closed)], 0, set(panel.months)
    plain = app.mapper.cipher is None and app.mapper.compressor is None and \
        isinstance(app.mapper.transcoder, JSONTranscoder)
    hexes = {UUID(r).hex: r for r in reps}
    deal = topic_of(Deal.Closed)
    while after < panel.moment.position:
        batch = app.recorder.select_notifications(start=after + 1, limit=BATCH, stop=panel.moment.position,
                                                  topics=wanted)
        if not batch:
            break
        for stored in batch:
            f = _raw(stored) if plain else _decoded(app, stored)
            rep = hexes.get(f["rep"])
            if rep is None:
                continue
            at = datetime.fromisoformat(f["at"])
            if month_of(at) in months:
                won = stored.topic == deal
                yield Touch(rep, f["customer"], at, "won" if won else f["stage"], won, f["type"] if won else None)
        after = batch[-1].id


def pipelines(found: list[Touch]) -> list[list[Touch]]:
    """Split each (rep, customer) timeline into pipelines, each ended by a win or a loss."""
    timelines: dict[tuple[str, str], list[Touch]] = {}
    for touch in found:
        timelines.setdefault((touch.rep_id, touch.customer_id), []).append(touch)
    result = []
    for timeline in timelines.values():
        current: list[Touch] = []
        for touch in sorted(timeline, key=lambda t: (t.at, t.deal)):
            current.append(touch)
            if touch.stage in ("won", "lost"):
                result.append(current)
                current = []
        if current:
            result.append(current)
    return result


def stage_days(pipeline: list[Touch]) -> Iterator[tuple[str, float]]:
    """(stage, days) of every stage the pipeline entered and then left."""
    entered: tuple[str, datetime] | None = None
    for touch in pipeline:
        if entered is None:
            entered = (touch.stage, touch.at)
        elif touch.stage != entered[0]:
            yield entered[0], (touch.at - entered[1]).total_seconds() / DAY
            entered = (touch.stage, touch.at)


def furthest(pipeline: list[Touch]) -> int:
    indices = [ORDER.index(t.stage) for t in pipeline if t.stage in ORDER]
    return max(indices) if indices else -1


def group_habits(panel: Panel, members: set[str], found: list[Touch]) -> dict[str, Any]:
    """One group's habits: follow-ups per deal, days per stage, stage conversion and customer mix."""
    rows = [r for r in panel.rows if r.rep_id in members]
    follow_ups = sum(int(float(r.card["actuals"]["follow_ups"])) for r in rows)
    deals = sum(int(float(r.card["actuals"]["deal_count"])) for r in rows)
    revenue = math.fsum(r.revenue for r in rows)
    new_revenue = math.fsum(float(r.card["actuals"]["new_customer_revenue"]) for r in rows)
    mine = [t for t in found if t.rep_id in members]
    days: dict[str, list[float]] = {}
    reached = [0] * len(ORDER)
    for pipeline in pipelines(mine):
        for stage, spent in stage_days(pipeline):
            days.setdefault(stage, []).append(spent)
        for index in range(furthest(pipeline) + 1):
            reached[index] += 1
    won = [t for t in mine if t.deal]
    return {
        "reps": len(members), "revenue": round(revenue, 2), "follow_ups": follow_ups, "deals": deals,
        "follow_ups_per_deal": follow_ups / deals if deals else None,
        "days_in_stage": {s: {"mean": math.fsum(d) / len(d), "n": len(d)} for s, d in sorted(days.items())},
        "stage_conversion": [{"from": ORDER[i], "to": ORDER[i + 1], "entered": reached[i], "advanced": reached[i + 1],
                              "rate": reached[i + 1] / reached[i] if reached[i] else None} for i in range(len(ORDER) - 1)],
        "new_customer_revenue_share": new_revenue / revenue if revenue > 0 else None,
        "new_customer_deal_share": sum(1 for t in won if t.customer_type == "new") / len(won) if won else None,
    }


def top_decile(app: Application[Any], panel: Panel) -> dict[str, Any]:
    """The top tenth of reps by revenue over the range (at least one) against everyone else."""
    revenue: dict[str, float] = {}
    for row in panel.rows:
        revenue[row.rep_id] = revenue.get(row.rep_id, 0.0) + row.revenue
    if len(revenue) < 2:
        return {"top": None, "rest": None, "top_rep_ids": [], "reason": "fewer than two reps in the range"}
    ordered = sorted(revenue, key=lambda r: (-revenue[r], r))
    size = max(1, math.ceil(len(ordered) / 10))
    top, rest = set(ordered[:size]), set(ordered[size:])
    found = list(touches(app, panel, top | rest))
    return {"top_rep_ids": ordered[:size], "top": group_habits(panel, top, found), "rest": group_habits(panel, rest, found),
            "reason": None, "stages": "from the stage each follow-up event records; deals count as 'won'"}
