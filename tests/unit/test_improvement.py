"""ImprovementPlan: dates in order, a coach who is not the rep, concluded only once."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any
from uuid import uuid4

import pytest

from ledger.errors import Invalid, RuleViolation
from ledger.improvement import ImprovementPlan

STAMP = dict(occurred_at=datetime(2026, 7, 1, tzinfo=timezone.utc), actor="t", idempotency_key="k")


def start(**fields: Any) -> ImprovementPlan:
    values: dict[str, Any] = dict(id=None, rep_id=uuid4(), goals=["10 visits a week"], starts_on=date(2026, 7, 1),
                                  ends_on=date(2026, 9, 30), coach_id=None)
    values.update(fields)
    return ImprovementPlan.start(**values, **STAMP)


def test_concluded_plan_records_its_outcome() -> None:
    plan = start()
    assert plan.status == "open"
    plan.conclude(outcome="met", concluded_on=date(2026, 9, 30), summary="all goals met", **STAMP)
    assert (plan.status, plan.outcome, plan.concluded_on) == ("concluded", "met", date(2026, 9, 30))


def test_plan_is_concluded_only_once() -> None:
    plan = start()
    plan.conclude(outcome="cancelled", concluded_on=date(2026, 7, 2), summary="", **STAMP)
    with pytest.raises(RuleViolation) as caught:
        plan.conclude(outcome="met", concluded_on=date(2026, 9, 30), summary="", **STAMP)
    assert caught.value.code == "plan-concluded"
    assert plan.outcome == "cancelled"


def test_plan_must_end_after_it_starts() -> None:
    with pytest.raises(RuleViolation) as caught:
        start(starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 1))
    assert caught.value.code == "plan-ends-before-start"


def test_plan_cannot_conclude_before_it_starts() -> None:
    plan = start()
    with pytest.raises(RuleViolation) as caught:
        plan.conclude(outcome="met", concluded_on=date(2026, 6, 30), summary="", **STAMP)
    assert caught.value.code == "concluded-before-start"


def test_rep_cannot_coach_their_own_plan() -> None:
    rep = uuid4()
    with pytest.raises(RuleViolation) as caught:
        start(rep_id=rep, coach_id=rep)
    assert caught.value.code == "self-coaching"


@pytest.mark.parametrize("goals", [[], ["  "]])
def test_plan_without_a_goal_is_invalid(goals: list[str]) -> None:
    with pytest.raises(Invalid) as caught:
        start(goals=goals)
    assert "goals" in caught.value.errors
