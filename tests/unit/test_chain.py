"""The tamper-evidence primitives: canonical event bytes, the chain, RFC 6962 trees and proofs, checkpoints."""

from __future__ import annotations

import hashlib

import pytest

from ledger.chain import (
    EMPTY_ROOT,
    GENESIS,
    MerkleAccumulator,
    MerkleTree,
    checkpoint_message,
    frame,
    inclusion_proof,
    key_id,
    leaf_hash,
    link,
    merkle_root,
    node_hash,
    verify_inclusion,
)

# The RFC 6962 test leaves used by Certificate Transparency implementations, with their published roots.
CT_LEAVES = [bytes.fromhex(x) for x in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                          "606162636465666768696a6b6c6d6e6f"]]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_PROOFS = {  # (leaf index, tree size): audit path
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
             "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}


def hashes(n: int) -> list[bytes]:
    return [hashlib.sha256(f"event {i}".encode()).digest() for i in range(n)]


def test_frame_is_the_tag_then_each_field_with_an_eight_byte_big_endian_length() -> None:
    stream = "0f8b5c1e-0d3c-4c1e-9a5b-6a8f2d7e4b10"
    framed = frame(42, stream, 3, "ledger.deal:Deal.Closed", b'{"a":1}')
    assert framed == (b"SPL-EVENT-1\n" + (2).to_bytes(8, "big") + b"42" + (36).to_bytes(8, "big") + stream.encode()
                      + (1).to_bytes(8, "big") + b"3" + (23).to_bytes(8, "big") + b"ledger.deal:Deal.Closed"
                      + (7).to_bytes(8, "big") + b'{"a":1}')


def test_frame_writes_the_stream_id_in_lowercase_canonical_form() -> None:
    assert frame(1, "0F8B5C1E-0D3C-4C1E-9A5B-6A8F2D7E4B10", 1, "t", b"") == \
        frame(1, "0f8b5c1e-0d3c-4c1e-9a5b-6a8f2d7e4b10", 1, "t", b"")


def test_moving_bytes_between_fields_changes_the_frame() -> None:
    # with separators instead of lengths these two would be ambiguous
    assert frame(1, "s", 1, "ab", b"c") != frame(1, "s", 1, "a", b"bc")


def test_the_chain_starts_from_thirty_two_zero_bytes_and_hashes_the_previous_link() -> None:
    first = frame(1, "s", 1, "t", b"x")
    h1 = link(GENESIS, first)
    assert GENESIS == bytes(32)
    assert h1 == hashlib.sha256(bytes(32) + first).digest()
    assert link(h1, first) != h1


def test_roots_match_the_rfc_6962_test_vectors() -> None:
    assert merkle_root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    for size, root in enumerate(CT_ROOTS, start=1):
        assert merkle_root(CT_LEAVES[:size]).hex() == root


def test_audit_paths_match_the_rfc_6962_test_vectors() -> None:
    for (index, size), path in CT_PROOFS.items():
        proof = inclusion_proof(index, CT_LEAVES[:size])
        assert [p.hex() for p in proof] == path
        assert verify_inclusion(CT_LEAVES[index], index, size, proof, bytes.fromhex(CT_ROOTS[size - 1]))


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    left, right = hashes(2)
    assert leaf_hash(left) == hashlib.sha256(b"\x00" + left).digest()
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert merkle_root([left, right]) == node_hash(leaf_hash(left), leaf_hash(right))


@pytest.mark.parametrize("size", range(1, 21))
def test_every_leaf_proves_its_inclusion_for_trees_of_one_to_twenty_leaves(size: int) -> None:
    leaves = hashes(size)
    root = merkle_root(leaves)
    for index in range(size):
        assert verify_inclusion(leaves[index], index, size, inclusion_proof(index, leaves), root)


@pytest.mark.parametrize("size", [2, 3, 7, 8, 13, 20])
def test_tampered_proofs_fail(size: int) -> None:
    leaves = hashes(size)
    root = merkle_root(leaves)
    other = hashlib.sha256(b"forged").digest()
    for index in range(size):
        proof = inclusion_proof(index, leaves)
        flipped = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
        assert not verify_inclusion(leaves[index], index, size, flipped, root)
        assert not verify_inclusion(other, index, size, proof, root)
        assert not verify_inclusion(leaves[index], index, size, proof, other)
        assert not verify_inclusion(leaves[index], index, size, proof[:-1], root)
        assert not verify_inclusion(leaves[index], index, size, [*proof, other], root)
        assert not verify_inclusion(leaves[index], (index + 1) % size, size, proof, root)


def test_out_of_range_indexes_neither_prove_nor_verify() -> None:
    leaves = hashes(4)
    with pytest.raises(ValueError):
        inclusion_proof(4, leaves)
    assert not verify_inclusion(leaves[0], 4, 4, [], merkle_root(leaves))
    assert not verify_inclusion(leaves[0], -1, 4, [], merkle_root(leaves))


def test_the_streaming_accumulator_gives_the_tree_root_at_every_size_and_resumes_from_its_state() -> None:
    leaves = hashes(70)
    acc = MerkleAccumulator()
    assert acc.root() == EMPTY_ROOT
    for size, leaf in enumerate(leaves, start=1):
        acc = MerkleAccumulator.resume(acc.state())
        acc.add(leaf)
        assert acc.size == size
        assert acc.root() == merkle_root(leaves[:size]) == MerkleTree(leaves[:size]).root


def test_the_checkpoint_message_is_the_tag_and_four_decimal_or_hex_lines() -> None:
    head, root = bytes(range(32)), bytes(range(32, 64))
    assert checkpoint_message(120, 118, head, root) == (
        b"SPL-CHECKPOINT-1\n120\n118\n" + head.hex().encode() + b"\n" + root.hex().encode() + b"\n")


def test_a_key_id_is_sixteen_hex_digits_of_the_sha256_of_the_raw_public_key() -> None:
    raw = bytes(range(32))
    assert key_id(raw) == hashlib.sha256(raw).hexdigest()[:16]
    assert len(key_id(raw)) == 16
