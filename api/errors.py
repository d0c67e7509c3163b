"""RFC 9457 problem+json: one handler for every error the API can return."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any, Mapping

import psycopg
from eventsourcing.persistence import IntegrityError, PersistenceError
from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from ledger.errors import LedgerError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)

_TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 413: "Request body too large",
    415: "Unsupported media type", 422: "Invalid request", 500: "Internal server error",
    503: "Service unavailable",
}
_CODES = {
    400: "bad-request", 401: "unauthorized", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 409: "conflict", 413: "body-too-large", 415: "unsupported-media-type",
    422: "invalid", 500: "internal-error", 503: "unavailable",
}


def problem(
    status: int, detail: str, *, code: str | None = None, title: str | None = None,
    errors: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
) -> Response:
    """Build a problem+json response; `errors` maps each offending field to its reasons."""
    code = code or _CODES.get(status, "error")
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.path,
        "code": code,
    }
    if errors:
        body["errors"] = dict(errors)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _field_errors(data: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten webargs' {location: {field: [...]}} into {field: [...]} (query fields prefixed)."""
    messages = data.get("errors") or data.get("messages") or {}
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, Mapping):
            for name, reasons in fields.items():
                flat[name if location == "json" else f"{location}.{name}"] = reasons
        else:
            flat[location] = fields
    return flat


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = _field_errors(data)
    if status == 422 and errors:
        detail = "the request does not match the schema: " + ", ".join(sorted(errors))
    elif status == 400 and errors:
        detail = "; ".join(f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in errors.items())
    else:
        detail = data.get("message") or error.description or _TITLES.get(status, "Error")
    headers = dict(data.get("headers") or {})
    # RFC 9110: a 405 names the methods the resource does allow.
    headers.update((name, value) for name, value in error.get_headers() if name == "Allow")
    return problem(status, detail, errors=errors, headers=headers)


def handle_ledger_error(error: LedgerError) -> Response:
    headers = {"Retry-After": "2"} if error.http_status == 503 else None
    return problem(error.http_status, error.detail, code=error.code, title=error.title,
                   errors=error.errors, headers=headers)


def handle_persistence_error(error: PersistenceError) -> Response:
    if isinstance(error, IntegrityError):
        return problem(409, "the ledger refused a conflicting write; reload and retry", code="concurrent-update")
    log.warning("event store unavailable: %s", error)
    return problem(503, "the event store is unavailable; retry shortly", headers={"Retry-After": "2"})


def handle_database_error(error: Exception) -> Response:
    """The read side's own connections: a database that is down, restarting or locked is a 503 too."""
    if isinstance(error, sqlite3.OperationalError) and not any(
            word in str(error) for word in ("locked", "busy", "unable to open")):
        return handle_unexpected(error)  # e.g. a missing table: a bug, not an outage
    log.warning("database unavailable: %s", error)
    return problem(503, "the database is unavailable; retry shortly", headers={"Retry-After": "2"})


def handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "an unexpected error occurred; it has been logged")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(LedgerError, handle_ledger_error)
    app.register_error_handler(PersistenceError, handle_persistence_error)
    app.register_error_handler(psycopg.OperationalError, handle_database_error)
    app.register_error_handler(sqlite3.OperationalError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)
