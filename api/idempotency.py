"""Idempotency-Key handling for every write: replay, mismatch (422) and in-flight (409)."""

from __future__ import annotations

import hashlib
import threading
from contextlib import contextmanager
from copy import deepcopy
from functools import wraps
from typing import Any, Callable, Iterable, Iterator
from uuid import UUID

from flask import abort, json, request

from api.auth import current_principal
from api.ext import ledger
from api.parser import loads_exact
from ledger.base import Ctx
from ledger.errors import IdempotencyKeyInUse
from ledger.request import request_id

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
HEADER_DOC = {
    "in": "header", "name": HEADER, "required": True,
    "description": "Unique per logical request (≤255 chars). A retry with the same key and body "
                   "returns the first response; with a different body 422; while in flight 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
}

_in_flight: set[str] = set()
_in_flight_lock = threading.Lock()


def fingerprint() -> str:
    """Hash of method, path and canonical JSON body: key reuse with another request is detectable."""
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(loads_exact(raw), sort_keys=True, separators=(",", ":"), default=str) if raw else ""
    except ValueError:
        body = raw.decode("utf-8", "replace")
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()




def request_ctx() -> Ctx:
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        abort(400, description=f"the {HEADER} header is required on every write")
    if len(key) > MAX_KEY_LENGTH:
        abort(400, description=f"the {HEADER} header is longer than {MAX_KEY_LENGTH} characters")
    principal = current_principal()
    return Ctx(actor=principal.actor, idempotency_key=key, fingerprint=fingerprint(), key_scope=str(principal.token_id))


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def _claim_key(key: str) -> Iterator[None]:
    with _in_flight_lock:
        if key in _in_flight:
            raise IdempotencyKeyInUse("a request with this Idempotency-Key is still in progress",
                                      errors={HEADER: ["in flight"]})
        _in_flight.add(key)
    try:
        yield
    finally:
        with _in_flight_lock:
            _in_flight.discard(key)


Streams = Callable[..., Iterable[UUID]]


def idempotent(view: Callable[..., Any] | None = None, *, reads: Streams | None = None) -> Any:
    """Wrap a write view: it receives `ctx`; a replayed key returns the first result unchanged.

    `reads(*args, **kwargs)` (the view's own arguments) names the streams the command will load: they are
    read with the key's record in one round trip (`LedgerApplication.prefetched`), as hot paths want."""
    if view is None:
        return lambda inner: idempotent(inner, reads=reads)

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = request_ctx()
        with _claim_key(ctx.request_key):
            app = ledger()
            streams = [request_id(ctx.request_key), *(reads(*args, **kwargs) if reads else ())]
            with app.prefetched(*streams) if reads else _nothing():
                earlier = app.replay(ctx)
                if earlier is not None:
                    return earlier
                return view(*args, ctx=ctx, **kwargs)

    wrapper._apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))  # type: ignore[attr-defined]
    manual = wrapper._apidoc.setdefault("manual_doc", {})  # type: ignore[attr-defined]
    manual.setdefault("parameters", []).append(HEADER_DOC)
    return wrapper
