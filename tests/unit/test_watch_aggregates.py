"""Early warnings, published scorecards and review flags: once per subject and period, never a dismissal."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from ledger.early_warning import EarlyWarning, warning_id
from ledger.errors import Invalid, RuleViolation
from ledger.published_scorecard import PublishedScorecard, published_id
from ledger.review_flag import SUGGESTED_ACTIONS, ReviewFlag, review_id


def stamp() -> dict[str, Any]:
    return dict(occurred_at=datetime(2026, 7, 6, 2, tzinfo=timezone.utc), actor="scheduler:t", idempotency_key="k")


def test_warning_stream_is_fixed_by_rule_subject_and_period() -> None:
    rep = uuid4()
    first = EarlyWarning.raise_warning(subject_kind="rep", subject_id=rep, team_id=uuid4(), rule="r", period="2026-W27",
                                       detail={"counts": [1, 2]}, **stamp())
    again = EarlyWarning.raise_warning(subject_kind="rep", subject_id=rep, team_id=None, rule="r", period="2026-W27",
                                       detail={}, **stamp())
    assert first.id == again.id == warning_id("r", rep, "2026-W27")
    assert warning_id("r", rep, "2026-W28") != first.id and warning_id("other", rep, "2026-W27") != first.id
    assert (first.subject_kind, first.period, first.detail) == ("rep", "2026-W27", {"counts": [1, 2]})


def test_warning_accepts_months_for_groups() -> None:
    warning = EarlyWarning.raise_warning(subject_kind="group", subject_id=uuid4(), team_id=None, rule="g",
                                         period="2026-06", detail={}, **stamp())
    assert warning.period == "2026-06" and warning.team_id is None


@pytest.mark.parametrize(("field", "values"), [
    ("subject_kind", {"subject_kind": "team"}), ("period", {"period": "2026-W54"}), ("period", {"period": "2027-W53"}), ("period", {"period": "July"}),
    ("rule", {"rule": " "}),
])
def test_warning_refuses_bad_values(field: str, values: dict[str, Any]) -> None:
    body = dict(subject_kind="rep", subject_id=uuid4(), team_id=None, rule="r", period="2026-W01", detail={}) | values
    with pytest.raises(Invalid) as caught:
        EarlyWarning.raise_warning(**body, **stamp())
    assert field in caught.value.errors


def test_published_scorecard_is_one_stream_per_rep_and_month() -> None:
    rep = uuid4()
    card = PublishedScorecard.publish(rep_id=rep, period="2026-07", total=Decimal("87.00"),
                                      figures={"indicators": {"revenue": {"score": "87.00"}}}, **stamp())
    assert card.id == published_id(rep, "2026-07") != published_id(rep, "2026-08")
    assert (card.total, card.republished) == (Decimal("87.00"), 0)


def test_republication_keeps_the_previous_total_and_needs_a_reason() -> None:
    card = PublishedScorecard.publish(rep_id=uuid4(), period="2026-07", total=Decimal("87.00"), figures={}, **stamp())
    with pytest.raises(Invalid):
        card.republish(total=Decimal("90.00"), figures={}, reason="", **stamp())
    with pytest.raises(RuleViolation) as caught:
        card.republish(total=Decimal("87.00"), figures={}, reason="recount", **stamp())
    assert caught.value.code == "no-change"
    card.republish(total=Decimal("90.00"), figures={"x": "1"}, reason="score corrected after close", **stamp())
    event = card.collect_events()[-1]
    assert isinstance(event, PublishedScorecard.Republished)
    assert (event.previous_total, event.total, card.total, card.republished) == (
        Decimal("87.00"), Decimal("90.00"), Decimal("90.00"), 1)


def test_review_flag_suggests_only_supportive_actions() -> None:
    assert not [a for a in SUGGESTED_ACTIONS if any(w in a for w in ("dismiss", "terminat", "fire", "layoff"))]
    rep = uuid4()
    flag = ReviewFlag.flag(rep_id=rep, team_id=uuid4(), period="2026-08", rank=5, of=5, consecutive_periods=2,
                           suggested_actions=list(SUGGESTED_ACTIONS), **stamp())
    assert flag.id == review_id(rep, "2026-08")
    assert flag.suggested_actions == ["coaching", "improvement plan", "training", "internal transfer"]


@pytest.mark.parametrize(("field", "values"), [
    ("suggested_actions", {"suggested_actions": ["coaching", "dismissal"]}),
    ("suggested_actions", {"suggested_actions": []}),
    ("suggested_actions", {"suggested_actions": ["training", "training"]}),
    ("rank", {"rank": 6}), ("consecutive_periods", {"consecutive_periods": 0}), ("period", {"period": "2026-13"}),
])
def test_review_flag_refuses_bad_values(field: str, values: dict[str, Any]) -> None:
    body = dict(rep_id=uuid4(), team_id=uuid4(), period="2026-08", rank=5, of=5, consecutive_periods=2,
                suggested_actions=["coaching"]) | values
    with pytest.raises(Invalid) as caught:
        ReviewFlag.flag(**body, **stamp())
    assert field in caught.value.errors
