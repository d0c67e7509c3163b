"""A real server with a signing key: HR downloads a rep's evidence bundle over HTTP and verifies it offline."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from ledger.signing import generate_key_file, public_pem
from tests.e2e.conftest import ROOT, Server, free_port, ledger_command, store_env, wait_until_healthy


def _token(env: dict[str, str], role: str) -> str:
    done = subprocess.run([*ledger_command(), "tokens", "create", "--role", role, "--name", f"e2e-{role}"], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def signing_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    tmp = tmp_path_factory.mktemp("e2e-evidence")
    key = generate_key_file(tmp / "signing.pem")
    (tmp / "public.pem").write_text(public_pem(key.public_key()))
    env = {**store_env(tmp), "LEDGER_SIGNING_KEY_FILE": str(tmp / "signing.pem")}
    init = subprocess.run([*ledger_command(), "db", "init"], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=False)
    assert init.returncode == 0, init.stderr
    admin, port, log = _token(env, "admin"), free_port(), tmp / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*ledger_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                   env={**env, "LEDGER_CREATE_TABLES": "no"}, cwd=ROOT, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", process, log)
        yield Server(url=f"http://127.0.0.1:{port}", env=env, log=log, token=admin), tmp / "public.pem"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_hr_downloads_a_bundle_over_http_that_verifies_offline(signing_server: tuple[Server, Path],
                                                               tmp_path: Path) -> None:
    server, public_key = signing_server
    team = server.post("/api/v1/teams", {"name": "E2E evidence"}).json["id"]
    rep = server.post("/api/v1/reps", {"name": "周敏", "team_id": team, "hired_on": "2025-02-01"}).json["id"]
    warned = server.post("/api/v1/warnings", {"rep_id": rep, "level": "verbal", "reason": "late reports"})
    assert warned.status == 201, warned.body
    hr = _token(server.env, "hr")
    reply = server.request("GET", f"/api/v1/reps/{rep}/evidence?from=2025-01-01&to=2026-12-31",
                           headers={"Authorization": f"Bearer {hr}"})
    assert reply.status == 200 and reply.content_type == "application/zip", reply.body[:300]
    with zipfile.ZipFile(io.BytesIO(reply.body)) as archive:
        lines = archive.read("events.jsonl").decode().splitlines()
        manifest = json.loads(archive.read("manifest.json"))
    types = [json.loads(x)["type"] for x in lines]  # company-wide KPI schemes apply to every rep (shared test ledger)
    assert [t for t in types if not t.startswith("KpiScheme.")] == ["Rep.Onboarded", "WarningNotice.Issued"]
    assert manifest["rep_id"] == rep and manifest["checkpoint"]["position"] >= manifest["position"]
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(reply.body)
    done = subprocess.run([sys.executable, "-I", str(ROOT / "scripts" / "verify_bundle.py"), str(bundle),
                           "--public-key", str(public_key)], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.splitlines()[-1].startswith("VERDICT: PASS"), done.stdout
    assert server.request("GET", f"/api/v1/reps/{rep}/evidence").status == 200  # the admin may export too
    refused = server.request("GET", f"/api/v1/reps/{rep}/evidence",
                             headers={"Authorization": f"Bearer {_token(server.env, 'auditor')}"})
    assert refused.status == 403 and refused.content_type == "application/problem+json"
