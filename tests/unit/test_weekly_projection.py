"""The follow-up-weeks fold: counts per rep and ISO week of business time (UTC), and each rep's team over time."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any
from uuid import uuid4

from ledger.followup import FollowUp
from ledger.rep import Rep
from projections.base import fold_all
from projections.weekly import COUNT, REP, WeeklyFollowUpProjection, employed_during, team_at, week_bounds


def stamp(moment: str) -> dict[str, Any]:
    return dict(occurred_at=datetime.fromisoformat(moment), actor="t", idempotency_key="k")


def test_follow_ups_count_in_the_iso_week_of_their_business_time_and_teams_follow_transfers() -> None:
    first_team, second_team = uuid4(), uuid4()
    rep = Rep.onboard(id=None, name="R", team_id=first_team, manager_id=None, post="sales", hired_on=date(2026, 1, 5),
                      **stamp("2026-01-05T09:00:00+00:00"))
    rep.transfer(team_id=second_team, post=None, manager_id=None, reason="", **stamp("2026-07-01T09:00:00+00:00"))
    events = rep.collect_events()
    for moment in ("2026-07-05T23:30:00+00:00", "2026-07-06T00:30:00+08:00", "2026-07-06T00:00:00+00:00"):
        follow_up = FollowUp.log(id=None, rep_id=rep.id, customer_id=uuid4(), kind="call", stage="lead", notes="",
                                 duration_minutes=0, **stamp(moment))
        events += follow_up.collect_events()
    view = fold_all(WeeklyFollowUpProjection(), enumerate(events, start=1))
    # 00:30 in Beijing on Monday is 16:30 UTC on Sunday: still week 27
    assert view.states[(COUNT, "2026-W27", str(rep.id))] == {"count": 2}
    assert view.states[(COUNT, "2026-W28", str(rep.id))] == {"count": 1}
    state = view.states[(REP, "", str(rep.id))]
    assert team_at(state, datetime(2026, 6, 29, tzinfo=timezone.utc)) == str(first_team)
    assert team_at(state, datetime(2026, 7, 6, tzinfo=timezone.utc)) == str(second_team)
    assert week_bounds("2026-W27") == (date(2026, 6, 29), date(2026, 7, 5))
    assert employed_during(state, date(2026, 6, 29), date(2026, 7, 5))
    assert not employed_during(state, date(2025, 12, 29), date(2026, 1, 4))
