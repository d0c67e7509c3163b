"""Fuzzing from the OpenAPI document: schemathesis against the real server, with a token of each role.
No 5xx, every response as documented (status, media type, schema), every error a problem document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from ledger.settings import Settings
from scripts.load import Client
from tests.conftest import fresh_store
from tests.e2e.conftest import ROOT
from tests.e2e.servers import Serving, cli, env_for, init_store, serve

pytestmark = pytest.mark.e2e

ROLES = ("admin", "hr", "legal", "auditor", "manager", "rep", "integration")
# Examples per operation and phase. The admin reaches the most code and runs every phase; the coverage
# phase (some 6,000 boundary cases, whatever the examples) is left to it, to keep the suite's budget.
EXAMPLES = {"admin": 6, "hr": 4, "manager": 4, "rep": 3, "integration": 3, "legal": 3, "auditor": 3}
PHASES = {"admin": "examples,coverage,fuzzing,stateful"}
OTHER_PHASES = "examples,fuzzing,stateful"
SEED = 20261123


@dataclass
class Target:
    url: str
    tokens: dict[str, str]
    config: Path
    serving: Serving


def seed_records(client: Client) -> dict[str, str]:
    """A few real records, so that path parameters address something and deeper code runs."""
    def made(path: str, body: dict[str, Any]) -> str:
        answer = client.until_answered("POST", path, body)
        assert answer.status in (200, 201), answer.body
        return str(answer.json()["id"])

    team = made("/api/v1/teams", {"name": "fuzz", "region": "east"})
    rep = made("/api/v1/reps", {"name": "Fuzz Rep", "team_id": team, "hired_on": "2025-01-06"})
    customer = made("/api/v1/customers", {"name": "fuzz customer"})
    made(f"/api/v1/customers/{customer}/claim", {"rep_id": rep})
    deal = made("/api/v1/deals", {"rep_id": rep, "customer_id": customer, "amount": "1000.00", "currency": "CNY",
                                  "product": "CRM", "customer_type": "new", "closed_on": "2026-03-02"})
    return {"team": team, "rep": rep, "customer": customer, "deal": deal}


def write_config(path: Path, ids: dict[str, str]) -> None:
    """Every check (ours in fuzz_hooks.py too) but positive_data_acceptance: schema-valid requests are rightly
    refused by rules a schema cannot express (unknown ids in a body are 409, a currency's decimal places 422).
    Path parameters are bound to the seeded records."""
    lines = ["[checks]", "positive_data_acceptance.enabled = false", "", "[parameters]"]
    lines += [f'"path.{name}_id" = "{value}"' for name, value in ids.items()]
    for name, value in ids.items():
        collection = {"team": "teams", "rep": "reps", "customer": "customers", "deal": "deals"}[name]
        lines += ["", "[[operations]]", f'include-path-regex = "^/api/v1/{collection}/\\\\{{id\\\\}}"',
                  f'parameters = {{ "path.id" = "{value}" }}']
    # With skip_invalid=true an import answers 201 and lists the rows it skipped: that is its contract.
    lines += ["", "[[operations]]", 'include-name = "POST /api/v1/imports"',
              "checks.negative_data_rejection.enabled = false"]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def target(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """A server on a store of its own: fuzzed writes (company-wide rules among them) stay out of the shared one."""
    tmp = tmp_path_factory.mktemp("fuzz")
    with fresh_store(settings, tmp) as fresh:
        env = env_for(fresh.database_url, fresh.db_path)
        generated = cli(env, "keys", "generate", "--out", str(tmp / "signing.pem"))
        assert generated.returncode == 0, generated.stderr
        env["LEDGER_SIGNING_KEY_FILE"] = str(tmp / "signing.pem")  # checkpoints can be signed
        tokens = {"admin": init_store(env)}
        serving = serve(env, tmp / "server.log")
        try:
            ids = seed_records(Client(serving.url, tokens["admin"]))
            for role in ROLES[1:]:
                scope = {"manager": ["--team", ids["team"]], "integration": ["--team", ids["team"]],
                         "rep": ["--rep", ids["rep"]]}.get(role, [])
                issued = cli(env, "tokens", "create", "--role", role, "--name", f"fuzz-{role}", *scope)
                assert issued.returncode == 0, issued.stderr
                tokens[role] = issued.stdout.strip().splitlines()[-1]
            write_config(tmp / "schemathesis.toml", ids)
            yield Target(serving.url, tokens, tmp / "schemathesis.toml", serving)
        finally:
            serving.stop()


def schemathesis(target: Target, role: str, report_dir: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    command = [str(Path(sys.executable).parent / "st"), "--config-file", str(target.config), "run",
               f"{target.url}/api/v1/openapi.json", "--header", f"Authorization: Bearer {target.tokens[role]}",
               "--phases", PHASES.get(role, OTHER_PHASES), "--max-examples", str(EXAMPLES[role]), "--seed", str(SEED), "--workers", "1", "--request-timeout", "30", "--no-color",
               "--report", "json", "--report-dir", str(report_dir)]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(ROOT / "tests" / "e2e" / "fuzz_hooks.py")}
    done = subprocess.run(command, env=env, cwd=report_dir, capture_output=True, text=True, timeout=900, check=False)
    reports = sorted(report_dir.glob("json-*.json"))
    assert reports, done.stdout[-3000:] + done.stderr[-3000:]
    return done, json.loads(reports[-1].read_text())


@pytest.mark.parametrize("role", ROLES)
def test_fuzzing_every_operation_as_each_role_finds_no_5xx_and_nothing_undocumented(
        target: Target, role: str, tmp_path: Path) -> None:
    done, report = schemathesis(target, role, tmp_path)
    summary = done.stdout[done.stdout.find("FAILURES"):][-6000:]
    print(f"{role}: {report['test_cases']['generated']} cases over {report['operations']['tested']} operations "
          f"in {report['running_time']:.1f}s")
    assert report["operations"]["tested"] >= 100, report["operations"]
    assert report["test_cases"]["generated"] > 0
    assert report["failures"] == [], summary
    assert report["errors"] == [], done.stdout[-4000:]
    assert done.returncode == 0, summary
    assert target.serving.process.poll() is None
