"""Bulk import on the real store (SQLite and PostgreSQL): generated history, bad rows, CSV, a killed importer."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator
from uuid import UUID, uuid4

import pytest

from api.schemas.imports import build_command
from ledger.application import LedgerApplication, build_application
from ledger.customer import Customer
from ledger.deal import Deal
from ledger.import_run import Import, import_id
from ledger.imports.formats import Source
from ledger.imports.runner import ImportRejected, import_file, import_source
from ledger.settings import Settings
from projections.registry import Queries
from scripts.generate import generate
from tests.conftest import fresh_store

ROOT = Path(__file__).resolve().parents[2]
AT = "2026-03-02T09:00:00+08:00"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """About 2,000 events of a generated organisation, under a seed no other test run uses (its ids are new)."""
    path = tmp_path_factory.mktemp("generated") / "history.jsonl"
    return path, generate(path, events=2000, seed=uuid4().int % 10**9)


def history(app: LedgerApplication) -> list[tuple[UUID, int, str]]:
    """Every event but the import's own bookkeeping, in ledger order: stream, version, type."""
    found, after = [], 0
    while batch := app.recorder.select_notifications(start=after + 1, limit=1000):
        found += [(UUID(str(n.originator_id)), n.originator_version, n.topic) for n in batch if "import_run" not in n.topic]
        after = batch[-1].id
    return found


def test_a_generated_history_imports_and_importing_it_again_records_nothing(
        settings: Settings, tmp_path: Path, generated: tuple[Path, dict[str, Any]]) -> None:
    path, stats = generated
    with fresh_store(settings, tmp_path) as fresh:
        app = build_application(fresh)
        try:
            report = import_file(app, path, build=build_command, batch=500)
            batches = -(-stats["rows"] // 500)
            assert (report.status, report.rows, report.imported_rows, report.bad) == ("imported", stats["rows"], stats["rows"], {})
            # the generator's own count of the events each row records is exactly what the import wrote
            assert report.events == stats["events"] and 2000 <= stats["events"] <= 2003
            assert app.head() == stats["events"] + 1 + batches + 1  # Started, one BatchCommitted a batch, Completed
            kinds = [topic.rsplit(":", 1)[1] for _, _, topic in history(app)]
            assert kinds.count("Customer.Registered") == stats["kinds"]["customer"]
            assert kinds.count("FollowUp.Logged") == stats["kinds"]["follow_up"]
            head = app.head()
            again = import_file(app, path, build=build_command, batch=500)
            assert (again.status, again.events, app.head()) == ("already imported", 0, head)
        finally:
            app.close()


def test_the_generator_gives_the_same_file_for_the_same_seed_in_business_time_order(tmp_path: Path) -> None:
    first, second, other = (generate(tmp_path / f"{n}.jsonl", events=1500, seed=s) for n, s in (("a", 11), ("b", 11), ("c", 12)))
    assert first["sha256"] == second["sha256"] != other["sha256"]
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    times = [json.loads(line)["data"]["occurred_at"] for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert times == sorted(times) and times[0] >= "2024-11-01" and times[-1] < "2026-11-01"
    kinds = first["kinds"]
    assert first["teams"] >= 2 and 0.55 < kinds["follow_up"] / first["rows"] < 0.8
    assert kinds["claim"] + kinds["assign"] + kinds["release"] > 0.05 * first["rows"] and kinds["deal"] > 0.03 * first["rows"]


def rows(*items: tuple[str, dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps({"type": kind, "data": {"occurred_at": AT, **data}}) for kind, data in items).encode()


def three_bad_rows() -> tuple[bytes, dict[str, str]]:
    team, ann, bob, customer = (str(uuid4()) for _ in range(4))
    content = rows(("team", {"id": team, "name": "Import East"}),                                   # 1
                   ("rep", {"id": ann, "name": "Ann", "team_id": team, "hired_on": "2025-01-01"}),    # 2
                   ("rep", {"id": bob, "name": "Bob", "team_id": team, "hired_on": "2025-01-01"}),    # 3
                   ("customer", {"id": customer, "name": "ACME"}),                                     # 4
                   ("claim", {"customer_id": customer, "rep_id": ann}),                                # 5
                   ("follow_up", {"rep_id": ann, "customer_id": customer, "kind": "fax", "stage": "lead"}),  # 6 schema
                   ("follow_up", {"rep_id": str(uuid4()), "customer_id": customer, "kind": "call", "stage": "lead"}),  # 7
                   ("claim", {"customer_id": customer, "rep_id": bob}),                                # 8 owned
                   ("follow_up", {"rep_id": ann, "customer_id": customer, "kind": "visit", "stage": "qualified"}))
    return content, {"team": team, "ann": ann, "bob": bob, "customer": customer}


def test_a_file_with_three_bad_rows_imports_nothing_and_names_each_with_its_reason(ledger_app: LedgerApplication) -> None:
    content, _ = three_bad_rows()
    head = ledger_app.head()
    with pytest.raises(ImportRejected) as info:
        import_source(ledger_app, Source.from_bytes(content, "bad.jsonl", "jsonl"), build=build_command, actor="test")
    errors = info.value.errors
    assert sorted(errors) == ["line 6", "line 7", "line 8"] and ledger_app.head() == head
    assert errors["line 6"] == ["kind: Must be one of: call, visit, meeting, proposal, demo, wechat, email."]
    assert errors["line 7"][0].startswith("unknown-reference: no rep with id") and "rep_id: unknown rep" in errors["line 7"][0]
    assert errors["line 8"][0].startswith("customer-owned: customer") and info.value.http_status == 422


def test_skip_invalid_imports_the_other_rows_and_lists_the_three_skipped(ledger_app: LedgerApplication) -> None:
    content, ids = three_bad_rows()
    head = ledger_app.head()
    report = import_source(ledger_app, Source.from_bytes(content, "bad.jsonl", "jsonl"), build=build_command, actor="test", skip_invalid=True)
    assert [s["line"] for s in report.skipped] == [6, 7, 8] and report.imported_rows == 6
    # team, 2 reps, customer, claim (+ holdings opened and taken), follow-up; plus the import's 3 records
    assert report.events == 8 and ledger_app.head() == head + 8 + 3
    assert ledger_app.load(Customer, UUID(ids["customer"])).owner_id == UUID(ids["ann"])
    run = ledger_app.repository.get(import_id(report.sha256))
    assert isinstance(run, Import) and run.completed and [s["line"] for s in run.skipped] == [6, 7, 8]


def test_a_csv_file_imports_with_json_cells_for_lists_and_objects(ledger_app: LedgerApplication) -> None:
    team, ann, bob, customer, deal = (str(uuid4()) for _ in range(5))
    columns = ["type", "id", "name", "team_id", "hired_on", "customer_id", "rep_id", "contacts", "amount", "currency",
               "product", "customer_type", "closed_on", "splits", "occurred_at"]
    out = io.StringIO()
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    for row in ({"type": "team", "id": team, "name": "CSV East"},
                {"type": "rep", "id": ann, "name": "Ann", "team_id": team, "hired_on": "2025-01-01"},
                {"type": "rep", "id": bob, "name": "Bob", "team_id": team, "hired_on": "2025-01-01"},
                {"type": "customer", "id": customer, "name": "苏州某制造",
                 "contacts": json.dumps([{"name": "王经理", "phone": "+86 138 0000 0000"}], ensure_ascii=False)},
                {"type": "claim", "customer_id": customer, "rep_id": ann},
                {"type": "deal", "id": deal, "rep_id": ann, "customer_id": customer, "amount": "36000.00",
                 "currency": "CNY", "product": "CRM Pro", "customer_type": "new", "closed_on": "2026-03-02",
                 "splits": json.dumps([{"rep_id": ann, "share": "60"}, {"rep_id": bob, "share": "40"}])}):
        writer.writerow({**row, "occurred_at": AT})
    report = import_source(ledger_app, Source.from_bytes(out.getvalue().encode(), "crm.csv", "csv"), build=build_command, actor="test")
    assert (report.imported_rows, report.bad) == (6, {})
    closed = ledger_app.load(Deal, UUID(deal))
    assert str(closed.amount) == "36000.00" and [(str(s["rep_id"]), str(s["share"])) for s in closed.splits] == [(ann, "60"), (bob, "40")]
    bought = ledger_app.load(Customer, UUID(customer))
    assert bought.owner_id == UUID(ann) and len(bought.contacts) == 1


@pytest.fixture()
def two_stores(settings: Settings, tmp_path: Path) -> Iterator[tuple[Settings, Settings]]:
    with fresh_store(settings, tmp_path) as first, fresh_store(settings, tmp_path) as second:
        yield first, second


def cli_env(store: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update({"LEDGER_MASTER_KEY": store.master_key, "PYTHONIOENCODING": "utf-8"})
    env.update({"LEDGER_DATABASE_URL": store.database_url} if store.database_url else {"LEDGER_DB": store.db_path})
    return env


def test_a_killed_importer_resumes_after_its_last_batch_and_records_no_fact_twice(
        two_stores: tuple[Settings, Settings], tmp_path: Path) -> None:
    killed, whole = two_stores
    path = tmp_path / "history.jsonl"
    generate(path, events=3000, seed=uuid4().int % 10**9)
    source = Source.from_path(path)
    command = [sys.executable, "-m", "scripts.cli", "import", str(path), "--batch", "50"]
    log = tmp_path / "first.log"
    with log.open("wb") as out:
        first = subprocess.Popen(command, env=cli_env(killed), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    app = build_application(killed)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and first.poll() is None:
            run = app.repository.get(import_id(source.sha256)) if app.head() else None
            if run is not None and run.through_line > 0:
                first.send_signal(signal.SIGKILL)  # mid-file: the first batches are saved, the rest is not
                break
            time.sleep(0.005)
        first.wait(30)
        assert first.returncode == -signal.SIGKILL, log.read_text()[-2000:]
        stopped = app.repository.get(import_id(source.sha256))
        assert isinstance(stopped, Import) and not stopped.completed and 0 < stopped.through_line < source.rows
        again = subprocess.run(command, env=cli_env(killed), cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-2000:]
        assert f"resumed after line {stopped.through_line}" in again.stdout
        reference = build_application(whole)
        try:
            import_file(reference, path, build=build_command, batch=50)
            assert history(app) == history(reference)
            assert pool_states(app, killed) == pool_states(reference, whole)
        finally:
            reference.close()
    finally:
        app.close()


def _positionless(value: Any) -> Any:
    """A state without ledger positions: PostgreSQL burns the positions of a killed transaction, so the
    same facts sit at other positions in the resumed store than in the uninterrupted one."""
    if isinstance(value, dict):
        return {k: _positionless(v) for k, v in value.items() if k != "position"}
    if isinstance(value, list):
        return [_positionless(v) for v in value]
    return value


def pool_states(app: LedgerApplication, store: Settings) -> dict[str, Any]:
    """Who owns which customer, as the pool read model folds it."""
    queries = Queries(app, store)
    try:
        moment = queries.read_side.moment(None)
        return {key: _positionless(state) for _, key, state in queries.read_side.rows("pool", "customer", moment)}
    finally:
        queries.close()
