"""Evidence bundles end to end, on SQLite and PostgreSQL: built over HTTP, verified offline, tampering caught.

Lin was warned, put on a plan, trained, still below target and given notice: every art. 40(2) item is met,
at the positions of exactly those events. Zhao only ranked last: nothing is met and the ranking is flagged.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator

import pytest
from flask.testing import FlaskClient

from api import create_app
from ledger.application import LedgerApplication, build_application
from ledger.evidence_export import EvidenceExport
from ledger.settings import Settings
from ledger.signing import generate_key_file, public_pem
from projections.registry import Queries
from scripts.verify_bundle import key_id, verify
from tests.conftest import authenticated, fresh_store, issue_token
from tests.integration.evidence_world import NATIONAL_ID, World, build, position_of

ROOT = Path(__file__).resolve().parents[2]
FILES = ("events.jsonl", "scorecards.json", "allocation.json", "contract.json", "readiness.json", "summary.pdf",
         "manifest.json")


@dataclass
class Setup:
    app: LedgerApplication
    queries: Queries
    world: World
    hr: FlaskClient
    public_key: Path
    tmp: Path
    settings: Settings
    hr_name: str

    def export(self, rep: object, query: str = "from=2026-01-01&to=2026-12-31") -> bytes:
        response = self.hr.get(f"/api/v1/reps/{rep}/evidence?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "application/zip"
        assert response.headers["Content-Disposition"].startswith('attachment; filename="evidence-')
        return response.get_data()


@pytest.fixture(scope="module")
def setup(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    tmp = tmp_path_factory.mktemp("evidence")
    key = generate_key_file(tmp / "signing.pem")
    (tmp / "public.pem").write_text(public_pem(key.public_key()))
    with fresh_store(replace(settings, signing_key_file=str(tmp / "signing.pem")), tmp) as fresh:
        app = build_application(fresh)
        queries = Queries(app, fresh)
        try:
            world = build(app, queries)
            secret = issue_token(app, "hr")
            hr = authenticated(create_app(fresh, app), secret)
            yield Setup(app, queries, world, hr, tmp / "public.pem", tmp, fresh, app.authenticate(secret).name)
        finally:
            queries.close()
            app.close()


def members(bundle: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def events(files: dict[str, bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in files["events.jsonl"].decode().splitlines()]


def _raw(pem: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_public_key(pem).public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def checked(setup: Setup, bundle: bytes) -> tuple[bool, list[str]]:
    lines: list[str] = []
    ok = verify(bundle, setup.public_key.read_bytes(), out=lines.append)
    return ok, lines


def test_the_warned_trained_rep_given_notice_is_ready_with_the_proving_positions(setup: Setup) -> None:
    files = members(setup.export(setup.world.lin))
    assert sorted(files) == sorted(FILES)
    found, marks, east = events(files), setup.world.positions, str(setup.world.east)
    march = position_of(found, "PublishedScorecard.Published", period="2026-03")
    may = position_of(found, "PublishedScorecard.Published", period="2026-05")
    told = {month: [position_of(found, "Target.Set", scope="rep", period=month),
                    position_of(found, "Target.Set", scope="team", scope_id=east, period=month)]
            for month in ("2026-03", "2026-05")}
    assert told["2026-03"][0] == marks["target 2026-03"] and marks["published 2026-03"] >= march
    readiness = json.loads(files["readiness.json"])
    items = {i["key"]: i for i in readiness["items"]}
    assert {k: i["status"] for k, i in items.items()} == dict.fromkeys(items, "met")
    assert items["incompetence_documented"]["positions"] == sorted([*told["2026-03"], march])
    assert items["incompetence_documented"]["supporting"] == [marks["warning"], marks["plan started"]]
    assert items["remedy_after"]["positions"] == [marks["training"]]
    assert items["incompetence_again"]["positions"] == sorted([*told["2026-05"], may])
    assert items["notice_or_pay_in_lieu"]["positions"] == [marks["notice"]]
    assert items["no_protected_status"]["positions"] == []
    assert items["no_protected_status"]["supporting"] == [position_of(found, "ProtectedStatus.Recorded")]
    assert readiness["ready"] is True and readiness["ranking_only"]["flag"] is False
    assert {e["position"] for e in found} >= {p for i in items.values() for p in i["positions"] + i["supporting"]}


def test_the_rep_only_ranked_last_is_not_ready_and_flagged_ranking_only(setup: Setup) -> None:
    files = members(setup.export(setup.world.zhao))
    readiness = json.loads(files["readiness.json"])
    assert [i["status"] for i in readiness["items"]] == ["not_met", "not_met", "not_met", "not_met", "met"]
    assert readiness["ranking_only"] == {**readiness["ranking_only"], "flag": True, "positions": [setup.world.positions["flag"]]}
    assert readiness["ready"] is False
    published = [e["position"] for e in events(files) if e["type"] == "PublishedScorecard.Published"]
    assert readiness["items"][0]["supporting"] == published and len(published) == 2
    scorecards = json.loads(files["scorecards.json"])["periods"]
    assert [(p["period"], p["total"], p["rank"], p["of"], p["below_target"]) for p in scorecards] == [
        ("2026-03", "105.00", 4, 4, False), ("2026-04", "102.00", 4, 4, False)]
    assert scorecards[0]["team_distribution"] == {"n": 4, "min": "105.00", "q1": "110.25", "median": "115.00",
                                                  "q3": "118.50", "max": "120.00", "mean": "113.75"}


def test_scorecards_allocation_and_contract_sections_state_the_facts(setup: Setup) -> None:
    files = members(setup.export(setup.world.lin))
    periods = {p["period"]: p for p in json.loads(files["scorecards.json"])["periods"]}
    assert [(k, p["total"], p["rank"], p["of"]) for k, p in periods.items()] == [
        ("2026-03", "50.00", 3, 3), ("2026-04", "60.00", 3, 3), ("2026-05", "55.00", 3, 3)]
    assert periods["2026-03"]["team_distribution"]["median"] == "90.00"
    target = periods["2026-03"]["targets"][0]
    assert (target["scope"], target["value"], target["told_before_period_start"]) == ("rep", "100000", True)
    assert periods["2026-03"]["scheme"]["name"] == "revenue" and periods["2026-03"]["scheme"]["told_before_period_end"]
    allocation = json.loads(files["allocation.json"])
    assert (allocation["rep"]["received"], allocation["team_others"]["median"]) == (2, "4.50")
    assert allocation["difference_from_median"] == "-2.50" and allocation["below_team_median"] is True
    contract = json.loads(files["contract.json"])["contracts"][0]
    assert contract["signed"]["terms"]["base_pay_amount"] == "9000.00"
    assert contract["termination"]["ground"] == "art40_incompetence"
    assert contract["termination"]["position"] == setup.world.positions["notice"]
    assert files["summary.pdf"].startswith(b"%PDF") and b"STSong-Light" in files["summary.pdf"]
    details = next(e for e in events(files) if e["type"] == "Rep.PersonalDetailsRecorded")
    assert details["payload"]["national_id"] == "[withheld: not needed as evidence]"
    assert not any(NATIONAL_ID.encode() in data for data in files.values())


def test_both_bundles_verify_offline_with_the_standalone_script(setup: Setup) -> None:
    for rep in (setup.world.lin, setup.world.zhao):
        path = setup.tmp / f"{rep}.zip"
        path.write_bytes(setup.export(rep))
        done = subprocess.run([sys.executable, "-I", str(ROOT / "scripts" / "verify_bundle.py"), str(path),
                               "--public-key", str(setup.public_key)], cwd=setup.tmp, capture_output=True, text=True,
                              encoding="utf-8", timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        lines = done.stdout.splitlines()
        assert lines[-1].startswith("VERDICT: PASS") and not [x for x in lines if x.startswith("FAIL")]
        assert {f"OK manifest hash {name}" for name in FILES if name != "manifest.json"} <= set(lines)
        proven = [x for x in lines if x.startswith("OK proof position ")]
        assert len(proven) == len(events(members(path.read_bytes()))) > 10


def test_changing_any_byte_of_any_file_fails_and_names_the_file(setup: Setup) -> None:
    original = members(setup.export(setup.world.lin))
    for name, data in original.items():
        for offset in (0, len(data) // 2, len(data) - 1):
            altered = bytearray(data)
            altered[offset] ^= 0x20 if chr(altered[offset]).isalpha() else 0x01
            ok, lines = checked(setup, rezip({**original, name: bytes(altered)}))
            failures = [x for x in lines if x.startswith("FAIL")]
            assert not ok and lines[-1].startswith("VERDICT: FAIL"), (name, offset)
            assert any(name in x for x in failures), (name, offset, failures)


def test_a_rehashed_forgery_still_fails_at_the_altered_event(setup: Setup) -> None:
    from projections.evidence.bundle import canonical_json, manifest

    original = members(setup.export(setup.world.lin))
    records = events(original)
    victim = next(r for r in records if r["type"] == "Training.Completed")
    victim["payload"]["hours"] = "160"
    forged = {**original, "events.jsonl": "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()}
    head = {k: v for k, v in json.loads(original["manifest.json"]).items() if k not in ("format", "files", "digest")}
    forged["manifest.json"] = canonical_json(manifest({k: v for k, v in forged.items() if k != "manifest.json"}, head))
    ok, lines = checked(setup, rezip(forged))
    assert not ok
    assert [x for x in lines if x.startswith("FAIL")] == [
        f"FAIL payload position {victim['position']}: payload field 'hours' differs from the stored event"]


def test_the_same_position_exports_the_same_bytes_and_each_export_is_recorded(setup: Setup) -> None:
    rep, position = setup.world.lin, setup.app.head()
    first = setup.export(rep, f"from=2026-01-01&to=2026-12-31&as_of={position}")
    second = setup.export(rep, f"from=2026-01-01&to=2026-12-31&as_of={position}")
    assert first == second
    manifest = json.loads(members(first)["manifest.json"])
    assert manifest["position"] == position and manifest["checkpoint"]["position"] >= position
    recorded = [n for n in setup.app.recorder.select_notifications(start=position + 1, limit=100)
                if n.topic == "ledger.evidence_export:EvidenceExport.Exported"]
    assert len(recorded) == 2
    export = setup.app.repository.get(recorded[-1].originator_id)
    assert isinstance(export, EvidenceExport)
    assert (export.rep_id, export.position, export.from_date.isoformat(), export.to_date.isoformat()) == (
        rep, position, "2026-01-01", "2026-12-31")
    assert export.exported_by.startswith("hr:")
    assert export.manifest_sha256 == hashlib.sha256(members(first)["manifest.json"]).hexdigest()
    assert str(export.checkpoint_id) == manifest["checkpoint"]["id"]


def test_unknown_reps_bad_ranges_and_other_roles_are_refused(setup: Setup) -> None:
    manager = authenticated(setup.hr.application, issue_token(setup.app, "manager", team_ids=[setup.world.east]))
    head = setup.app.head()
    assert setup.hr.get("/api/v1/reps/00000000-0000-4000-8000-000000000000/evidence").status_code == 404
    response = setup.hr.get(f"/api/v1/reps/{setup.world.lin}/evidence?from=2026-05-01&to=2026-04-01")
    assert response.status_code == 422 and response.json["errors"] == {"query.to": ["must not be before from"]}
    assert manager.get(f"/api/v1/reps/{setup.world.lin}/evidence").status_code == 403
    assert setup.app.head() == head  # refused requests record nothing


def test_the_cli_writes_the_same_bundle_as_the_api_for_the_same_position(setup: Setup) -> None:
    position = setup.app.head()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update({"LEDGER_MASTER_KEY": setup.settings.master_key, "PYTHONIOENCODING": "utf-8",
                "LEDGER_SIGNING_KEY_FILE": setup.settings.signing_key_file})
    env.update({"LEDGER_DATABASE_URL": setup.settings.database_url} if setup.settings.database_url
               else {"LEDGER_DB": setup.settings.db_path})
    out = setup.tmp / "cli.zip"
    done = subprocess.run([sys.executable, "-m", "scripts.cli", "evidence", "林晓", "--from", "2026-01-01", "--to",
                           "2026-12-31", "--as-of", str(position), "--out", str(out)], env=env, cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {out}: position {position}, manifest sha256 ")
    assert out.read_bytes() == setup.export(setup.world.lin, f"from=2026-01-01&to=2026-12-31&as_of={position}")
    recorded = [n for n in setup.app.recorder.select_notifications(start=position + 1, limit=100)
                if n.topic == "ledger.evidence_export:EvidenceExport.Exported"]
    assert [setup.app.repository.get(n.originator_id).exported_by for n in recorded] == ["cli", "hr:" + setup.hr_name]


def test_a_wrong_key_a_broken_zip_and_added_or_missing_files_fail_by_name(setup: Setup) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    bundle = setup.export(setup.world.zhao)
    other = public_pem(Ed25519PrivateKey.generate().public_key()).encode()
    lines: list[str] = []
    assert not verify(bundle, other, out=lines.append)
    failed = [x.split(":")[0].split(" (")[0] for x in lines if x.startswith("FAIL")]
    assert failed == [f"FAIL checkpoint key {key_id(_raw(other))}", "FAIL checkpoint signature"]  # the events are intact
    files = members(bundle)
    ok, lines = checked(setup, rezip({**files, "notes.txt": b"added later"}))
    assert not ok and "FAIL manifest lists notes.txt: a file the manifest does not list" in lines
    ok, lines = checked(setup, rezip({k: v for k, v in files.items() if k != "allocation.json"}))
    assert not ok and "FAIL manifest hash allocation.json: missing" in lines
    ok, lines = checked(setup, bundle[: len(bundle) // 2])
    assert not ok and lines[0].startswith("FAIL bundle readable: not an intact ZIP")
