"""FollowUp: a logged contact with its kind and pipeline stage."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from uuid import uuid4

import pytest

from ledger.errors import Invalid
from ledger.followup import FollowUp


def log(**fields: Any) -> FollowUp:
    values: dict[str, Any] = dict(id=None, rep_id=uuid4(), customer_id=uuid4(), kind="visit", stage="qualified",
                                  notes="met the buyer", duration_minutes=45)
    values.update(fields)
    return FollowUp.log(**values, occurred_at=datetime.now(timezone.utc), actor="t", idempotency_key="k")


def test_logged_follow_up_keeps_kind_stage_and_duration() -> None:
    follow_up = log(kind="wechat", stage="negotiation", duration_minutes=0)
    assert (follow_up.kind, follow_up.stage, follow_up.duration_minutes, follow_up.notes) == (
        "wechat", "negotiation", 0, "met the buyer")


@pytest.mark.parametrize("field, value", [("kind", "fax"), ("stage", "maybe"), ("duration_minutes", -1)])
def test_follow_up_with_unknown_kind_stage_or_negative_duration_is_invalid(field: str, value: Any) -> None:
    with pytest.raises(Invalid) as caught:
        log(**{field: value})
    assert field in caught.value.errors
