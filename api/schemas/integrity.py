"""Schemas of the integrity endpoints: the verification report and signed checkpoints."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

HEX = {"description": "lowercase hex"}


def _signed_at(obj: Any) -> str:
    """Recording time of the checkpoint: an index row carries it, an aggregate has it as `created_on`."""
    return str(obj["signed_at"]) if isinstance(obj, dict) else obj.created_on.isoformat()


class CheckpointQuery(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class SignCheckpointIn(Schema):
    """No fields: the checkpoint is of the chain's head when the request is served."""


class CheckpointOut(Schema):
    id = fields.String()
    position = fields.Integer(metadata={"description": "last ledger position the checkpoint covers"})
    size = fields.Integer(metadata={"description": "events (Merkle leaves) up to that position"})
    chain_head = fields.String(metadata={"description": "h(position), hex"})
    merkle_root = fields.String(metadata={"description": "RFC 6962 root over h(first)..h(position), hex"})
    signature = fields.String(metadata={"description": "Ed25519 over the checkpoint message (docs/integrity.md), hex"})
    key_id = fields.String(metadata={"description": "first 16 hex of SHA-256 of the raw public key"})
    algorithm = fields.String()
    signed_at = fields.Function(_signed_at)
    event_position = fields.Integer(metadata={"description": "position of the CheckpointSigned event itself"})
    public_key = fields.String(allow_none=True, metadata={"description": "PEM, when the key is configured here"})


class CheckpointListOut(Schema):
    checkpoints = fields.List(fields.Nested(CheckpointOut))


class ProblemOut(Schema):
    position = fields.Integer()
    problem = fields.String(metadata={"description": "changed, missing, extra, chain or checkpoint"})
    detail = fields.String()


class CheckpointVerdict(Schema):
    id = fields.String()
    position = fields.Integer(allow_none=True)
    event_position = fields.Integer()
    size = fields.Integer()
    chain_head = fields.String()
    merkle_root = fields.String()
    signature = fields.String()
    key_id = fields.String()
    ok = fields.Boolean()
    reason = fields.String(allow_none=True)


class VerifyOut(Schema):
    ok = fields.Boolean(metadata={"description": "every event, the chain and every checkpoint agree"})
    checked = fields.Integer(metadata={"description": "chained positions recomputed"})
    head = fields.Integer(metadata={"description": "last chained position"})
    store_head = fields.Integer(metadata={"description": "last position in the event store"})
    unchained = fields.Integer(metadata={"description": "events stored after the chain's head (not yet judged)"})
    first_bad_position = fields.Integer(allow_none=True)
    problem = fields.String(allow_none=True, metadata={"description": "changed, missing, extra, chain or checkpoint"})
    detail = fields.String(allow_none=True)
    problem_count = fields.Integer()
    problems = fields.List(fields.Nested(ProblemOut), metadata={"description": "the first 100 problems"})
    chain_head = fields.String(metadata=HEX)
    merkle_root = fields.String(metadata=HEX)
    checkpoints = fields.List(fields.Nested(CheckpointVerdict))
    seconds = fields.Float()
