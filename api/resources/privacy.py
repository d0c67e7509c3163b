"""Data subjects: legal holds, and erasure of a person's personal data by destroying its key."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from api.ext import ledger
from api.idempotency import idempotent
from api.parser import Blueprint
from api.schemas.common import HistorySchema
from api.schemas.privacy import DataSubjectOut, Erasure, LegalHoldPlace, LegalHoldRelease
from ledger.base import Ctx
from ledger.commands.privacy import EraseDataSubject, PlaceLegalHold, ReleaseLegalHold
from projections.feed import history_records

blp = Blueprint("privacy", __name__, url_prefix="/api/v1", description="Data subjects: legal holds and erasure")


@blp.route("/data-subjects/<uuid:subject_id>/legal-holds", methods=["POST"])
@blp.arguments(LegalHoldPlace)
@blp.response(201, DataSubjectOut)
@idempotent
def place_hold(data: dict[str, Any], subject_id: UUID, ctx: Ctx) -> Any:
    """Place a legal hold on a rep or customer (e.g. during a dispute): erasure is refused until it is released."""
    return ledger().place_legal_hold(PlaceLegalHold(subject_id=subject_id, **data), ctx)


@blp.route("/data-subjects/<uuid:subject_id>/legal-holds/release", methods=["POST"])
@blp.arguments(LegalHoldRelease)
@blp.response(200, DataSubjectOut)
@idempotent
def release_hold(data: dict[str, Any], subject_id: UUID, ctx: Ctx) -> Any:
    """Release the legal hold in force."""
    return ledger().release_legal_hold(ReleaseLegalHold(subject_id=subject_id, **data), ctx)


@blp.route("/data-subjects/<uuid:subject_id>/erase", methods=["POST"])
@blp.arguments(Erasure)
@blp.response(200, DataSubjectOut)
@idempotent
def erase(data: dict[str, Any], subject_id: UUID, ctx: Ctx) -> Any:
    """Erase a person's personal data by destroying its key: it reads "[erased]" everywhere, no event changes."""
    return ledger().erase_data_subject(EraseDataSubject(subject_id=subject_id, **data), ctx)


@blp.route("/data-subjects/<uuid:id>", endpoint="data-subject_get", methods=["GET"])
@blp.response(200, DataSubjectOut)
def get_one(id: UUID) -> Any:
    """Legal holds and erasure of one rep or customer, and the state of its key."""
    return ledger().data_subject(id)


@blp.route("/data-subjects/<uuid:id>/history", endpoint="data-subject_history", methods=["GET"])
@blp.response(200, HistorySchema)
def get_history(id: UUID) -> Any:
    """Every event of one data subject's privacy record, in order, as recorded."""
    return {"id": id, "events": history_records(ledger().data_subject_history(id))}
