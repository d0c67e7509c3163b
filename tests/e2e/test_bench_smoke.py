"""`ledger bench` end to end on a small run: every figure is produced with its baseline (no timing asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, TEST_DATABASE_URL, TEST_MASTER_KEY

pytestmark = pytest.mark.e2e


def test_a_small_benchmark_reports_every_figure_beside_its_baseline(tmp_path: Path) -> None:
    backend = "postgresql" if TEST_DATABASE_URL else "sqlite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update({"LEDGER_MASTER_KEY": TEST_MASTER_KEY, "LEDGER_DB": str(tmp_path / "unused.sqlite")})
    if TEST_DATABASE_URL:
        env["LEDGER_DATABASE_URL"] = TEST_DATABASE_URL
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "-m", "scripts.cli", "bench", "--events", "10000", "--backend", backend,
                           "--requests", "60", "--queries", "40", "--out", str(out)],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    report = json.loads(out.read_text())
    figures = report["results"][backend]
    assert figures["bulk_import"]["events"] >= 9000  # the generator's 10,000 events, bar its own bookkeeping
    for name in ("bulk_import", "api_appends", "rebuild"):
        assert figures[name]["baseline_rows_per_s"] > 0 and figures[name]["ratio"] > 0, name
    assert figures["rebuild"]["events"] > 0 and figures["rebuild_rss"]["peak_rss_mb"] > 0
    for name in ("scorecard", "as_of"):
        assert figures[name]["n"] == 40 and figures[name]["p99_ms"] >= figures[name]["p50_ms"] > 0
    assert figures["evidence"]["bytes"] > 0
    assert "ratio / value" in done.stdout and "met" in done.stdout
