"""The console blueprint: its request hooks (secret, sign-in, CSRF, language, as_of) and HTML error pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from api.console import i18n, pages, session
from api.console.access import role_may
from ledger.errors import LedgerError

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates", static_folder="static")

PUBLIC = frozenset({"console.sign_in", "console.static"})

# Menu: (page endpoint, label key, the API endpoint whose rule governs the page).
MENU = (
    ("console.leaderboard", "nav.leaderboard", "reads.leaderboard"),
    ("console.scorecard", "nav.scorecard", "reads.rep_scorecard"),
    ("console.pool", "nav.pool", "reads.pool_customers"),
    ("console.notifications", "nav.notifications", "notifications.notifications"),
    ("console.contracts", "nav.contracts", "contracts.rep_contract_on"),
    ("console.payouts", "nav.payouts", "payouts.statement"),
    ("console.evidence", "nav.evidence", "evidence.evidence"),
    ("console.events", "nav.events", "events.feed"),
    ("console.integrity", "nav.integrity", "integrity.verify"),
    ("console.analytics", "nav.analytics", "analytics.indicators"),
)


@bp.before_request
def before() -> Any:
    """Language and as_of for every page; a signed-in principal and a valid CSRF token for the rest."""
    g.lang = i18n.pick_language()
    g.as_of = (request.args.get("as_of") or "").strip() or None
    session.check_csrf()
    if request.endpoint in PUBLIC:
        return None
    if session.load_principal() is None:
        return redirect(url_for("console.sign_in", next=request.full_path if request.method == "GET" else None))
    if g.as_of:
        pages.moment()  # resolved (and checked: a bad value is a 422 page) before the page reads anything
    return None


@bp.after_request
def after(response: Response) -> Response:
    """Pages are personal: never cached (the console's CSP is set with the other headers, api/security.py)."""
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"
    chosen = request.args.get("lang")
    if chosen in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, chosen, max_age=365 * 86400, path="/console", samesite="Strict",
                            httponly=True, secure=bool(request.is_secure))
    return response


@bp.app_template_global()
def t(key: str) -> str:
    return i18n.translate(key, g.get("lang", "en"))


@bp.app_template_global()
def label(prefix: str, key: str) -> str:
    return i18n.label(prefix, key, g.get("lang", "en"))


@bp.app_template_global()
def link(endpoint: str, **values: Any) -> str:
    """url_for that carries ?as_of= through every link of a page shown as of a moment."""
    if g.get("as_of") and "as_of" not in values:
        values["as_of"] = g.as_of
    return url_for(endpoint, **values)


@bp.app_template_global()
def switch_language() -> str:
    """This page in the other language (the choice is then kept in a cookie)."""
    other = "zh" if g.get("lang") == "en" else "en"
    values: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict(), "lang": other}
    return url_for(request.endpoint or "console.home", **values)


@bp.app_template_global()
def menu() -> list[tuple[str, str]]:
    """The pages this role may open, by the API rules that govern them."""
    if g.get("principal") is None:
        return []
    return [(endpoint, label) for endpoint, label, api_endpoint in MENU if role_may(api_endpoint)]


@bp.app_template_global()
def csrf_token() -> str:
    return session.csrf_token()


def error_page(status: int, detail: str) -> tuple[str, int]:
    key = f"error.{status}" if f"error.{status}" in i18n.CATALOGUE else "error.title"
    return render_template("console/error.html", status=status, message=key, detail=detail), status


@bp.errorhandler(LedgerError)
def ledger_error(error: LedgerError) -> tuple[str, int]:
    """The API's errors as pages: 403 forbidden, 404 out of scope or unknown, 422 bad input."""
    return error_page(error.http_status, error.detail)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[str, int]:
    return error_page(error.code or 500, error.description or "")
