"""Pure parts of the analytics: pipelines and stage times, quadrants, totals under other weights."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from projections.analytics.habits import Touch, furthest, pipelines, stage_days
from projections.analytics.incentives import quadrant
from projections.analytics.indicators import reweighed_total

T0 = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)


def touch(days: float, stage: str, customer: str = "c1", deal: bool = False) -> Touch:
    return Touch("r1", customer, T0 + timedelta(days=days), stage, deal, "new" if deal else None)


def test_a_deal_closes_a_pipeline_and_the_next_follow_up_opens_another() -> None:
    found = pipelines([touch(0, "lead"), touch(3, "proposal"), touch(10, "won", deal=True), touch(20, "lead"),
                       touch(1, "lead", customer="c2")])
    assert sorted([t.stage for t in p] for p in found) == [["lead"], ["lead"], ["lead", "proposal", "won"]]


def test_time_in_stage_runs_from_entering_to_the_first_other_stage() -> None:
    pipeline = [touch(0, "lead"), touch(2, "lead"), touch(5, "qualified"), touch(6.5, "proposal"), touch(9, "proposal")]
    assert list(stage_days(pipeline)) == [("lead", 5.0), ("qualified", 1.5)]  # proposal was never left: not counted


def test_a_pipeline_entering_late_has_passed_the_earlier_stages() -> None:
    assert furthest([touch(0, "proposal"), touch(1, "qualified")]) == 2
    assert furthest([touch(0, "lead"), touch(4, "won", deal=True)]) == 4
    assert furthest([touch(0, "lost")]) == -1


@pytest.mark.parametrize(("result", "capability", "expected"), [
    (80, 40, "results_over_capability"), (40, 80, "capability_over_results"), (60, 60, "strong_both"),
    (59, 59, "weaker_both"),
])
def test_quadrants_split_at_the_medians(result: float, capability: float, expected: str) -> None:
    assert quadrant(result, capability, (60, 60)) == expected


def test_a_total_under_other_weights_averages_the_scored_indicators_only() -> None:
    card = {"indicators": [{"key": "revenue", "score": "120.00"}, {"key": "follow_ups", "score": "60.00"},
                           {"key": "skill", "score": None}]}
    # (120 * 30 + 60 * 10) / 40 = 105; skill cannot be scored, so its weight is left out
    assert reweighed_total(card, {"revenue": 30, "follow_ups": 10, "skill": 60}) == "105.00"
    assert reweighed_total(card, {"skill": 100}) is None
