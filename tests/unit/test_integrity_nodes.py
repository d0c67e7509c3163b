"""Stored Merkle subtrees: the nodes the sealer keeps, and audit paths assembled from them, equal the whole tree's."""

from __future__ import annotations

import hashlib

import pytest

from ledger.chain import (
    STORED_LEVEL,
    MerkleAccumulator,
    MerkleTree,
    Node,
    covering,
    fold_nodes,
    leaves_of,
    node_emitting_add,
    node_from_leaves,
    proof_plan,
    verify_inclusion,
)


def hashes(n: int) -> list[bytes]:
    return [hashlib.sha256(f"event {i}".encode()).digest() for i in range(n)]


def stored(leaves: list[bytes]) -> tuple[MerkleAccumulator, dict[Node, bytes]]:
    acc, nodes = MerkleAccumulator(), {}
    for h in leaves:
        nodes.update({(level, index): node for level, index, node in node_emitting_add(acc, h)})
    return acc, nodes


@pytest.mark.parametrize("size", [*range(1, 70), 127, 128, 129, 200, 255, 256, 257, 1000])
def test_paths_from_stored_nodes_equal_the_whole_trees_for_every_leaf(size: int) -> None:
    leaves = hashes(size)
    tree = MerkleTree(leaves)
    acc, nodes = stored(leaves)
    assert acc.root() == tree.root and acc.size == size

    def hash_of(node: Node) -> bytes:
        return nodes[node] if node[0] >= STORED_LEVEL else node_from_leaves(node, dict(enumerate(leaves)))

    assert fold_nodes([hash_of(n) for n in covering(0, size)]) == tree.root
    for index in range(size):
        path = [fold_nodes([hash_of(n) for n in part]) for part in proof_plan(index, size)]
        assert path == tree.proof(index)
        assert verify_inclusion(leaves[index], index, size, path, tree.root)


def test_every_complete_subtree_is_formed_once_with_the_whole_trees_hash() -> None:
    leaves = hashes(100)
    _, nodes = stored(leaves)
    for (level, index), node in nodes.items():
        span = leaves_of((level, index))
        assert span.stop <= 100 and MerkleTree(leaves[span.start:span.stop]).root == node
    assert len(nodes) == sum(100 >> level for level in range(1, 7))  # 50 + 25 + 12 + 6 + 3 + 1


def test_the_stored_frontier_resumes_forming_the_same_nodes() -> None:
    leaves = hashes(77)
    first, nodes = stored(leaves[:40])
    resumed = MerkleAccumulator.resume(first.state())
    for h in leaves[40:]:
        nodes.update({(level, index): node for level, index, node in node_emitting_add(resumed, h)})
    assert nodes == stored(leaves)[1]


def test_covering_splits_a_range_into_aligned_complete_subtrees_largest_first() -> None:
    assert covering(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert covering(8, 13) == [(2, 2), (0, 12)]
    assert covering(4, 8) == [(2, 1)]
    assert proof_plan(0, 1) == []
    with pytest.raises(ValueError):
        proof_plan(5, 5)
