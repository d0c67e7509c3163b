"""Data subjects: a legal hold blocks erasure until released; erasure is final."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from uuid import uuid4

import pytest

from ledger.data_subject import DataSubject, data_subject_id
from ledger.errors import RuleViolation


def stamp() -> dict[str, Any]:
    return dict(occurred_at=datetime.now(timezone.utc), actor="hr:test", idempotency_key="k")


def subject() -> DataSubject:
    return DataSubject.identify(subject_id=uuid4(), kind="rep", **stamp())


def refused(code: str, action: Any, **fields: Any) -> None:
    with pytest.raises(RuleViolation) as error:
        action(**fields, **stamp())
    assert error.value.code == code


def test_the_record_has_its_own_stream_derived_from_the_subject() -> None:
    record = subject()
    assert record.id == data_subject_id(record.subject_id) != record.subject_id
    assert (record.hold, record.holds, record.erased) == (None, [], False)


def test_erasure_under_a_legal_hold_is_refused_until_it_is_released() -> None:
    record = subject()
    record.place_hold(reason="wrongful dismissal claim", case_ref="LAB-2026-014", **stamp())
    assert record.hold is not None and record.hold["case_ref"] == "LAB-2026-014"
    assert record.hold["placed_by"] == "hr:test"
    refused("legal-hold", record.erase, reason="request")
    refused("already-on-hold", record.place_hold, reason="again", case_ref="X")
    record.release_hold(reason="settled", **stamp())
    assert record.hold is None and record.holds[0]["release_reason"] == "settled"
    record.erase(reason="erasure request", **stamp())
    assert record.erased and record.erasure_reason == "erasure request"


def test_erasure_is_final() -> None:
    record = subject()
    record.erase(reason="request", **stamp())
    refused("already-erased", record.erase, reason="again")
    refused("already-erased", record.place_hold, reason="too late", case_ref="X")


def test_releasing_without_a_hold_is_refused() -> None:
    refused("no-legal-hold", subject().release_hold, reason="nothing")
