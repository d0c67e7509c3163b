"""Bulk import over HTTP: the body is the file (JSON Lines, CSV or a JSON array of rows), or a multipart `file`."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, request
from flask.views import MethodView

from api.auth import current_principal
from api.ext import LedgerExtension, ledger
from api.parser import Blueprint
from api.schemas.imports import ImportQuery, ImportReportOut, build_command
from ledger.errors import Invalid
from ledger.imports.formats import EXTENSIONS, Source
from ledger.imports.runner import import_source

blp = Blueprint("imports", __name__, url_prefix="/api/v1", description="Bulk import of history (admin)")

BODY_FORMATS = {"application/x-ndjson": "jsonl", "application/jsonl": "jsonl", "application/x-jsonlines": "jsonl",
                "text/csv": "csv", "application/json": "json"}
_FILE = {"type": "string", "format": "binary"}
BODY_DOC = {"required": True, "description": "the file: one row per line, {\"type\": ..., \"data\": {...}} "
            "(see docs/import.md); at most LEDGER_MAX_IMPORT_BYTES", "content": {
                **{mimetype: {"schema": _FILE} for mimetype in ("application/x-ndjson", "text/csv")},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "multipart/form-data": {"schema": {"type": "object", "properties": {"file": _FILE}}}}}


def uploaded(name: str) -> Source:
    """The request's file, read under the import size limit rather than the API's usual body limit."""
    ext: LedgerExtension = current_app.extensions["ledger"]
    request.max_content_length = ext.settings.max_import_bytes
    if request.mimetype == "multipart/form-data":
        part = request.files.get("file")
        if part is None:
            raise Invalid("a multipart import needs a `file` part", errors={"file": ["missing"]})
        filename = part.filename or name
        suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        file_format = EXTENSIONS.get(suffix) or BODY_FORMATS.get(part.mimetype)
        content = part.read()
    else:
        filename, file_format, content = name, BODY_FORMATS.get(request.mimetype), request.get_data(cache=False)
    if file_format is None:
        abort(415, description="send the file as application/x-ndjson, text/csv or application/json, "
                               "or as the `file` part of multipart/form-data (.jsonl, .ndjson, .csv, .json)")
    if not content.strip():
        raise Invalid("the file is empty", errors={"file": ["empty"]})
    return Source.from_bytes(content, filename, file_format)


@blp.route("/imports")
class Imports(MethodView):
    @blp.arguments(ImportQuery, location="query")
    @blp.response(201, ImportReportOut)
    @blp.alt_response(200, schema=ImportReportOut, description="The file was imported before: nothing recorded.")
    @blp.doc(requestBody=BODY_DOC)
    def post(self, query: dict[str, Any]) -> Any:
        """Import a file of history: every row is validated first; a bad row imports nothing (422) unless skip_invalid."""
        report = import_source(ledger(), uploaded(query["name"]), build=build_command, actor=current_principal().actor,
                               skip_invalid=query["skip_invalid"], batch=query["batch"])
        return report, 200 if report.status == "already imported" else 201
