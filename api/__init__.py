"""Flask adapter: app factory, blueprints, schemas, problem+json errors."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request
from flask_smorest import Api

from api import console, errors, openapi, security
from api.errors import problem
from api.ext import LedgerExtension
from api.resources import (
    access,
    analytics,
    contracts,
    customers,
    events,
    evidence,
    imports,
    integrity,
    notifications,
    org,
    payouts,
    performance,
    privacy,
    protection,
    reads,
    rules,
    sales,
)
from api.schemas.common import ProblemSchema
from ledger.application import LedgerApplication
from ledger.settings import Settings

BLUEPRINTS = (
    org.blp, customers.blp, sales.blp, performance.blp, contracts.blp, rules.blp, payouts.blp, events.blp, access.blp,
    privacy.blp, reads.blp, notifications.blp,
    protection.blp, evidence.blp, integrity.blp,
    imports.blp,
    analytics.blp,
)
JSON_TYPES = ("application/json", "application/problem+json")
FILE_ENDPOINTS = {"imports.Imports"}  # their body is a file (CSV, JSON Lines): the view checks its type


class LedgerApi(Api):
    """flask-smorest Api whose errors are RFC 9457 problem documents."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        errors.init_app(self._app)

    def _register_responses(self) -> None:
        openapi.fix_document(self)  # errors documented as problem+json; decimals as strings


def _require_json() -> Response | None:
    """Writes with a body must say it is JSON (415 otherwise)."""
    if request.blueprint == "console":
        return None  # the console's HTML forms post form data (CSRF-checked by the console itself)
    if request.method in ("POST", "PUT", "PATCH") and request.content_length and request.endpoint not in FILE_ENDPOINTS:
        mimetype = request.mimetype or ""
        if mimetype not in JSON_TYPES and not mimetype.endswith("+json"):
            return problem(415, f"request bodies must be application/json, not {mimetype or 'untyped'}")
    return None


def create_app(settings: Settings | None = None, application: LedgerApplication | None = None) -> Flask:
    """Build the web app; the ledger itself is built lazily on first request (after any fork)."""
    settings = settings or Settings()
    app = Flask("ledger")
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_TITLE="Sales Performance Ledger",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # names are often Chinese: keep them readable
    LedgerExtension(settings, application).init_app(app)
    api = LedgerApi(app, spec_kwargs={"info": {"description": "Immutable ledger of a sales team's facts."}})
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    security.init_app(app, settings)
    console.init_app(app, settings)  # a plain blueprint: HTML pages, not in the OpenAPI document
    app.before_request(_require_json)

    @app.get("/healthz")
    def healthz() -> Any:
        """Liveness: the process answers; `store` says whether the event store does too."""
        ext: LedgerExtension = app.extensions["ledger"]
        try:
            head = ext.application.head()
        except Exception as error:  # the store being down is exactly what this reports
            return jsonify(status="degraded", store="unavailable", detail=str(error)[:200]), 503, {"Retry-After": "2"}
        return jsonify(status="ok", store=settings.backend, head=head)

    return app
