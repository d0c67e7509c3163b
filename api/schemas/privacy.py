"""Schemas for data subjects: legal holds and erasure."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.schemas.common import ResourceSchema, occurred_at, text


class LegalHoldPlace(Schema):
    reason = text(max_length=2000)
    case_ref = text(max_length=200, metadata={"description": "the dispute or case the hold serves", "example": "LAB-2026-014"})
    occurred_at = occurred_at()


class LegalHoldRelease(Schema):
    reason = text(max_length=2000)
    occurred_at = occurred_at()


class Erasure(Schema):
    reason = text(max_length=2000, metadata={"example": "erasure request of 2026-09-01 (PIPL art. 47)"})
    occurred_at = occurred_at()


class LegalHoldOut(Schema):
    case_ref = fields.String()
    reason = fields.String()
    placed_at = fields.AwareDateTime()
    placed_by = fields.String()
    released_at = fields.AwareDateTime(allow_none=True)
    release_reason = fields.String(allow_none=True)


class DataSubjectOut(ResourceSchema):
    subject_id = fields.UUID(metadata={"description": "the rep or customer"})
    kind = fields.String(metadata={"description": "rep or customer"})
    hold = fields.Nested(LegalHoldOut, allow_none=True, metadata={"description": "the legal hold in force, if any"})
    holds = fields.List(fields.Nested(LegalHoldOut), metadata={"description": "every hold, released or not"})
    erased = fields.Boolean()
    erased_at = fields.AwareDateTime(allow_none=True)
    erasure_reason = fields.String(allow_none=True)
    key = fields.String(metadata={"description": "the subject's data key: none (no personal data yet), active or erased"})
