"""The art. 40(2) checklist's facts, read from the bundle's events (ledger/readiness.py judges them)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.contract import Contract
from ledger.improvement import ImprovementPlan
from ledger.periods import Period
from ledger.protected_status import ProtectedStatus
from ledger.published_scorecard import PublishedScorecard
from ledger.readiness import Assessment, Facts, Notice, Protection, Remedy
from ledger.rep import Rep
from ledger.review_flag import ReviewFlag
from ledger.target import Target
from ledger.training import Training
from ledger.warning_notice import WarningNotice
from projections.evidence.collect import Collected, Item

HUNDRED = Decimal(100)


def _told(c: Collected, period: str, team: str | None, before: int) -> list[int]:
    """Positions of the targets for this period (the rep's or the team's) told before the period ended."""
    bounds, targets = Period.parse(period), {}
    positions = []
    for item in c.items:
        e = item.event
        if isinstance(e, Target.Set):
            targets[e.originator_id] = e
        target = targets.get(e.originator_id) if isinstance(e, (Target.Set, Target.Changed)) else None
        if target is None or target.period != period or item.position >= before:
            continue
        if (target.scope, str(target.scope_id)) in (("rep", str(c.rep_id)), ("team", team)) \
                and e.occurred_at.date() <= bounds.end:
            positions.append(item.position)
    return positions


def _scorecards(c: Collected) -> list[Assessment]:
    streams: dict[UUID, list[Item]] = {}
    for item in c.items:
        if isinstance(item.event, (PublishedScorecard.Published, PublishedScorecard.Republished)):
            streams.setdefault(item.event.originator_id, []).append(item)
    found = []
    for items in streams.values():
        first, latest = items[0].event, items[-1]
        if not isinstance(first, PublishedScorecard.Published):
            continue
        total = latest.event.total
        criteria = _told(c, first.period, latest.event.figures.get("team_id"), latest.position)
        found.append(Assessment(position=latest.position, source="scorecard", label=first.period,
                                judged_from=Period.parse(first.period).start,
                                recorded_on=latest.event.occurred_at.date(),
                                below=None if total is None else total < HUNDRED, criteria=criteria))
    return found


def facts(c: Collected, as_of: date) -> Facts:
    """Assessments, remedies, notices, protections, rankings and communications, each with its position."""
    assessments, remedies, notices = _scorecards(c), [], []
    protections: dict[UUID, Protection] = {}
    rankings, communications, plans = [], [], {}
    hired_on: date | None = None
    post: str | None = None
    amendments: dict[Any, dict[str, Any]] = {}
    for item in c.items:
        e, p = item.event, item.position
        if isinstance(e, Rep.Onboarded):
            hired_on, post = e.hired_on, e.post
        elif isinstance(e, Rep.Transferred):
            if post is not None and e.post != post:
                remedies.append(Remedy(p, "post-change", e.occurred_at.date()))
            post = e.post
        elif isinstance(e, Training.Completed):
            remedies.append(Remedy(p, "training", e.completed_on))
        elif isinstance(e, Contract.AmendmentProposed):
            amendments[e.amendment_id] = {"changes": e.changes, "on": e.effective_on, "parties": set()}
        elif isinstance(e, Contract.AmendmentSigned) and e.amendment_id in amendments:
            amendment = amendments[e.amendment_id]
            amendment["parties"].add(e.party)
            if amendment["parties"] == {"employer", "employee"} and "post" in amendment["changes"]:
                remedies.append(Remedy(p, "post-change", amendment["on"]))
        elif isinstance(e, Contract.Terminated):
            notices.append(Notice(p, e.ground, e.notice, e.occurred_at.date(), e.terminated_on))
        elif isinstance(e, ProtectedStatus.Recorded):
            protections[e.originator_id] = Protection(p, e.starts_on, e.ends_on)
        elif isinstance(e, ProtectedStatus.Ended) and e.originator_id in protections:
            recorded = protections[e.originator_id]
            protections[e.originator_id] = Protection(recorded.position, recorded.starts_on, e.ended_on, p)
        elif isinstance(e, ReviewFlag.Flagged):
            rankings.append(p)
        elif isinstance(e, WarningNotice.Issued):
            communications.append(p)
        elif isinstance(e, ImprovementPlan.Started):
            communications.append(p)
            plans[e.originator_id] = p
        elif isinstance(e, ImprovementPlan.Concluded) and e.outcome != "cancelled":
            started = plans.get(e.originator_id)
            assessments.append(Assessment(position=p, source="plan", label=f"improvement plan {e.originator_id}",
                                          judged_from=e.concluded_on, recorded_on=e.occurred_at.date(),
                                          below=e.outcome == "not_met", criteria=[started] if started else []))
    return Facts(as_of=as_of, hired_on=hired_on, assessments=assessments, remedies=remedies, notices=notices,
                 protections=list(protections.values()), rankings=rankings, communications=communications)
