"""The import's fast path (lean follow-ups, early encoding, COPY on PostgreSQL) against the reference path (every
row through the schemas and its real handler, every event encoded when saved), on the real store."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from api.schemas.imports import build_command, build_with_schemas
from ledger.application import LedgerApplication, build_application
from ledger.imports.runner import ImportReport, import_file
from ledger.settings import Settings
from scripts.generate import generate
from tests.conftest import fresh_store

# The recording time is the save's, so it differs between two imports; everything else must not.
RECORDED = re.compile(rb'^\{"timestamp":\{"_type_":"datetime_iso","_data_":"[^"]+"\}')


def stored_rows(app: LedgerApplication) -> list[tuple[UUID, int, str, Any]]:
    """Every stored event but the import's own, in ledger order, with the recording time blanked; a state with
    personal values as its decrypted fields (AES-GCM draws a fresh nonce each time it seals a value)."""
    found: list[tuple[UUID, int, str, Any]] = []
    after = 0
    while batch := app.recorder.select_notifications(start=after + 1, limit=1000):
        for n in batch:
            if "import_run" in n.topic:
                continue
            state: Any = RECORDED.sub(b"{", n.state)
            if b'"_type_":"personal"' in state:
                state = {k: v for k, v in vars(app.mapper.to_domain_event(n)).items() if k != "timestamp"}
            found.append((UUID(str(n.originator_id)), n.originator_version, n.topic, state))
        after = batch[-1].id
    return found


def with_odd_rows(path: Path) -> tuple[Path, list[bool]]:
    """The generated history plus rows the lean paths must leave to the schemas and handlers (bad ones, and
    valid ones in unusual spellings), and plain ones they take; with whether each is valid."""
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    rep = next(r["data"]["id"] for r in rows if r["type"] == "rep")
    customer = next(r["data"]["id"] for r in rows if r["type"] == "customer")
    at = "2026-10-30T09:00:00Z"
    visit = {"rep_id": rep, "customer_id": customer, "kind": "call", "stage": "lead", "occurred_at": at}
    deal = {"rep_id": rep, "customer_id": customer, "amount": "100.50", "currency": "CNY", "product": "P",
            "customer_type": "new", "closed_on": "2026-10-01", "occurred_at": at}
    score = {"rep_id": rep, "indicator": "product_knowledge", "value": "72", "period": "2026-10", "occurred_at": at}
    odd: list[tuple[str, dict[str, Any], bool]] = [
        ("follow_up", {**visit, "rep_id": "not-a-uuid"}, False), ("follow_up", {**visit, "kind": "fax"}, False),
        ("follow_up", {**visit, "stage": None}, False), ("follow_up", {**visit, "duration_minutes": 1441}, False),
        ("follow_up", {**visit, "duration_minutes": -1}, False), ("follow_up", {**visit, "duration_minutes": True}, False),
        ("follow_up", {**visit, "duration_minutes": "30"}, True), ("follow_up", {**visit, "occurred_at": at[:-1]}, False),
        ("follow_up", {**visit, "occurred_at": "2999-01-01T00:00:00Z"}, False),
        ("follow_up", {**visit, "occurred_at": "1989-12-31T23:59:59Z"}, False),
        ("follow_up", {**visit, "occurred_at": 1700000000}, False),
        ("follow_up", {**visit, "customer_id": str(uuid4())}, False), ("follow_up", {**visit, "rep_id": str(uuid4())}, False),
        ("follow_up", {**visit, "notes": "x" * 5001}, False), ("follow_up", {**visit, "colour": "red"}, False),
        ("follow_up", {**visit, "rep_id": customer}, False),
        ("follow_up", {k: v for k, v in visit.items() if k != "stage"}, False),
        ("follow_up", {**visit, "rep_id": rep.upper()}, True),
        ("follow_up", {**visit, "customer_id": customer.replace("-", "")}, True),
        ("follow_up", {**visit, "occurred_at": "2026-10-30T17:00:00.250+08:00"}, True),
        ("follow_up", {**visit, "notes": "电话回访 ✓", "duration_minutes": 1440}, True),
        ("follow_up", {**visit, "id": str(uuid4())}, True), ("follow_up", {**visit, "duration_minutes": 1.0}, True),
        ("follow_up", {**visit, "notes": ""}, True),
        ("deal", deal, True), ("deal", {**deal, "amount": 100}, True), ("deal", {**deal, "amount": "1e2"}, True),
        ("deal", {**deal, "amount": "100.505"}, False), ("deal", {**deal, "amount": "-5"}, False),
        ("deal", {**deal, "amount": "NaN"}, False), ("deal", {**deal, "currency": "XXX"}, False),
        ("deal", {**deal, "closed_on": "2026-02-30"}, False), ("deal", {**deal, "margin": "10"}, True),
        ("deal", {**deal, "splits": [{"rep_id": rep, "share": "100"}]}, True), ("deal", {**deal, "product": ""}, False),
        ("score", score, True), ("score", {**score, "value": 72}, True), ("score", {**score, "value": "101"}, False),
        ("score", {**score, "indicator": "Bad Slug!"}, False), ("score", {**score, "scale": "10", "value": "5"}, True),
        ("score", {**score, "scorer": None}, True), ("customer", {"name": "N", "occurred_at": at}, True),
        ("customer", {"name": "N", "level": "Z", "occurred_at": at}, False),
        ("customer", {"name": "N", "contacts": [], "occurred_at": at}, True),
        ("claim", {"customer_id": customer, "rep_id": str(uuid4()), "occurred_at": at}, False),
        ("release", {"customer_id": str(uuid4()), "occurred_at": at}, False),
    ]
    out = path.with_name(f"odd-{path.name}")
    extra = "".join(json.dumps({"type": kind, "data": data}) + "\n" for kind, data, _ in odd)
    out.write_text(path.read_text() + extra)
    return out, [ok for *_, ok in odd]


def imported(settings: Settings, tmp_path: Path, path: Path, *, lean: bool) -> tuple[ImportReport, list[Any]]:
    with fresh_store(settings, tmp_path) as fresh:
        app = build_application(fresh)
        try:
            report = import_file(app, path, build=build_command if lean else build_with_schemas, skip_invalid=True,
                                 batch=300, lean=lean)
            rows = stored_rows(app)
            # and the bytes are the mapper's own: each row decodes and encodes back to itself (but for fresh nonces)
            for n in app.recorder.select_notifications(start=1, limit=app.head() + 1):
                again = app.mapper.to_stored_event(app.mapper.to_domain_event(n))
                if b'"_type_":"personal"' not in n.state:
                    assert (again.topic, again.state) == (n.topic, n.state), n.topic
            if lean:  # the import's positions run without a gap from 1 (one writer, COPY under the table lock)
                ids = [n.id for n in app.recorder.select_notifications(start=1, limit=app.head() + 1)]
                assert ids == list(range(1, app.head() + 1))
            return report, rows
        finally:
            app.close()


def test_the_fast_path_stores_exactly_the_rows_of_the_handlers_and_refuses_the_same_lines(
        settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    stats = generate(path, events=2000, seed=uuid4().int % 10**9)
    odd, valid = with_odd_rows(path)
    fast, fast_rows = imported(settings, tmp_path, odd, lean=True)
    slow, slow_rows = imported(settings, tmp_path, odd, lean=False)
    assert fast.bad == slow.bad
    assert sorted(fast.bad) == [stats["rows"] + 1 + i for i, ok in enumerate(valid) if not ok], fast.bad
    assert fast.events == slow.events == len(fast_rows) == stats["events"] + sum(valid)  # one event a row
    assert fast_rows == slow_rows
    follow_ups = [row for row in fast_rows if row[2].endswith("FollowUp.Logged")]
    assert len(follow_ups) == stats["kinds"]["follow_up"] + 8


def test_a_bulk_insert_that_repeats_a_stream_version_writes_nothing(settings: Settings, tmp_path: Path) -> None:
    with fresh_store(settings, tmp_path) as fresh:
        app = build_application(fresh)
        try:
            stream = uuid4()
            first = [StoredEvent(originator_id=stream, originator_version=v, topic="t", state=b"{}") for v in (1, 2)]
            bulk = getattr(app.recorder, "insert_rows_in_bulk", None)  # PostgreSQL: COPY

            def insert(events: list[StoredEvent]) -> None:
                if bulk is None:
                    app.recorder.insert_events(events)
                else:
                    bulk([(e.originator_id, e.originator_version, e.topic, e.state) for e in events])

            insert(first)
            assert [(n.id, n.originator_version) for n in app.recorder.select_notifications(start=1, limit=10)] == [
                (1, 1), (2, 2)]
            clash = [StoredEvent(originator_id=uuid4(), originator_version=1, topic="t", state=b"{}"), first[1]]
            with pytest.raises(IntegrityError):
                insert(clash)
            assert app.head() == 2 and len(app.recorder.select_notifications(start=1, limit=10)) == 2
        finally:
            app.close()
