"""Audit paths of many leaves in one walk: the whole tree's paths and root, from only the nodes the walk names."""

from __future__ import annotations

import hashlib
import random

import pytest

from ledger.chain import (
    STORED_LEVEL,
    MerkleAccumulator,
    MerkleTree,
    Node,
    node_emitting_add,
    proof_plan,
    verify_inclusion,
)
from projections.integrity_paths import needs, paths, top


def hashes(n: int) -> list[bytes]:
    return [hashlib.sha256(f"event {i}".encode()).digest() for i in range(n)]


def stored(leaves: list[bytes]) -> dict[Node, bytes]:
    acc, nodes = MerkleAccumulator(), {}
    for h in leaves:
        nodes.update({(level, index): node for level, index, node in node_emitting_add(acc, h)})
    return nodes


def walked(leaves: list[bytes], ordinals: list[int]) -> tuple[bytes, dict[int, list[bytes]], set[Node], set[int]]:
    """The walk given only what `needs` names (anything else would be a KeyError)."""
    all_nodes = stored(leaves)
    named_nodes, named_leaves = needs(ordinals, len(leaves))
    assert all(node[0] >= STORED_LEVEL for node in named_nodes)
    nodes = {node: all_nodes[node] for node in named_nodes}
    given = {o: leaves[o] for o in named_leaves}
    root, found = paths(ordinals, len(leaves), given, nodes)
    assert top(len(leaves), given, nodes) == root
    return root, found, named_nodes, named_leaves


@pytest.mark.parametrize("size", [*range(1, 40), 63, 64, 65, 127, 128, 129, 255, 257, 1000])
def test_the_paths_of_every_subset_shape_are_the_whole_trees(size: int) -> None:
    leaves = hashes(size)
    tree = MerkleTree(leaves)
    rng = random.Random(size)
    subsets = [list(range(size)), [0], [size - 1], sorted(rng.sample(range(size), min(size, 3))),
               sorted(rng.sample(range(size), size // 2)), list(range(0, size, 3))]
    for ordinals in subsets:
        root, found, _, _ = walked(leaves, ordinals)
        assert root == tree.root
        assert set(found) == set(ordinals)
        for o in ordinals:
            assert found[o] == tree.proof(o)
            assert verify_inclusion(leaves[o], o, size, found[o], tree.root)


def test_no_wanted_leaf_still_gives_the_root_from_the_stored_subtrees() -> None:
    leaves = hashes(301)
    root, found, nodes, low = walked(leaves, [])
    assert root == MerkleTree(leaves).root and found == {}
    assert nodes == {(8, 0), (5, 8), (3, 36), (2, 74)} and low == {300}  # 256 + 32 + 8 + 4 stored, 1 recomputed


def test_a_wrong_stored_node_gives_another_root_and_a_missing_one_a_key_error() -> None:
    leaves = hashes(200)
    all_nodes = stored(leaves)
    ordinals = [3, 90, 150]
    named, low = needs(ordinals, 200)
    nodes = {node: all_nodes[node] for node in named}
    given = {o: leaves[o] for o in low}
    some = sorted(named)[0]
    assert paths(ordinals, 200, given, {**nodes, some: bytes(32)})[0] != MerkleTree(leaves).root
    del nodes[some]
    with pytest.raises(KeyError):
        paths(ordinals, 200, given, nodes)


def test_a_batch_names_each_shared_node_once() -> None:
    size = 1 << 14
    ordinals = sorted(random.Random(1).sample(range(size), 500))
    _, _, nodes, _ = walked(hashes(size), ordinals)
    one_by_one = [n for o in ordinals for part in proof_plan(o, size) for n in part if n[0] >= STORED_LEVEL]
    # only siblings of the paths (and the whole tree: (14, 0)), never one twice; a sibling holding another
    # wanted leaf is hashed from below instead of read
    assert nodes <= set(one_by_one) | {(14, 0)}
    assert len(nodes) < 0.75 * len(one_by_one)
