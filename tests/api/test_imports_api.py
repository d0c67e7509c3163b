"""POST /api/v1/imports: the body is the file; 201 with a report, 422 naming every bad line, 200 on a re-import."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from typing import Any
from uuid import uuid4

from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from ledger.application import LedgerApplication
from ledger.settings import Settings
from tests.conftest import authenticated

AT = "2026-03-02T09:00:00+08:00"
NDJSON = {"Content-Type": "application/x-ndjson"}


def ndjson(*items: tuple[str, dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps({"type": kind, "data": {"occurred_at": AT, **data}}) for kind, data in items).encode()


def org() -> tuple[bytes, str, str]:
    team, rep = str(uuid4()), str(uuid4())
    return ndjson(("team", {"id": team, "name": "API import"}),
                  ("rep", {"id": rep, "name": "Ann", "team_id": team, "hired_on": "2025-01-01"})), team, rep


def test_an_ndjson_body_is_imported_once_and_a_second_post_records_nothing(client: FlaskClient,
                                                                          ledger_app: LedgerApplication) -> None:
    body, team, _ = org()
    head = ledger_app.head()
    created = client.post("/api/v1/imports?name=crm-export.jsonl", data=body, headers=NDJSON)
    assert created.status_code == 201, created.json
    report = created.json
    assert (report["status"], report["rows"], report["imported_rows"], report["events"]) == ("imported", 2, 2, 2)
    assert report["name"] == "crm-export.jsonl" and report["format"] == "jsonl" and report["skipped"] == []
    assert ledger_app.head() == head + 2 + 3 and client.get(f"/api/v1/teams/{team}").json["name"] == "API import"
    again = client.post("/api/v1/imports", data=body, headers=NDJSON)
    assert again.status_code == 200 and again.json["status"] == "already imported" and again.json["id"] == report["id"]
    assert ledger_app.head() == head + 5


def bad_file() -> bytes:
    body, team, rep = org()
    customer = str(uuid4())
    return body + b"\n" + ndjson(("customer", {"id": customer, "name": "ACME", "level": "Z"}),          # 3: schema
                                 ("claim", {"customer_id": customer, "rep_id": rep}),                  # 4: unknown
                                 ("follow_up", {"rep_id": str(uuid4()), "customer_id": str(uuid4()),
                                                "kind": "call", "stage": "lead"}),                     # 5: unknown refs
                                 ("team", {"name": "Also imported"}))


def test_bad_lines_are_all_reported_as_problem_details_and_nothing_is_written(client: FlaskClient,
                                                                             ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    response = client.post("/api/v1/imports", data=bad_file(), headers=NDJSON)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    problem = response.json
    assert problem["code"] == "import-rejected" and sorted(problem["errors"]) == ["line 3", "line 4", "line 5"]
    assert problem["errors"]["line 3"] == ["level: Must be one of: A, B, C, D."]
    assert problem["errors"]["line 4"][0].startswith("not-found: no customer with id")
    assert problem["errors"]["line 5"][0].startswith("unknown-reference:")
    assert "3 of 6 rows are invalid; nothing was imported" in problem["detail"] and ledger_app.head() == head


def test_skip_invalid_imports_the_valid_rows_and_lists_the_skipped_ones(client: FlaskClient) -> None:
    response = client.post("/api/v1/imports?skip_invalid=true", data=bad_file(), headers=NDJSON)
    assert response.status_code == 201, response.json
    assert [s["line"] for s in response.json["skipped"]] == [3, 4, 5] and response.json["imported_rows"] == 3
    assert response.json["skipped"][0]["reasons"] == ["level: Must be one of: A, B, C, D."]


def test_a_csv_file_in_a_multipart_form_is_imported(client: FlaskClient) -> None:
    team = str(uuid4())
    content = f"type,id,name,region,occurred_at\nteam,{team},Multipart,east,{AT}\n".encode()
    response = client.post("/api/v1/imports", data={"file": (io.BytesIO(content), "teams.csv", "text/csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    assert (response.json["format"], response.json["name"], response.json["events"]) == ("csv", "teams.csv", 1)
    assert client.get(f"/api/v1/teams/{team}").json["region"] == "east"


def test_a_json_array_of_rows_is_a_file_too(client: FlaskClient) -> None:
    team = str(uuid4())
    response = client.post("/api/v1/imports", json=[{"type": "team", "data": {"id": team, "name": "JSON"}}])
    assert response.status_code == 201 and response.json["format"] == "json"


def test_other_media_types_empty_files_and_missing_parts_are_refused(client: FlaskClient) -> None:
    plain = client.post("/api/v1/imports", data=b"team", headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415 and plain.mimetype == "application/problem+json"
    empty = client.post("/api/v1/imports", data=b"\n", headers=NDJSON)
    assert empty.status_code == 422 and empty.json["errors"] == {"file": ["empty"]}
    no_rows = client.post("/api/v1/imports", json=[])
    assert no_rows.status_code == 422 and no_rows.json["errors"] == {"file": ["no rows"]}
    no_part = client.post("/api/v1/imports", data={"other": (io.BytesIO(b"x"), "x.csv")}, content_type="multipart/form-data")
    assert no_part.status_code == 422 and no_part.json["errors"] == {"file": ["missing"]}
    batch = client.post("/api/v1/imports?batch=0", data=org()[0], headers=NDJSON)
    assert batch.status_code == 422 and "query.batch" in batch.json["errors"]


def test_files_beyond_the_import_limit_are_413_while_the_usual_body_limit_does_not_apply(
        settings: Settings, ledger_app: LedgerApplication, admin_token: str) -> None:
    small: Flask = create_app(replace(settings, max_body_bytes=100, max_import_bytes=2000), ledger_app)
    client = authenticated(small, admin_token)
    body = org()[0]
    assert 100 < len(body) < 2000
    assert client.post("/api/v1/imports", data=body, headers=NDJSON).status_code == 201
    big = client.post("/api/v1/imports", data=body + b"\n" * 2000, headers=NDJSON)
    assert big.status_code == 413 and big.mimetype == "application/problem+json"
