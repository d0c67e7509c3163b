"""Fixtures shared by every test scope. LEDGER_TEST_DATABASE_URL switches the suite to PostgreSQL."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from ledger.application import LedgerApplication, build_application
from ledger.base import Ctx
from ledger.commands.access import IssueToken
from ledger.settings import Settings
from tests.integrity_keys import suite_signing_key

TEST_DATABASE_URL = os.environ.get("LEDGER_TEST_DATABASE_URL", "")
TEST_MASTER_KEY = "bGVkZ2VyLXRlc3QtbWFzdGVyLWtleS0zMi1ieXRlcyE="  # base64 of b"ledger-test-master-key-32-bytes!"


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    generous = "100000 per minute"  # the suite is one client; limits are tested on their own app
    signing = suite_signing_key(tmp_path_factory.mktemp("keys") / "signing.pem")  # checkpoints can be signed
    if TEST_DATABASE_URL:
        return Settings(database_url=TEST_DATABASE_URL, pool_size=4, max_overflow=8, rate_limit=generous,
                        master_key=TEST_MASTER_KEY, signing_key_file=signing)
    return Settings(db_path=str(tmp_path_factory.mktemp("db") / "ledger.sqlite"), rate_limit=generous,
                    master_key=TEST_MASTER_KEY, signing_key_file=signing)


@pytest.fixture(scope="session")
def ledger_app(settings: Settings) -> Iterator[LedgerApplication]:
    application = build_application(settings)
    yield application
    application.close()


@pytest.fixture(scope="session")
def flask_app(settings: Settings, ledger_app: LedgerApplication) -> Flask:
    return create_app(settings, ledger_app)


def issue_token(application: LedgerApplication, role: str, **scope: Any) -> str:
    """A fresh bearer secret for a role, recorded like any other token."""
    command = IssueToken(name=f"test-{role}-{uuid4().hex[:6]}", role=role, occurred_at=datetime.now(timezone.utc), **scope)
    return application.issue_token(command, Ctx("test", f"token-{uuid4()}"))[1]


@pytest.fixture(scope="session")
def admin_token(ledger_app: LedgerApplication) -> str:
    return issue_token(ledger_app, "admin")


def authenticated(flask_app: Flask, secret: str) -> FlaskClient:
    client = flask_app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


@pytest.fixture()
def client(flask_app: Flask, admin_token: str) -> FlaskClient:
    """A test client acting as an admin; authorization tests build their own."""
    return authenticated(flask_app, admin_token)


Post = Callable[..., Any]


def poster(client: FlaskClient) -> Post:
    """POST JSON with a fresh Idempotency-Key unless one is given; returns the response."""

    def _post(url: str, body: Any = None, *, key: str | None = None, **headers: str) -> Any:
        return client.post(url, json=body if body is not None else {},
                           headers={"Idempotency-Key": key or str(uuid4()), **headers})

    return _post


@pytest.fixture()
def post(client: FlaskClient) -> Post:
    return poster(client)


@pytest.fixture(scope="session")
def hr_token(ledger_app: LedgerApplication) -> str:
    return issue_token(ledger_app, "hr")


@pytest.fixture()
def hr_post(flask_app: Flask, hr_token: str) -> Post:
    """POST as an HR person: a second principal, e.g. for four-eyes approvals."""
    return poster(authenticated(flask_app, hr_token))


@pytest.fixture()
def make(post: Post) -> Any:
    """Factories that create resources through the API and return their JSON."""

    class Make:
        def team(self, **body: Any) -> dict[str, Any]:
            response = post("/api/v1/teams", {"name": f"team-{uuid4().hex[:6]}", **body})
            assert response.status_code == 201, response.json
            return response.json

        def rep(self, team_id: str | None = None, **body: Any) -> dict[str, Any]:
            team_id = team_id or self.team()["id"]
            response = post("/api/v1/reps", {"name": "Rep", "team_id": team_id, "hired_on": "2025-03-01", **body})
            assert response.status_code == 201, response.json
            return response.json

        def departed_rep(self, **body: Any) -> dict[str, Any]:
            rep = self.rep(**body)
            response = post(f"/api/v1/reps/{rep['id']}/leave", {"left_on": "2026-01-31"})
            assert response.status_code == 200, response.json
            return response.json

        def customer(self, **body: Any) -> dict[str, Any]:
            response = post("/api/v1/customers", {"name": f"cust-{uuid4().hex[:6]}", **body})
            assert response.status_code == 201, response.json
            return response.json

    return Make()


@contextmanager
def fresh_store(settings: Settings, directory: Path) -> Iterator[Settings]:
    """Settings for a brand-new, empty store on the same engine: a new SQLite file or PostgreSQL database."""
    if not settings.database_url:
        yield replace(settings, db_path=str(directory / f"fresh-{uuid4().hex[:8]}.sqlite"))
        return
    import psycopg

    name = f"ledger_fresh_{uuid4().hex[:12]}"
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urlsplit(settings.database_url)
    try:
        yield replace(settings, database_url=urlunsplit(url._replace(path=f"/{name}")))
    finally:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
