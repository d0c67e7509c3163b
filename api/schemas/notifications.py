"""Schemas of the outbox: the notifications listing, read receipts."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas.common import ResourceSchema, occurred_at

RECIPIENT = {"description": '"rep:<rep_id>", "manager:<team_id>" (that team\'s manager) or "hr"',
             "example": "hr"}


class NotificationsQuery(Schema):
    recipient = fields.String(load_default=None, validate=validate.Regexp(
        r"^(hr|rep:[0-9a-fA-F-]{36}|manager:[0-9a-fA-F-]{36})$", error="rep:<id>, manager:<team id> or hr"),
        metadata=RECIPIENT)
    unread = fields.Boolean(load_default=None, metadata={"description": "true: unread only; false: read only"})
    after = fields.Integer(load_default=0, validate=validate.Range(min=0),
                           metadata={"description": "a ledger position: notifications of later events only"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class Source(Schema):
    position = fields.Integer(metadata={"description": "ledger position of the event it tells about"})
    type = fields.String(metadata={"example": "ContractReminder.Sent"})
    stream_id = fields.String()


class Delivery(Schema):
    webhook = fields.String(metadata={"description": "the webhook's host and a hash of its URL (URLs may hold secrets)"})
    delivered = fields.Boolean()
    attempts = fields.Integer()
    last_status = fields.Integer(allow_none=True, metadata={"description": "HTTP status of the last failure; 0: no answer"})
    retry_at = fields.String(allow_none=True)
    delivered_at = fields.String(allow_none=True)


class NotificationOut(Schema):
    id = fields.String()
    recipient = fields.String(metadata=RECIPIENT)
    kind = fields.String(metadata={"example": "contract-expiry"})
    title = fields.String()
    body = fields.String()
    created_at = fields.String(metadata={"description": "when the event it tells about was recorded"})
    occurred_at = fields.String()
    source = fields.Nested(Source)
    data = fields.Dict(metadata={"description": "ids and figures of the event (never personal data)"})
    read = fields.Boolean()
    read_at = fields.String(allow_none=True)
    deliveries = fields.List(fields.Nested(Delivery))


class NotificationsOut(Schema):
    notifications = fields.List(fields.Nested(NotificationOut))
    next_after = fields.Integer(metadata={"description": "pass as `after` to read on"})
    position = fields.Integer(metadata={"description": "the ledger position this answer reflects"})


class NotificationReadIn(Schema):
    occurred_at = occurred_at()


class NotificationReadOut(ResourceSchema):
    notification_id = fields.UUID()
    recipient = fields.String()
    read_at = fields.AwareDateTime()
