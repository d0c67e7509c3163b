"""The outbox over HTTP: notifications per recipient, and marking one read."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import current_app

from api.ext import LedgerExtension, ledger
from api.idempotency import idempotent
from api.parser import Blueprint
from api.schemas.notifications import NotificationReadIn, NotificationReadOut, NotificationsOut, NotificationsQuery
from ledger.base import Ctx
from ledger.commands.notifications import MarkNotificationRead
from ledger.errors import NotFound
from projections import outbox
from projections.readside import ReadSide

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="Notifications outbox")


def read_side() -> ReadSide:
    ext: LedgerExtension = current_app.extensions["ledger"]
    return ext.queries.read_side


def find_notification(notification_id: UUID) -> dict[str, Any]:
    """The notification as the outbox holds it now; 404 if there is none with that id."""
    found = outbox.find(read_side(), notification_id)
    if found is None:
        raise NotFound(f"no notification with id {notification_id}")
    return found


@blp.route("/notifications", methods=["GET"])
@blp.arguments(NotificationsQuery, location="query")
@blp.response(200, NotificationsOut)
def notifications(query: dict[str, Any]) -> Any:
    """Notifications for a recipient (or all, for staff), oldest first, optionally unread only."""
    side = read_side()
    moment = side.moment()
    rows = side.rows(outbox.NAME, outbox.NOTE, moment, part=query["recipient"])
    return {**outbox.listing(rows, unread=query["unread"], after=query["after"], limit=query["limit"]),
            "position": moment.position}


@blp.route("/notifications/<uuid:notification_id>/read", methods=["POST"])
@blp.arguments(NotificationReadIn)
@blp.response(200, NotificationReadOut)
@idempotent
def mark_read(data: dict[str, Any], notification_id: UUID, ctx: Ctx) -> Any:
    """Mark a notification read; marking it again changes nothing."""
    recipient = find_notification(notification_id)["recipient"]
    return ledger().mark_notification_read(MarkNotificationRead(notification_id, recipient, **data), ctx)
