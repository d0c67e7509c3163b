"""A one-minute soak (`ledger soak --minutes 1`) on a store of its own: the invariants hold, whatever the speed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledger.settings import Settings
from tests.conftest import fresh_store
from tests.e2e.servers import cli, env_for

pytestmark = pytest.mark.e2e


def test_a_minute_of_mixed_load_with_jobs_and_a_rebuild_keeps_every_invariant(settings: Settings,
                                                                              tmp_path: Path) -> None:
    with fresh_store(settings, tmp_path) as fresh:
        env = env_for(fresh.database_url, fresh.db_path)
        done = cli(env, "soak", "--minutes", "1", "--clients", "4", "--out", str(tmp_path / "soak.json"), timeout=900)
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    report = json.loads((tmp_path / "soak.json").read_text())
    assert report["ok"] and all(report["verdicts"].values()), report["verdicts"]
    assert report["writes_acknowledged"] > 0 and report["reads"] > 0
    assert report["acknowledged"]["stored"] == report["acknowledged"]["acknowledged"] == report["writes_acknowledged"]
    assert report["acknowledgement_problems"] == [] and report["projection_differences"] == {}
    assert report["verify"]["ok"] and report["verify"]["checked"] >= report["events_after_start"]
    assert report["contract_breaches"] == []
    assert {job["job"] for job in report["jobs"]} >= {"recycle", "period-close"}
    assert report["rebuild"]["exit"] == 0
    assert report["memory"]["bounded"] and report["memory"]["samples"] >= 30
