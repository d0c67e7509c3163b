"""The web console under /console: server-rendered pages over the same rules and queries as the API."""

from __future__ import annotations

from flask import Flask

from api.console import session, views_analytics, views_audit, views_auth, views_people, views_perf
from api.console.blueprint import bp
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
