"""Request parsing: JSON numbers become Decimal (never float), and the Blueprint that uses it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import flask
import flask_smorest
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request


def loads_exact(data: bytes | str) -> Any:
    """Parse JSON keeping every number exact: money must never pass through float."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return json.loads(text, parse_float=Decimal)


class ExactParser(FlaskParser):
    """webargs' Flask parser with Decimal for JSON floats."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            return core.missing
        try:
            return loads_exact(req.get_data(cache=True))
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError(f"Bytes decoding error : {exc.reason}", doc="", pos=exc.start) from exc


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest Blueprint whose body parsing keeps numbers exact."""

    ARGUMENTS_PARSER = ExactParser()
