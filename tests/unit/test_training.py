"""Training and Complaint: single facts with checked kinds, hours and severities."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from ledger.complaint import Complaint
from ledger.errors import Invalid
from ledger.training import Training

STAMP = dict(occurred_at=datetime(2026, 7, 1, tzinfo=timezone.utc), actor="t", idempotency_key="k")


def complete(**fields: Any) -> Training:
    values: dict[str, Any] = dict(id=None, rep_id=uuid4(), course="Negotiation 101", hours=Decimal("7.5"),
                                  completed_on=date(2026, 6, 30), provider="Academy", kind="course")
    values.update(fields)
    return Training.complete(**values, **STAMP)


def test_completed_training_keeps_its_hours_and_kind() -> None:
    training = complete(kind="post-change", hours=Decimal("0.5"))
    assert (training.hours, training.kind, training.completed_on) == (Decimal("0.5"), "post-change", date(2026, 6, 30))


@pytest.mark.parametrize("field, value", [("hours", Decimal(0)), ("hours", Decimal("-1")), ("kind", "webinar")])
def test_training_without_positive_hours_or_known_kind_is_invalid(field: str, value: Any) -> None:
    with pytest.raises(Invalid) as caught:
        complete(**{field: value})
    assert field in caught.value.errors


def test_complaint_may_name_no_customer() -> None:
    complaint = Complaint.record(id=None, rep_id=uuid4(), customer_id=None, description="rude on the phone",
                                 severity="medium", **STAMP)
    assert (complaint.customer_id, complaint.severity) == (None, "medium")


def test_complaint_with_unknown_severity_is_invalid() -> None:
    with pytest.raises(Invalid) as caught:
        Complaint.record(id=None, rep_id=uuid4(), customer_id=None, description="d", severity="critical", **STAMP)
    assert "severity" in caught.value.errors
