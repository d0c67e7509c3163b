"""WarningNotice: issued at a level, acknowledged once, never before it was issued."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any
from uuid import uuid4

import pytest

from ledger.errors import Invalid, RuleViolation
from ledger.warning_notice import WarningNotice

ISSUED_AT = datetime(2026, 7, 1, 1, 30, tzinfo=timezone.utc)  # 09:30 in Beijing; stored in UTC


def stamp(at: datetime = ISSUED_AT) -> dict[str, Any]:
    return dict(occurred_at=at, actor="t", idempotency_key="k")


def issue(level: str = "written") -> WarningNotice:
    return WarningNotice.issue(id=None, rep_id=uuid4(), level=level, reason="late reports", issued_by="manager",
                               **stamp())


def test_acknowledged_warning_records_the_day() -> None:
    warning = issue()
    assert warning.acknowledged_on is None
    warning.acknowledge(acknowledged_on=date(2026, 7, 2), **stamp())
    assert warning.acknowledged_on == date(2026, 7, 2)


def test_warning_is_acknowledged_only_once() -> None:
    warning = issue()
    warning.acknowledge(acknowledged_on=date(2026, 7, 1), **stamp())
    with pytest.raises(RuleViolation) as caught:
        warning.acknowledge(acknowledged_on=date(2026, 7, 3), **stamp())
    assert caught.value.code == "already-acknowledged"
    assert warning.acknowledged_on == date(2026, 7, 1)


def test_acknowledgement_before_the_issue_date_is_refused() -> None:
    warning = issue()  # 2026-07-01 01:30 UTC: still 2026-06-30 west of UTC-01:30, but nowhere 06-29
    with pytest.raises(RuleViolation) as caught:
        warning.acknowledge(acknowledged_on=date(2026, 6, 29), **stamp())
    assert caught.value.code == "acknowledged-before-issued"


def test_acknowledgement_on_the_issue_day_west_of_utc_is_accepted() -> None:
    warning = issue()
    warning.acknowledge(acknowledged_on=date(2026, 6, 30), **stamp())
    assert warning.acknowledged_on == date(2026, 6, 30)


def test_warning_of_unknown_level_is_invalid() -> None:
    with pytest.raises(Invalid) as caught:
        issue(level="stern")
    assert "level" in caught.value.errors
