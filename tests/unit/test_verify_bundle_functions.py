"""The offline verifier re-implements the ledger's hashing; on the same inputs both give the same bytes."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

from ledger import chain
from scripts import verify_bundle as offline

STREAM = "0b9f3c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f"
STATES = [b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-07-01T00:00:00+00:00"}}', b"", "名字".encode(), bytes(range(256))]


def leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(str(i).encode()).digest() for i in range(n)]


def test_frame_and_link_agree_with_the_ledger() -> None:
    prev = chain.GENESIS
    for position, state in enumerate(STATES, start=7):
        framed = offline.frame(position, STREAM, position * 3, "ledger.rep:Rep.Onboarded", state)
        assert framed == chain.frame(position, STREAM, position * 3, "ledger.rep:Rep.Onboarded", state)
        assert offline.link(prev, framed) == chain.link(prev, framed)
        prev = chain.link(prev, framed)
    assert offline.GENESIS == chain.GENESIS


def test_leaf_and_checkpoint_bytes_agree_with_the_ledger() -> None:
    h = hashlib.sha256(b"x").digest()
    assert offline.leaf_hash(h) == chain.leaf_hash(h)
    assert offline.node_hash(h, h[::-1]) == chain.node_hash(h, h[::-1])
    assert offline.checkpoint_message(120, 99, h, h[::-1]) == chain.checkpoint_message(120, 99, h, h[::-1])
    assert offline.key_id(bytes(32)) == chain.key_id(bytes(32))


def test_every_ledger_proof_verifies_offline_and_fails_when_altered() -> None:
    for size in (1, 2, 3, 5, 8, 13, 17):
        hashes = leaves(size)
        root = chain.merkle_root(hashes)
        for index in range(size):
            proof = chain.inclusion_proof(index, hashes)
            assert offline.verify_inclusion(hashes[index], index, size, proof, root)
            assert chain.verify_inclusion(hashes[index], index, size, proof, root)
            assert not offline.verify_inclusion(hashes[(index + 1) % size], index, size, proof, root) or size == 1
            if proof:
                bent = [proof[0][:-1] + bytes([proof[0][-1] ^ 1])] + proof[1:]
                assert not offline.verify_inclusion(hashes[index], index, size, bent, root)
            assert not offline.verify_inclusion(hashes[index], size, size, proof, root)  # an index beyond the tree


def test_the_verifier_imports_nothing_of_the_project() -> None:
    tree = ast.parse(Path(offline.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "argparse", "base64", "binascii", "hashlib", "io", "json", "sys", "zipfile", "typing",
                        "cryptography"}
