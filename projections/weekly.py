"""Follow-ups per rep and ISO week (by business time), and each rep's team over time: the follow-up warning's input."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from ledger.followup import FollowUp
from ledger.rep import Rep
from projections.base import Projection, State, View, text, topic_of

NAME = "follow_up_weeks"
COUNT, REP = "count", "rep"


def iso_week(moment: date) -> str:
    """The ISO 8601 week label of a day, e.g. 2026-W27."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(label: str) -> date:
    """The Monday that starts an ISO week label."""
    year, week = label.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


class WeeklyFollowUpProjection(Projection):
    """COUNT rows: part = ISO week of occurred_at (UTC), key = rep; REP rows: hire, departure and team history."""

    name = NAME
    topics = tuple(topic_of(e) for e in (FollowUp.Logged, Rep.Onboarded, Rep.Transferred, Rep.Left))

    def fold(self, view: View, position: int, event: Any) -> None:
        if isinstance(event, FollowUp.Logged):
            week, rep = iso_week(event.occurred_at.astimezone(timezone.utc).date()), str(event.rep_id)
            state = view.get(COUNT, week, rep) or {"count": 0}
            view.put(COUNT, week, rep, {"count": state["count"] + 1})
        elif isinstance(event, Rep.Onboarded):
            view.put(REP, "", str(event.originator_id), {"hired_on": text(event.hired_on), "left_on": None,
                                                          "teams": [[None, str(event.team_id)]]})
        else:
            rep_state = view.get(REP, "", str(event.originator_id))
            if rep_state is None:
                return
            if isinstance(event, Rep.Transferred):
                rep_state["teams"].append([text(event.occurred_at), str(event.team_id)])
            else:
                rep_state["left_on"] = text(event.left_on)
            view.put(REP, "", str(event.originator_id), rep_state)


def employed_during(rep: State, first: date, last: date) -> bool:
    """Hired by the week's last day and not gone before its first day."""
    hired = date.fromisoformat(rep["hired_on"])
    left = date.fromisoformat(rep["left_on"]) if rep["left_on"] else None
    return hired <= last and (left is None or left >= first)


def team_at(rep: State, moment: datetime) -> str:
    """The rep's team at an instant: the latest transfer (by business time) before it, else the first team."""
    team = rep["teams"][0][1]
    for at, team_id in sorted((t for t in rep["teams"][1:]), key=lambda t: t[0]):
        if datetime.fromisoformat(at) < moment:
            team = team_id
    return team


def week_bounds(label: str) -> tuple[date, date]:
    start = week_start(label)
    return start, start + timedelta(days=6)
