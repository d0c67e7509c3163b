"""The dismissal-evidence bundle: a ZIP of a rep's events with proofs, scorecards, contract and readiness."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from flask import Response

from api.auth import current_principal
from api.ext import ledger
from api.parser import Blueprint
from api.resources.reads import queries
from api.schemas.evidence import EvidenceQuery
from ledger.base import Ctx
from projections.evidence.bundle import Bundle

blp = Blueprint("evidence", __name__, url_prefix="/api/v1", description="Evidence bundles for HR and legal")


def reader_ctx() -> Ctx:
    """A read that records facts (a checkpoint if needed, the export itself): a fresh key, never replayed."""
    return Ctx(actor=current_principal().actor, idempotency_key=f"evidence-{uuid4()}")


def download(bundle: Bundle) -> Response:
    return Response(bundle.zip_bytes, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{bundle.filename}"'})


@blp.route("/reps/<uuid:rep_id>/evidence", methods=["GET"])
@blp.arguments(EvidenceQuery, location="query")
@blp.response(200, content_type="application/zip",
              description="events.jsonl, scorecards.json, allocation.json, contract.json, readiness.json, "
                          "summary.pdf and manifest.json (see docs/evidence.md)")
def evidence(query: dict[str, Any], rep_id: UUID) -> Response:
    """A rep's dismissal-evidence bundle (ZIP), proven against a signed checkpoint; the export is recorded."""
    ctx = reader_ctx()
    bundle = queries().evidence.build(rep_id, query["from_"], query["to"], ctx, as_of=query["as_of"])
    ledger().record_evidence_export(bundle.export(ctx.actor), ctx)
    return download(bundle)
