"""Checkpoint aggregate: one stream per position, and only signatures that verify are recorded."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.chain import checkpoint_message, key_id
from ledger.checkpoint import Checkpoint, checkpoint_id
from ledger.errors import Invalid, RuleViolation
from ledger.signing import public_pem, raw_public, verify

STAMP = {"occurred_at": datetime(2026, 11, 2, tzinfo=timezone.utc), "actor": "test", "idempotency_key": "k"}
HEAD, ROOT = hashlib.sha256(b"head").digest(), hashlib.sha256(b"root").digest()


def signed(key: Ed25519PrivateKey, position: int = 10, size: int = 9, **overrides: Any) -> Checkpoint:
    signature = key.sign(checkpoint_message(position, size, HEAD, ROOT)).hex()
    fields = {"position": position, "size": size, "chain_head": HEAD.hex(), "merkle_root": ROOT.hex(),
              "signature": signature, "public_key": public_pem(key.public_key()), **overrides}
    return Checkpoint.sign(**fields, **STAMP)


def test_a_checkpoint_records_position_size_head_root_signature_and_the_key_id() -> None:
    key = Ed25519PrivateKey.generate()
    checkpoint = signed(key)
    assert (checkpoint.position, checkpoint.size, checkpoint.chain_head, checkpoint.merkle_root) == (10, 9, HEAD.hex(), ROOT.hex())
    assert checkpoint.key_id == key_id(raw_public(key.public_key()))
    assert checkpoint.algorithm == "ed25519"
    assert verify(key.public_key(), bytes.fromhex(checkpoint.signature), checkpoint_message(10, 9, HEAD, ROOT))
    assert [type(e).__qualname__ for e in checkpoint.collect_events()] == ["Checkpoint.Signed"]


def test_the_stream_id_is_derived_from_the_position_only() -> None:
    first, second = signed(Ed25519PrivateKey.generate()), signed(Ed25519PrivateKey.generate())
    assert first.id == second.id == checkpoint_id(10)
    assert checkpoint_id(11) != checkpoint_id(10)


def test_a_signature_by_another_key_is_refused() -> None:
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    forged = other.sign(checkpoint_message(10, 9, HEAD, ROOT)).hex()
    with pytest.raises(RuleViolation) as refused:
        signed(key, signature=forged)
    assert refused.value.code == "bad-signature"


def test_a_signature_over_other_values_is_refused() -> None:
    key = Ed25519PrivateKey.generate()
    with pytest.raises(RuleViolation):
        signed(key, size=8, signature=key.sign(checkpoint_message(10, 9, HEAD, ROOT)).hex())


@pytest.mark.parametrize(("field", "value"), [("chain_head", "zz" * 32), ("merkle_root", "ab" * 31),
                                              ("chain_head", HEAD.hex().upper()), ("signature", "00")])
def test_malformed_hex_is_invalid(field: str, value: str) -> None:
    with pytest.raises(Invalid) as refused:
        signed(Ed25519PrivateKey.generate(), **{field: value})
    assert field in refused.value.errors


@pytest.mark.parametrize(("position", "size"), [(0, 0), (5, 0), (5, 6)])
def test_a_checkpoint_covers_at_least_one_event_and_no_more_events_than_positions(position: int, size: int) -> None:
    with pytest.raises(Invalid):
        signed(Ed25519PrivateKey.generate(), position=position, size=size)
