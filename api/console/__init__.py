"""The web console under /console: server-rendered pages over the same rules and queries as the API."""

from __future__ import annotations

from flask import Flask, Response, g, request
from werkzeug.exceptions import NotFound

from api import errors
from api.console import i18n, session, views_analytics, views_audit, views_auth, views_people, views_perf
from api.console.blueprint import bp, error_page
from ledger.errors import Invalid
from ledger.settings import Settings

VIEWS = (views_auth, views_perf, views_people, views_audit, views_analytics)  # imported for their routes on `bp`
COOKIE_SECURE = ("auto", "yes", "no")


def init_app(app: Flask, settings: Settings) -> None:
    """Register the console; its session cookie is Secure in production (`auto`) or as configured."""
    choice = settings.console_cookie_secure
    if choice not in COOKIE_SECURE:
        raise Invalid("LEDGER_CONSOLE_COOKIE_SECURE must be auto, yes or no")
    session.configure(app, secure=choice == "yes" or (choice == "auto" and settings.production))
    app.register_blueprint(bp)
    app.register_error_handler(NotFound, _not_found)


def _not_found(error: NotFound) -> Response | tuple[str, int]:
    """An unknown /console/... address gets the console's own 404 page (no route matched, so no console hook
    ran); every other address the API's problem+json."""
    if request.path == "/console" or request.path.startswith("/console/"):
        g.lang = i18n.pick_language()
        return error_page(404, "")
    return errors.handle_http_exception(error)
