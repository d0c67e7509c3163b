"""Integrity commands: record a signed checkpoint of the hash chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RecordCheckpoint:
    """A checkpoint the read side computed and signed; the handler checks the signature before recording."""

    position: int
    size: int
    chain_head: str  # hex of h(position)
    merkle_root: str  # hex of the RFC 6962 root over h(1st)..h(position)
    signature: str  # hex of the Ed25519 signature over ledger.chain.checkpoint_message(...)
    public_key: str  # PEM of the signing key's public half (its id is recorded, not the key)
    occurred_at: datetime
