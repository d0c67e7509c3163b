"""Webhook delivery of the outbox: signed JSON POSTs, retried with exponential backoff, marked delivered once."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any
from uuid import UUID

from jobs.base import Job, JobContext
from ledger.commands.notifications import RecordDelivery, RecordFailedAttempt
from ledger.errors import LedgerError
from ledger.notification import webhook_label
from projections import outbox

NAME = "deliver-notifications"
TIMEOUT_S = 5
PER_RUN = 200  # POSTs per webhook per run; the rest wait for the next minute
SIGNATURE, NOTIFICATION, ATTEMPT = "X-Ledger-Signature", "X-Ledger-Notification", "X-Ledger-Attempt"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not a delivery: it counts as a failed attempt (and the body is never re-sent elsewhere)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def encode(note: dict[str, Any]) -> bytes:
    """The exact bytes POSTed (and signed): canonical JSON of the notification, UTF-8."""
    return json.dumps(outbox.message(note), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(body: bytes, secret: str) -> str:
    """`sha256=<hex HMAC-SHA256 of the body>`, as in the X-Ledger-Signature header."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the HTTP status; 0 when no HTTP answer came (refused, timed out, bad URL)."""
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with _OPENER.open(request, timeout=TIMEOUT_S) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return int(error.code)
    except (urllib.error.URLError, OSError, ValueError):
        return 0


def _waiting(note: dict[str, Any], label: str, at: datetime) -> bool:
    """Delivered already, or backing off (as the read model knows; the job re-checks the ledger)."""
    known = note["deliveries"].get(label)
    if not known:
        return False
    return bool(known["delivered"] or (known["retry_at"] and datetime.fromisoformat(known["retry_at"]) > at))


def _attempt(context: JobContext, url: str, label: str, note: dict[str, Any], secret: str) -> int | None:
    """One delivery attempt, recorded; None if the ledger says it is not due (delivered or backing off)."""
    app, at, nid = context.app, context.at, UUID(note["id"])
    state = app.notification_delivery(nid, label)
    if state is not None and not state.due(at):
        return None
    attempt = (state.failures if state else 0) + 1
    body = encode(note)
    status = post(url, body, {SIGNATURE: signature(body, secret), NOTIFICATION: note["id"], ATTEMPT: str(attempt)})
    try:
        if 200 <= status < 300:
            context.record(app.record_delivery, RecordDelivery(notification_id=nid, webhook=label, occurred_at=at),
                           context.ctx(NAME, nid, label, "delivered"))
        else:
            context.record(app.record_failed_attempt, RecordFailedAttempt(
                notification_id=nid, webhook=label, status=status, occurred_at=at), context.ctx(NAME, nid, label, attempt))
    except LedgerError as error:  # recorded by another process meanwhile, or the store is busy: next run
        context.notes.append(f"{note['id']} to {label}: {error.detail}")
    return status


def deliver_notifications(context: JobContext) -> None:
    """POST each undelivered notification to each configured webhook whose backoff has passed."""
    urls, secret = context.settings.webhooks(), context.settings.webhook_secret
    if not urls:
        return
    if not secret:
        context.notes.append("LEDGER_WEBHOOK_SECRET is not set: nothing is delivered unsigned")
        return
    read_side = context.queries.read_side
    notes = sorted((state for _, _, state in read_side.rows(outbox.NAME, outbox.NOTE, read_side.moment())),
                   key=lambda n: (n["source"]["position"], n["recipient"]))
    for url in urls:
        label, sent = webhook_label(url), 0
        for note in notes:
            if _waiting(note, label, context.at):
                continue
            if sent >= PER_RUN:
                context.notes.append(f"{label}: more notifications wait for the next run")
                break
            status = _attempt(context, url, label, note, secret)
            sent += status is not None
            if status == 0:
                context.notes.append(f"{label}: no answer; its other notifications wait for the next run")
                break


JOBS = [Job(NAME, "POST undelivered notifications to LEDGER_WEBHOOK_URLS (HMAC-signed), retrying with backoff",
            "* * * * *", deliver_notifications)]
