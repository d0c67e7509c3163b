"""Lean loading of import rows: a schema's own fields, validators and hooks, without marshmallow's per-field
machinery (3-5x faster), for the plainly valid bodies that make up almost every row of a history.

A lean loader accepts a body only when every value has the one JSON type its field takes as is (a string for
a UUID, a date or a time, an int, a decimal string...), and then returns what `schema.load` returns: the same
conversion, the field's own validators, the schema's own `@validates_schema` and `@post_load` methods. Anything
else (an error, a null, a list, an unknown key, a value marshmallow would coerce) raises `Doubt`: the row then
goes through `schema.load` itself, so every error message and every unusual-but-valid value stays the schema's.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Mapping
from uuid import UUID

from marshmallow import RAISE, Schema, ValidationError, fields, missing, validate

_PLAIN_DECIMAL = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,30})?")
_UUIDS: dict[str, UUID] = {}  # a history names the same reps and customers over and over


class Doubt(Exception):
    """The lean loader cannot vouch for this body: let the schema load it."""


def uuid_of(text: str) -> UUID:
    """`UUID(text)`, remembered (parsing one costs more than the rest of a row's checks)."""
    found = _UUIDS.get(text)
    if found is None:
        if len(_UUIDS) >= 100_000:  # ~20 MB at most
            _UUIDS.clear()
        found = _UUIDS[text] = UUID(text)
    return found


def _uuid(value: Any) -> UUID:
    if type(value) is not str:
        raise Doubt
    return uuid_of(value)


def _string(value: Any) -> str:
    if type(value) is not str:
        raise Doubt
    return value


def _integer(value: Any) -> int:
    if type(value) is not int:  # not a bool either (its type is bool)
        raise Doubt
    return value


def _decimal(value: Any) -> Decimal:
    if type(value) is str and _PLAIN_DECIMAL.fullmatch(value):  # no NaN, no infinity, no exponent
        return Decimal(value)
    if type(value) is int:
        return Decimal(str(value))
    raise Doubt


def _date(value: Any) -> date:
    if type(value) is not str:
        raise Doubt
    return date.fromisoformat(value)


def _aware(value: Any) -> datetime:
    if type(value) is not str:
        raise Doubt
    parsed = datetime.fromisoformat(value)
    if parsed.utcoffset() is None:
        raise Doubt
    return parsed


def _converter(field: fields.Field) -> Callable[[Any], Any] | None:
    """What the field's `_deserialize` does with a value of its plain JSON type; None: no lean path."""
    if field.data_key is not None or field.attribute is not None:
        return None
    kind = type(field)
    if kind is fields.UUID:
        return _uuid
    if kind is fields.String:
        return _string
    if kind is fields.Integer:
        return _integer
    if kind is fields.Decimal:
        lean_decimal: Any = field
        return _decimal if lean_decimal.places is None and not lean_decimal.allow_nan else None
    iso = getattr(field, "format", None) in (None, "iso", "iso8601")  # `fromisoformat`, as the field parses
    if kind is fields.Date and iso:
        return _date
    if kind is fields.AwareDateTime and iso and field.default_timezone is None:  # type: ignore[attr-defined]
        return _aware
    return None  # lists, nested schemas...: only their defaults are lean


class LeanLoader:
    """`schema.load(body)` for plain bodies; raises Doubt for any other."""

    def __init__(self, schema: Schema, plan: list[tuple[str, fields.Field, Callable[[Any], Any] | None, Any]]) -> None:
        self.schema, self.plan, self.names = schema, plan, frozenset(name for name, *_ in plan)
        hooks = schema._hooks
        self.validators = [getattr(schema, name) for name, *_ in hooks["validates_schema"]]
        self.post_loads = [getattr(schema, name) for name, *_ in hooks["post_load"]]

    @classmethod
    def of(cls, schema: Schema) -> LeanLoader | None:
        """A loader for the schema, or None when it has hooks a lean load could not run as the schema does."""
        hooks = schema._hooks  # marshmallow's registry of the schema's decorated methods (read only)
        if schema.unknown != RAISE or hooks["pre_load"] or hooks["validates"]:
            return None
        for _name, many, options in hooks["validates_schema"] + hooks["post_load"]:
            if many or options.get("pass_original"):
                return None
        plan = []
        for name, field in schema.load_fields.items():
            plan.append((name, field, _converter(field), validate.And(*field.validators)))
        return cls(schema, plan)

    def load(self, body: Mapping[str, Any]) -> Any:
        if not body.keys() <= self.names:
            raise Doubt
        result: dict[str, Any] = {}
        try:
            for name, field, convert, check in self.plan:
                value = body.get(name, missing)
                if value is missing:
                    if field.required:
                        raise Doubt
                    default = field.load_default
                    if default is not missing:
                        result[name] = default() if callable(default) else default
                    continue
                if convert is None:
                    raise Doubt
                result[name] = converted = convert(value)
                check(converted)
            for validator in self.validators:  # as `Schema._run_validator` calls them
                validator(result, partial=self.schema.partial, many=False, unknown=self.schema.unknown)
        except (ValidationError, ValueError):
            raise Doubt from None
        loaded: Any = result
        for post_load in self.post_loads:  # as `Schema._invoke_processors` calls them
            loaded = post_load(loaded, many=False, partial=self.schema.partial, unknown=self.schema.unknown)
        return loaded
