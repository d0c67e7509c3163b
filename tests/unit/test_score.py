"""Score: values within the scale, valid periods, corrections that keep the original."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from ledger.errors import Invalid, RuleViolation
from ledger.score import Score


def stamp() -> dict[str, Any]:
    return dict(occurred_at=datetime.now(timezone.utc), actor="t", idempotency_key="k")


def record(**fields: Any) -> Score:
    values: dict[str, Any] = dict(id=None, rep_id=uuid4(), indicator="product-knowledge", value=Decimal("80"),
                                  scale=Decimal(100), period="2026-Q3", scorer="coach", comment="")
    values.update(fields)
    return Score.record(**values, **stamp())


def test_correction_changes_the_value_and_keeps_the_original() -> None:
    score = record(value=Decimal("80"))
    score.correct(value=Decimal("85.5"), reason="mis-keyed", **stamp())
    assert (score.value, score.original_value, score.corrections) == (Decimal("85.5"), Decimal("80"), 1)
    assert [type(e).__name__ for e in score.collect_events()] == ["Recorded", "Corrected"]


def test_value_on_a_stated_scale_is_accepted_up_to_the_scale() -> None:
    score = record(value=Decimal(5), scale=Decimal(5))
    assert (score.value, score.scale) == (Decimal(5), Decimal(5))


@pytest.mark.parametrize("value", ["-0.01", "100.01"])
def test_value_outside_the_scale_is_refused(value: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        record(value=Decimal(value))
    assert caught.value.code == "value-out-of-scale"


def test_correction_outside_the_scale_is_refused() -> None:
    score = record(scale=Decimal(10), value=Decimal(7))
    with pytest.raises(RuleViolation) as caught:
        score.correct(value=Decimal(11), reason="r", **stamp())
    assert caught.value.code == "value-out-of-scale"
    assert score.value == Decimal(7)


def test_correction_to_the_same_value_is_refused() -> None:
    score = record(value=Decimal(80))
    with pytest.raises(RuleViolation) as caught:
        score.correct(value=Decimal("80.0"), reason="r", **stamp())
    assert caught.value.code == "no-change"


@pytest.mark.parametrize("field, value", [("period", "2026-Q5"), ("indicator", "Product Knowledge"),
                                          ("scale", Decimal(0))])
def test_bad_period_indicator_or_scale_is_invalid(field: str, value: Any) -> None:
    with pytest.raises(Invalid) as caught:
        record(**{field: value})
    assert field in caught.value.errors
