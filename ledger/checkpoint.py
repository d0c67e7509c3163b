"""Checkpoint: a signed statement of the hash chain's head and Merkle root at one ledger position."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.base import LedgerAggregate, LedgerCreated
from ledger.chain import ALGORITHM, checkpoint_message, key_id
from ledger.errors import Invalid, RuleViolation
from ledger.signing import load_public_key, raw_public, verify

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:checkpoint")


def checkpoint_id(position: int) -> UUID:
    """One stream per checkpointed position, so signing the same position twice records it once."""
    return uuid5(_NAMESPACE, f"checkpoint:{position}")


def _hex(value: str, length: int, field: str) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != length or value != value.lower():
        raise Invalid(f"{field} must be {2 * length} lowercase hex digits", errors={field: [f"{2 * length} hex digits"]})
    return raw


class Checkpoint(LedgerAggregate):
    """Recorded once per position; the signature covers `checkpoint_message(position, size, head, root)`."""

    KIND = "checkpoint"
    if TYPE_CHECKING:
        position: int
        size: int
        chain_head: str
        merkle_root: str
        signature: str
        key_id: str
        algorithm: str

    class Signed(LedgerCreated):
        position: int
        size: int
        chain_head: str
        merkle_root: str
        signature: str
        key_id: str
        algorithm: str

        def apply(self, c: Any) -> None:
            c.position, c.size, c.chain_head, c.merkle_root = self.position, self.size, self.chain_head, self.merkle_root
            c.signature, c.key_id, c.algorithm = self.signature, self.key_id, self.algorithm

    @classmethod
    def sign(cls, *, position: int, size: int, chain_head: str, merkle_root: str, signature: str, public_key: str,
             **stamp: Any) -> Checkpoint:
        """Record a checkpoint, refusing one whose signature does not verify with the key it names."""
        if position < 1 or size < 1 or size > position:
            raise Invalid("a checkpoint covers at least one event, and never more events than positions",
                          errors={"position": ["at least 1"], "size": ["between 1 and position"]})
        head, root = _hex(chain_head, 32, "chain_head"), _hex(merkle_root, 32, "merkle_root")
        raw_signature = _hex(signature, 64, "signature")
        public = load_public_key(public_key.encode())
        if not verify(public, raw_signature, checkpoint_message(position, size, head, root)):
            raise RuleViolation("the signature does not verify with the signing key", code="bad-signature",
                                errors={"signature": ["does not verify"]})
        return cls._start(cls.Signed, checkpoint_id(position), position=position, size=size, chain_head=chain_head,
                          merkle_root=merkle_root, signature=signature, key_id=key_id(raw_public(public)),
                          algorithm=ALGORITHM, **stamp)
