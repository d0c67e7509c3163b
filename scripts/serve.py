"""The production WSGI entry: waitress serving the Flask app, which builds the ledger on first request."""

from __future__ import annotations

import logging
import sys

from flask import Flask

from api import create_app
from ledger.settings import Settings

MIN_SERVER_BODY_BYTES = 8 * 1_048_576


def wsgi_app() -> Flask:
    """Factory for other WSGI servers (e.g. `gunicorn 'scripts.serve:wsgi_app()'`); reads the environment."""
    return create_app(Settings.from_env().check())


def serve(settings: Settings, *, host: str, port: int, threads: int) -> None:
    """Serve until interrupted. The event store is opened lazily, by the first request."""
    from waitress import serve as waitress_serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.backend == "postgresql" and threads > settings.pool_size + settings.max_overflow:
        print(f"warning: {threads} threads share {settings.pool_size + settings.max_overflow} database "
              "connections; raise LEDGER_DB_POOL_SIZE or LEDGER_DB_MAX_OVERFLOW", file=sys.stderr)
    app = create_app(settings)
    print(f"ledger: serving http://{host}:{port}/ (openapi: /api/v1/openapi.json, store: {settings.backend})",
          flush=True)
    # Waitress buffers whole bodies before the app sees them: cap them well above the app's own
    # limit, so that moderately oversized bodies still get the app's problem+json 413.
    body_cap = max(4 * settings.max_body_bytes, MIN_SERVER_BODY_BYTES)
    waitress_serve(app, host=host, port=port, threads=threads, max_request_body_size=body_cap,
                   ident="ledger")
