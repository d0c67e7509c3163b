"""Integrity over HTTP: verify, list and sign checkpoints; refusals are problem+json and record nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import uuid4

from flask import Flask

from api import create_app
from ledger.application import LedgerApplication
from ledger.chain import checkpoint_message
from ledger.settings import Settings
from ledger.signing import key_id_of, load_private_key, load_public_key, verify
from tests.api.helpers import assert_refused, problem, recorded
from tests.conftest import authenticated, issue_token, poster


def test_signing_now_checkpoints_the_head_and_the_signature_verifies(client: Any, post: Any, make: Any,
                                                                     ledger_app: LedgerApplication,
                                                                     settings: Settings) -> None:
    make.team()
    head = ledger_app.head()
    response = post("/api/v1/integrity/checkpoints", {})
    assert response.status_code == 201, response.json
    body = response.json
    key = load_private_key(settings.signing_key_file).public_key()
    assert body["position"] == head and body["size"] >= 1 and body["key_id"] == key_id_of(key)
    assert body["algorithm"] == "ed25519"
    message = checkpoint_message(body["position"], body["size"], bytes.fromhex(body["chain_head"]),
                                 bytes.fromhex(body["merkle_root"]))
    assert verify(key, bytes.fromhex(body["signature"]), message)
    event = recorded(client, head, body["id"], "Checkpoint.Signed")
    assert {k: event["payload"][k] for k in ("position", "size", "chain_head", "merkle_root", "signature", "key_id")} == \
        {k: body[k] for k in ("position", "size", "chain_head", "merkle_root", "signature", "key_id")}


def test_a_retried_key_replays_the_same_checkpoint_and_records_nothing(post: Any, make: Any,
                                                                       ledger_app: LedgerApplication) -> None:
    make.team()
    key = str(uuid4())
    first = post("/api/v1/integrity/checkpoints", {}, key=key)
    assert first.status_code == 201
    head = ledger_app.head()
    again = post("/api/v1/integrity/checkpoints", {}, key=key)
    assert (again.status_code, again.json) == (201, first.json)
    assert ledger_app.head() == head


def test_checkpoints_are_listed_newest_first_with_the_public_key(client: Any, post: Any, make: Any,
                                                                 settings: Settings) -> None:
    older = post("/api/v1/integrity/checkpoints", {}).json
    make.team()
    newer = post("/api/v1/integrity/checkpoints", {}).json
    listed = client.get("/api/v1/integrity/checkpoints?limit=1000").json["checkpoints"]
    positions = [c["position"] for c in listed]
    assert positions == sorted(positions, reverse=True)
    assert positions.index(newer["position"]) < positions.index(older["position"])
    mine = next(c for c in listed if c["id"] == newer["id"])
    assert mine["event_position"] > mine["position"] == newer["position"]
    public = load_public_key(mine["public_key"].encode())
    assert key_id_of(public) == key_id_of(load_private_key(settings.signing_key_file).public_key())
    assert len(client.get("/api/v1/integrity/checkpoints?limit=1").json["checkpoints"]) == 1


def test_verify_reports_a_consistent_shared_ledger(client: Any, post: Any, make: Any) -> None:
    make.team()
    post("/api/v1/integrity/checkpoints", {})
    response = client.get("/api/v1/integrity/verify")
    assert response.status_code == 200
    report = response.json
    assert report["ok"] is True, (report["problems"], [c for c in report["checkpoints"] if not c["ok"]])
    assert report["first_bad_position"] is None and report["problem"] is None and report["problem_count"] == 0
    assert report["checked"] >= 1 and report["head"] >= report["checkpoints"][-1]["position"]
    assert all(c["ok"] for c in report["checkpoints"])


def test_bad_query_and_body_are_422_and_record_nothing(client: Any, post: Any, ledger_app: LedgerApplication) -> None:
    problem(client.get("/api/v1/integrity/checkpoints?limit=0"), 422, "query.limit")
    head = ledger_app.head()
    problem(post("/api/v1/integrity/checkpoints", {"position": 3}), 422, "position")
    assert ledger_app.head() == head


def test_without_a_signing_key_signing_is_503_and_records_nothing(settings: Settings, ledger_app: LedgerApplication) -> None:
    keyless: Flask = create_app(replace(settings, signing_key_file=""), ledger_app)
    post = poster(authenticated(keyless, issue_token(ledger_app, "auditor")))
    head = ledger_app.head()
    response = post("/api/v1/integrity/checkpoints", {})
    assert_refused(response, ledger_app, head, 503, "signing-key-missing")
    assert "LEDGER_SIGNING_KEY_FILE" in response.json["detail"]
