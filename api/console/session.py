"""Console sign-in: a token exchanged once for a signed session cookie, and the CSRF token bound to it.

The cookie holds the token's id (never its secret); every request reloads the token, so revoking it or
its expiry ends the session at once. The signing secret is derived from the master key, so there is no
default secret in code and every worker of one deployment agrees on it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from datetime import datetime, timedelta, timezone
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from flask import Flask, Request, abort, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from api.auth import Principal
from api.ext import LedgerExtension, ledger
from ledger.keystore import master_key
from ledger.token import ApiToken

CSRF_FIELD = "csrf_token"
SESSION_HOURS = 8
_lock = threading.Lock()


def configure(app: Flask, secure: bool) -> None:
    """Cookie flags for the console's session: HttpOnly, SameSite=Strict, scoped to /console, Secure if asked."""
    app.config.update(SESSION_COOKIE_NAME="ledger_console", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_SECURE=secure,
                      SESSION_COOKIE_PATH="/console", PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS))
    app.session_interface = ConsoleSessionInterface()


class ConsoleSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions for /console only (the API keeps none), keyed from the master key on first use."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.path.startswith("/console"):
            return None  # Flask substitutes a null session: nothing under /api can set a cookie
        ensure_secret(app)
        return super().open_session(app, request)


def ensure_secret(app: Flask) -> None:
    """Derive the session-signing secret from the master key on first use (after any fork, like the ledger)."""
    if app.secret_key:
        return
    with _lock:
        if not app.secret_key:
            ext: LedgerExtension = app.extensions["ledger"]
            key = master_key(ext.settings)
            app.secret_key = hmac.new(key, b"ledger-console-session-v1", hashlib.sha256).hexdigest()


def csrf_token() -> str:
    """The session's CSRF token, created on first use; every console form carries it."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def check_csrf() -> None:
    """Refuse (400) any state-changing request whose form token does not match the session's."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected, sent = session.get(CSRF_FIELD), request.form.get(CSRF_FIELD, "")
    if not isinstance(expected, str) or not hmac.compare_digest(expected, sent):
        abort(400, description="missing or wrong CSRF token")


def sign_in(secret: str) -> ApiToken | None:
    """Check the secret like the API does; on success start a fresh session (no fixation)."""
    token = ledger().authenticate(secret.strip()) if 0 < len(secret.strip()) <= 200 else None
    if token is None or token.role == "integration":
        return token
    session.clear()
    session.permanent = True
    session["token_id"] = str(token.id)
    csrf_token()
    return token


def sign_out() -> None:
    session.clear()


def load_principal() -> Principal | None:
    """The signed-in principal (also set as g.principal, as the API's guard does), or None."""
    token_id = session.get("token_id")
    if not isinstance(token_id, str):
        return None
    try:
        token: object = ledger().repository.get(UUID(token_id))
    except (AggregateNotFoundError, ValueError):
        return None
    if not isinstance(token, ApiToken) or not token.is_usable(datetime.now(timezone.utc)) or token.role == "integration":
        session.pop("token_id", None)
        return None
    g.principal = Principal(token.id, token.name, token.role, frozenset(token.team_ids), token.rep_id)
    return g.principal
