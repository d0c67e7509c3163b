"""OpenAPI document fixes: errors documented as problem+json, decimals as the strings they are sent as."""

from __future__ import annotations

import http
from decimal import Decimal
from typing import Any

from apispec import APISpec, BasePlugin
from flask_smorest.utils import prepare_response
from marshmallow import fields

PROBLEM_JSON = "application/problem+json"


def register_problem_responses(api: Any) -> None:
    """flask-smorest's default error responses, documented with the media type they are sent with."""
    for status in http.HTTPStatus:
        response: dict[str, Any] = {"description": status.phrase}
        if not (100 <= status < 200) and status not in (204, 304):
            response["schema"] = api.ERROR_SCHEMA
        prepare_response(response, api.spec, PROBLEM_JSON if status >= 400 else api.DEFAULT_RESPONSE_CONTENT_TYPE)
        api.spec.components.response(status.name, response, lazy=True)
    response = {"description": "Default error response", "schema": api.ERROR_SCHEMA}
    prepare_response(response, api.spec, PROBLEM_JSON)
    api.spec.components.response(api.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def decimals(self: Any, field: Any, ret: dict[str, Any], **_: Any) -> dict[str, Any]:
    """Decimals travel as strings ("1999.00"): documented as strings, not numbers. A Range of Decimals is
    rendered as strings ("minimum": "0"), which no validator reads: bounds become numbers, and are dropped
    on decimal strings (a string has no minimum in JSON Schema)."""
    if isinstance(field, fields.Decimal) and field.as_string:
        ret["type"] = "string"
        ret.setdefault("format", "decimal")
    for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if bound in ret and (ret.get("type") == "string" or not isinstance(ret[bound], (int, float, bool))):
            value = ret.pop(bound)
            if ret.get("type") != "string" and isinstance(value, (Decimal, str)):
                number = Decimal(value)
                ret[bound] = int(number) if number == number.to_integral_value() else float(number)
    return {}


class OptionalBodies(BasePlugin):
    """A body whose schema requires no field may be left out (the API reads no body as {}): say so."""

    def init_spec(self, spec: APISpec) -> None:
        self.spec = spec

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **_: Any) -> None:
        for operation in (operations or {}).values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if not body or not body.get("required"):
                continue
            for media in body.get("content", {}).values():
                schema = media.get("schema")
                ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
                definition = self.spec.components.schemas.get(ref.rsplit("/", 1)[-1]) if ref else schema
                if isinstance(definition, dict) and definition.get("type") == "object" and not definition.get("required"):
                    body["required"] = False


def fix_document(api: Any) -> None:
    register_problem_responses(api)
    api.ma_plugin.converter.add_attribute_function(decimals)
    plugin = OptionalBodies()
    plugin.init_spec(api.spec)
    api.spec.plugins.append(plugin)  # after the marshmallow plugin: bodies are resolved to references by then
