"""`ledger keys`, `ledger checkpoint`, `ledger verify` as real processes, and the daily checkpoint job."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator
from uuid import uuid4

import pytest

from jobs.base import find_job, run_job
from ledger.application import LedgerApplication, build_application
from ledger.base import Ctx
from ledger.commands.org import CreateTeam, OnboardRep
from ledger.settings import Settings
from ledger.signing import key_id_of, load_private_key
from projections.registry import Queries
from tests.conftest import fresh_store

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)


@dataclass
class Store:
    settings: Settings
    app: LedgerApplication
    queries: Queries
    env: dict[str, str]


@pytest.fixture()
def store(settings: Settings, tmp_path: Path) -> Iterator[Store]:
    with fresh_store(settings, tmp_path) as fresh:
        app = build_application(fresh)
        queries = Queries(app, fresh)
        team = app.create_team(CreateTeam(name="east", occurred_at=NOW), Ctx("test", f"k-{uuid4()}", "fp"))
        for name in ("甲", "乙"):
            app.onboard_rep(OnboardRep(name=name, team_id=team.id, hired_on=date(2025, 1, 2), occurred_at=NOW),
                            Ctx("test", f"k-{uuid4()}", "fp"))
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        env.update({"LEDGER_MASTER_KEY": fresh.master_key, "PYTHONIOENCODING": "utf-8"})
        env.update({"LEDGER_DATABASE_URL": fresh.database_url} if fresh.database_url else {"LEDGER_DB": fresh.db_path})
        yield Store(fresh, app, queries, env)
        queries.close()
        app.close()


def ledger(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scripts.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_keys_generate_writes_a_private_key_only_its_owner_can_read_and_never_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "signing.pem"
    made = ledger(dict(os.environ), "keys", "generate", "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    public = load_private_key(str(out)).public_key()
    assert made.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    assert f"key id: {key_id_of(public)}" in made.stdout
    before = out.read_bytes()
    again = ledger(dict(os.environ), "keys", "generate", "--out", str(out))
    assert again.returncode != 0 and "refusing to overwrite" in again.stderr
    assert out.read_bytes() == before


def test_without_a_signing_key_public_and_checkpoint_fail_and_record_nothing(store: Store) -> None:
    head = store.app.head()
    for args in (["keys", "public"], ["checkpoint"]):
        refused = ledger(store.env, *args)
        assert refused.returncode != 0
        assert "LEDGER_SIGNING_KEY_FILE" in refused.stderr
    assert store.app.head() == head


def test_checkpoint_then_verify_passes_and_a_changed_byte_fails_with_its_position(store: Store) -> None:
    env = {**store.env, "LEDGER_SIGNING_KEY_FILE": store.settings.signing_key_file}
    public = ledger(env, "keys", "public")
    key = load_private_key(store.settings.signing_key_file).public_key()
    assert public.returncode == 0 and f"key id: {key_id_of(key)}" in public.stdout
    signed = ledger(env, "checkpoint")
    assert signed.returncode == 0, signed.stderr
    fields = dict(line.split(":", 1) for line in signed.stdout.splitlines())
    assert int(fields["position"]) == store.app.head() - 1  # the checkpoint event itself comes after its position
    assert fields["key_id"].strip() == key_id_of(key)
    passed = ledger(env, "verify")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "OK: every stored event and checkpoint agrees" in passed.stdout
    report = json.loads(ledger(env, "verify", "--json").stdout)
    assert report["ok"] is True and report["checkpoints"][0]["position"] == int(fields["position"])
    target = 2
    events = store.app.recorder.events_table_name  # type: ignore[attr-defined]
    if store.settings.database_url:
        import psycopg

        with psycopg.connect(store.settings.database_url, autocommit=True) as pg:
            pg.execute(f"UPDATE {events} SET state = overlay(state placing '#'::bytea from 5 for 1) "  # type: ignore[arg-type]
                       f"WHERE notification_id = {target}")
    else:
        import sqlite3

        with sqlite3.connect(store.settings.db_path) as conn:
            conn.execute(f"UPDATE {events} SET state = CAST('#' AS BLOB) || substr(state, 2) WHERE rowid = {target}")
        conn.close()
    failed = ledger(env, "verify")
    assert failed.returncode == 1
    assert f"FAILED at position {target}: changed" in failed.stdout
    assert json.loads(ledger(env, "verify", "--json").stdout)["first_bad_position"] == target


def test_every_integrity_command_has_help() -> None:
    for args in (["keys", "--help"], ["keys", "generate", "--help"], ["keys", "public", "--help"],
                 ["checkpoint", "--help"], ["verify", "--help"]):
        shown = ledger(dict(os.environ), *args)
        assert shown.returncode == 0 and "Usage:" in shown.stdout


def test_the_daily_checkpoint_job_signs_once_per_day(store: Store) -> None:
    job = find_job("checkpoint")
    assert job.cron == "30 0 * * *"
    first = run_job(job, store.app, store.queries, store.settings, datetime(2026, 11, 3, 0, 30, tzinfo=timezone.utc))
    assert first.recorded == 1
    listed = store.queries.integrity.checkpoints()
    again = run_job(job, store.app, store.queries, store.settings, datetime(2026, 11, 3, 12, tzinfo=timezone.utc))
    assert again.recorded == 0 and store.queries.integrity.checkpoints() == listed
    following = run_job(job, store.app, store.queries, store.settings, datetime(2026, 11, 4, 0, 30, tzinfo=timezone.utc))
    assert following.recorded == 1
    newest, older = store.queries.integrity.checkpoints()[:2]
    assert newest["position"] > older["position"] == listed[0]["position"]
    assert store.queries.integrity.verify()["ok"] is True
