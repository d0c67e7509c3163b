"""Request guards: authentication and authorization, audit of sensitive reads, rate limits, headers."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timezone
from uuid import uuid4

from flask import Flask, Response, g, request
from flask_limiter import Limiter

from api import ratelimit_storage
from api.auth import PUBLIC_ENDPOINTS, authenticate
from api.errors import problem
from api.ext import ledger
from api.policy import authorize
from ledger.base import Ctx
from ledger.commands.access import RecordSensitiveRead
from ledger.settings import Settings

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}


CONSOLE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
               "base-uri 'none'; frame-ancestors 'none'")


def guard() -> None:
    """Every API request but the public ones: who is it (401), and may they do this (403/404)?"""
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS or not request.path.startswith("/api/"):
        return
    g.principal = authenticate()
    g.rule = authorize(g.principal)


def audit_sensitive_read(response: Response) -> Response:
    """Record who read evidence, contracts, payouts or the feed; no record, no data."""
    rule, principal = g.get("rule"), g.get("principal")
    if rule is None or not rule.sensitive or response.status_code != 200 or principal.role == "integration":
        return response
    subjects = g.get("subjects")
    command = RecordSensitiveRead(
        reader=principal.actor, role=principal.role, resource=request.full_path.rstrip("?"),
        subject_ids=sorted(subjects.reps) if subjects else [], remote_addr=request.remote_addr or "",
        user_agent=request.headers.get("User-Agent", ""), occurred_at=datetime.now(timezone.utc))
    try:
        ledger().record_sensitive_read(command, Ctx(principal.actor, f"read-{uuid4()}"))
    except Exception:
        log.exception("could not record a sensitive read; withholding the data")
        return problem(503, "the read could not be recorded in the access log; retry shortly",
                       headers={"Retry-After": "2"})
    return response


def secure_headers(response: Response) -> Response:
    if request.path.startswith("/console"):
        response.headers.setdefault("Content-Security-Policy", CONSOLE_CSP)  # its pages load the app's own JS and CSS
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _client_key() -> str:
    """Rate limits are per token (a hash of it, computed without touching the store), else per address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "token:" + hashlib.sha256(header.encode()).hexdigest()[:32]
    return "addr:" + (request.remote_addr or "unknown")


def init_app(app: Flask, settings: Settings) -> None:
    app.config.update(RATELIMIT_HEADERS_ENABLED=True, RATELIMIT_STORAGE_URI=ratelimit_storage.URI)
    Limiter(_client_key, app=app, default_limits=[settings.rate_limit],
            default_limits_exempt_when=lambda: request.endpoint in PUBLIC_ENDPOINTS)
    app.before_request(guard)
    app.after_request(audit_sensitive_read)
    app.after_request(secure_headers)
