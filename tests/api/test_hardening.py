"""Hardening: rate limits per token, security headers, no secrets in responses, production refuses defaults."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from typing import Any

import pytest

from api import create_app
from ledger.errors import Invalid
from ledger.settings import Settings
from tests.conftest import authenticated, issue_token


def test_requests_beyond_the_rate_limit_get_429_with_retry_after(settings: Settings, ledger_app: Any) -> None:
    app = create_app(replace(settings, rate_limit="3 per minute"), ledger_app)
    one, other = (authenticated(app, issue_token(ledger_app, "auditor")) for _ in range(2))
    statuses = [one.get("/api/v1/events?limit=1").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = one.get("/api/v1/events?limit=1")
    assert limited.mimetype == "application/problem+json" and limited.json["status"] == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert other.get("/api/v1/events?limit=1").status_code == 200  # limits are per token
    assert app.test_client().get("/healthz").status_code == 200  # health checks are never limited


def test_responses_carry_security_headers(client: Any) -> None:
    for response in (client.get("/api/v1/events?limit=1"), client.get("/api/v1/nowhere"), client.get("/healthz")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert client.get("/api/v1/events?limit=1").headers["Cache-Control"] == "no-store"


def test_errors_never_show_sql_or_stack_traces(client: Any, post: Any) -> None:
    bodies = [post("/api/v1/customers/not-a-uuid/claim", {}).get_data(as_text=True),
              post("/api/v1/reps", {"team_id": "'; DROP TABLE ledger_events; --"}).get_data(as_text=True),
              client.get("/api/v1/events?after=1e999").get_data(as_text=True)]
    for body in bodies:
        assert "Traceback" not in body and "SELECT" not in body and "sqlite" not in body.lower()


def test_production_refuses_to_start_without_a_master_key() -> None:
    with pytest.raises(Invalid):
        Settings(environment="production").check()
    assert Settings(environment="production", master_key="k" * 43 + "=").check().production


def test_cli_refuses_production_without_master_key(tmp_path: Any) -> None:
    env = {"LEDGER_ENV": "production", "LEDGER_DB": str(tmp_path / "x.sqlite"), "PATH": ""}
    result = subprocess.run([sys.executable, "-m", "scripts.cli", "serve", "--port", "1"], env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0 and "LEDGER_MASTER_KEY" in result.stderr and "Traceback" not in result.stderr
