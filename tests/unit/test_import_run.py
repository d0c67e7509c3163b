"""The Import aggregate: one stream per file content, batches in order, completed once."""

import hashlib
from datetime import datetime, timezone
from typing import Any

import pytest

from ledger.errors import RuleViolation
from ledger.import_run import Import, import_id

SHA = hashlib.sha256(b"rows").hexdigest()


def stamp() -> dict[str, Any]:
    return dict(occurred_at=datetime(2026, 11, 1, tzinfo=timezone.utc), actor="cli", idempotency_key="import-x")


def started() -> Import:
    return Import.start(sha256=SHA, rows=10, name="history.jsonl", format="jsonl", skip_invalid=False, **stamp())


def test_the_stream_id_is_derived_from_the_file_content() -> None:
    assert started().id == import_id(SHA) != import_id(hashlib.sha256(b"other").hexdigest())


def test_batches_add_up_their_events_and_skipped_lines() -> None:
    run = started()
    run.commit_batch(through_line=4, events=6, skipped=[{"line": 2, "reason": "bad"}], **stamp())
    run.commit_batch(through_line=10, events=5, skipped=[], **stamp())
    run.complete(**stamp())
    assert (run.through_line, run.events, run.completed) == (10, 11, True)
    assert run.pending_events[-1].skipped_lines == [2] and run.pending_events[-1].events == 11


def test_a_batch_must_move_past_the_last_committed_line() -> None:
    run = started()
    run.commit_batch(through_line=4, events=6, skipped=[], **stamp())
    with pytest.raises(RuleViolation) as info:
        run.commit_batch(through_line=4, events=1, skipped=[], **stamp())
    assert info.value.code == "batch-order" and run.version == 2


def test_a_completed_import_takes_nothing_more() -> None:
    run = started()
    run.complete(**stamp())
    with pytest.raises(RuleViolation) as info:
        run.commit_batch(through_line=3, events=1, skipped=[], **stamp())
    assert info.value.code == "already-imported"
    with pytest.raises(RuleViolation):
        run.complete(**stamp())
