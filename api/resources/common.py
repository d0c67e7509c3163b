"""Pieces every resource blueprint uses: the current-state and history views of a stream."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from marshmallow import Schema

from api.ext import ledger
from api.parser import Blueprint
from api.schemas.common import HistorySchema
from ledger.base import LedgerAggregate
from projections.feed import history_records


def add_read_routes(blp: Blueprint, collection: str, cls: type[LedgerAggregate], schema: type[Schema]) -> None:
    """GET /<collection>/<id> (current state) and /<collection>/<id>/history (every event)."""
    kind = cls.KIND

    def get_one(id: UUID) -> Any:
        return ledger().current(cls, id)

    def get_history(id: UUID) -> Any:
        return {"id": id, "events": history_records(ledger().history(cls, id))}

    get_one.__doc__ = f"Current state of one {kind}, folded from its events."
    get_history.__doc__ = f"Every event of one {kind}'s stream, in order, as recorded."
    blp.route(f"/{collection}/<uuid:id>", endpoint=f"{kind}_get", methods=["GET"])(
        blp.response(200, schema)(get_one))
    blp.route(f"/{collection}/<uuid:id>/history", endpoint=f"{kind}_history", methods=["GET"])(
        blp.response(200, HistorySchema)(get_history))
