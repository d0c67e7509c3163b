"""Bulk import end to end: a file POSTed to the real server, and `ledger generate --import` / `ledger import`."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from uuid import uuid4

import pytest

from ledger.settings import Settings
from tests.conftest import fresh_store
from tests.e2e.conftest import ROOT, Server, ledger_command

pytestmark = pytest.mark.e2e
AT = "2026-03-02T09:00:00+08:00"


def test_a_file_posted_to_the_server_is_imported_once(server: Server) -> None:
    team, rep = str(uuid4()), str(uuid4())
    body = "\n".join(json.dumps(row) for row in (
        {"type": "team", "data": {"id": team, "name": "E2E import", "occurred_at": AT}},
        {"type": "rep", "data": {"id": rep, "name": "Ann", "team_id": team, "hired_on": "2025-01-01", "occurred_at": AT}},
    )).encode()
    headers = {"Content-Type": "application/x-ndjson"}
    before = server.head()
    created = server.request("POST", "/api/v1/imports?name=e2e.jsonl", body, headers)
    assert created.status == 201 and created.json["events"] == 2, created.body
    again = server.request("POST", "/api/v1/imports", body, headers)
    assert again.status == 200 and again.json["status"] == "already imported"
    types = [e["type"] for e in server.feed(before) if e["stream_id"] in (team, rep, created.json["id"])]
    assert types == ["Team.Created", "Rep.Onboarded", "Import.Started", "Import.BatchCommitted", "Import.Completed"]
    bad = server.request("POST", "/api/v1/imports", body.replace(b'"Ann"', b'""') + b"\n", headers)
    assert bad.status == 422 and bad.content_type == "application/problem+json"  # another file: validated afresh
    assert bad.json["errors"]["line 1"][0].startswith("id-exists") and list(bad.json["errors"]) == ["line 1", "line 2"]


def test_generate_then_import_from_the_command_line(settings: Settings, tmp_path: Path) -> None:
    with fresh_store(settings, tmp_path) as store:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        env.update({"LEDGER_MASTER_KEY": store.master_key, "PYTHONIOENCODING": "utf-8"})
        env.update({"LEDGER_DATABASE_URL": store.database_url} if store.database_url else {"LEDGER_DB": store.db_path})

        def ledger(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*ledger_command(), *args], env=env, cwd=ROOT, capture_output=True, text=True,
                                  timeout=300, check=False)

        out = tmp_path / "history.jsonl"
        made = ledger("generate", "--events", "1500", "--seed", "3", "--out", str(out), "--import")
        assert made.returncode == 0, made.stderr[-3000:]
        assert re.search(r"[\d,]+ rows, 1,50\d events, 2 teams, 4 reps", made.stdout) and "0 skipped" in made.stdout
        assert re.search(r"payout runs for 2026-10: \d calculated", made.stdout), made.stdout
        again = ledger("import", str(out))
        assert again.returncode == 0 and "already imported" in again.stdout
        broken = tmp_path / "broken.jsonl"
        broken.write_text('{"type": "team", "data": {"name": "ok"}}\n{"type": "unknown", "data": {}}\nnot json\n')
        refused = ledger("import", str(broken))
        assert refused.returncode == 1 and "2 of 3 rows are invalid; nothing was imported" in refused.stderr
        assert "line 2: type: unknown type 'unknown'" in refused.stderr and "line 3: not valid JSON" in refused.stderr
