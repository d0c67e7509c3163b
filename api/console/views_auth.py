"""Signing in and out, and the home page listing what the role may open."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from api.console import session
from api.console.access import principal
from api.console.blueprint import bp


def _next_page() -> str:
    """Where to go after signing in: a console page only (never another site)."""
    target = request.args.get("next") or ""
    return target if target.startswith("/console/") and not target.startswith("//") else url_for("console.home")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    """The sign-in form; a good token starts a session, a bad one shows the form again with the reason."""
    if request.method == "GET":
        return render_template("console/signin.html", error=None)
    token = session.sign_in(request.form.get("token", ""))
    if token is None or token.role == "integration":
        error = "signin.machine" if token is not None else "signin.wrong"
        return render_template("console/signin.html", error=error), 401
    return redirect(_next_page())


@bp.post("/sign-out")
def sign_out() -> Any:
    """End the session (a POST with the CSRF token, so no other site can sign anyone out)."""
    session.sign_out()
    return redirect(url_for("console.sign_in"))


@bp.get("/")
def home() -> Any:
    """Who is signed in and the pages the role may open."""
    return render_template("console/home.html", who=principal())
