"""Field types and base schemas shared by every resource."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ledger.money import CURRENCIES, MINOR_UNITS
from ledger.personal import ERASED, Personal

EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
CLOCK_SKEW = timedelta(minutes=5)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _not_in_future(value: datetime) -> None:
    if value < EARLIEST:
        raise ValidationError("must not be before 1990-01-01")
    if value > _now() + CLOCK_SKEW:
        raise ValidationError("a business event cannot occur in the future")


def occurred_at() -> fields.AwareDateTime:
    """Business time of the fact: ISO 8601 with offset, may be back-dated, defaults to now."""
    return fields.AwareDateTime(
        load_default=_now, validate=_not_in_future,
        metadata={"description": "When it happened (business time), ISO 8601 with offset; default now."},
    )


def business_date(*, required: bool = True, **kwargs: Any) -> fields.Date:
    return fields.Date(
        required=required,
        validate=validate.Range(min=date(1950, 1, 1), max=date(2100, 12, 31), error="must be between 1950-01-01 and 2100-12-31"),
        **kwargs,
    )


def text(*, required: bool = True, max_length: int = 200, **kwargs: Any) -> fields.String:
    return fields.String(required=required, validate=validate.Length(min=1 if required else 0, max=max_length), **kwargs)


def amount(*, positive: bool = True, **kwargs: Any) -> fields.Decimal:
    """Money amounts travel as decimal strings; JSON numbers are accepted but kept exact."""
    rule = validate.Range(min=Decimal(0), min_inclusive=not positive, error="must be greater than 0" if positive else "must not be negative")
    return fields.Decimal(as_string=True, allow_nan=False, validate=rule,
                          metadata={"type": "string", "format": "decimal", "example": "1999.00"}, **kwargs)


def currency(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(sorted(CURRENCIES), error="not an ISO 4217 currency code"),
                         metadata={"example": "CNY"}, **kwargs)


def check_minor_units(data: dict[str, Any], amount_key: str = "amount", currency_key: str = "currency") -> None:
    value, code = data.get(amount_key), data.get(currency_key)
    if isinstance(value, Decimal) and code in MINOR_UNITS:
        if abs(value) >= Decimal("1e13"):  # first: quantizing a huge value raises InvalidOperation (was a 500)
            raise ValidationError("amount is too large", amount_key)
        if value != value.quantize(Decimal(1).scaleb(-MINOR_UNITS[code])):
            raise ValidationError(f"{code} allows {MINOR_UNITS[code]} decimal places", amount_key)


def personal_text(*, max_length: int = 200, **kwargs: Any) -> fields.String:
    """Input of a personal field: stored encrypted under its subject's key; "[erased]" is reserved."""
    return fields.String(validate=[validate.Length(min=1, max=max_length), validate.NoneOf([ERASED], error="reserved value")],
                         metadata={"description": "personal data, encrypted at rest"}, **kwargs)


class Shown(fields.Field):
    """A personal value as readers see it: the value (formatted by `inner`), or "[erased]" once its subject is erased."""

    def __init__(self, inner: fields.Field | None = None, **kwargs: Any) -> None:
        self.inner = inner or fields.String()
        metadata = {"type": "string", "description": f'personal data; "{ERASED}" once the person is erased',
                    **kwargs.pop("metadata", {})}
        super().__init__(dump_only=True, metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, Personal):
            if value.erased:
                return ERASED
            value = value.value
        return None if value is None else self.inner._serialize(value, attr, obj, **kwargs)


class MoneySchema(Schema):
    amount = amount(required=True)
    currency = currency(required=True)

    @validates_schema
    def _exact(self, data: dict[str, Any], **_: Any) -> None:
        check_minor_units(data)


class ResourceSchema(Schema):
    """Every resource shows its id, stream version and when it was first and last recorded."""

    id = fields.UUID()
    version = fields.Integer()
    created_on = fields.AwareDateTime()
    modified_on = fields.AwareDateTime()


class EventSchema(Schema):
    """One event as recorded: position (in the feed), stream, version, type, both clocks, payload."""

    position = fields.Integer(allow_none=True)
    stream_id = fields.UUID()
    version = fields.Integer()
    type = fields.String()
    recorded_at = fields.AwareDateTime()
    occurred_at = fields.AwareDateTime(allow_none=True)
    actor = fields.String(allow_none=True)
    idempotency_key = fields.String(allow_none=True)
    payload = fields.Dict()


class HistorySchema(Schema):
    id = fields.UUID()
    events = fields.List(fields.Nested(EventSchema))


class FeedQuerySchema(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class FeedSchema(Schema):
    events = fields.List(fields.Nested(EventSchema))
    next_after = fields.Integer(metadata={"description": "pass as `after` to read on"})
    head = fields.Integer(metadata={"description": "position of the newest event"})


class ProblemSchema(Schema):
    """RFC 9457 problem details, as every error response carries them (application/problem+json)."""

    type = fields.String(metadata={"example": "/problems/customer-owned"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    code = fields.String(metadata={"description": "stable machine-readable reason"})
    errors = fields.Dict(keys=fields.String(), values=fields.Raw(),
                         metadata={"description": "offending field -> list of reasons"})
