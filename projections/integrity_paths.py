"""Audit paths of many leaves at once: one walk down the RFC 6962 tree, each node on the way read and hashed once.

A bundle proves a few thousand leaves of a tree of millions. Their paths share their upper nodes, and each path
checked on its own (RFC 9162 2.1.3.2) hashes about 20 nodes again. Walking the tree's own recursion instead,
descending only into subtrees that hold a wanted leaf, every other subtree on the way is a sibling on some path:
a stored node (level >= STORED_LEVEL, `integrity_nodes`) or recomputed from its few leaves. The walk ends with the
root: equal to the checkpoint's root, it proves every path at once, with the same hashes as checking each alone.
The stored subtrees that make up the whole tree (`covering(0, size)`) are read and checked against the root too,
as before: a stored node that no longer matches is refused even when no path of this batch goes through it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from ledger.chain import STORED_LEVEL, Node, covering, fold_nodes, leaf_hash, leaves_of, node_from_leaves, node_hash


def _split(lo: int, hi: int) -> int:
    """Where RFC 6962 splits [lo, hi): after the largest power of two smaller than its width."""
    return lo + (1 << ((hi - lo - 1).bit_length() - 1))


def _siblings(leaf: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """The leaf ranges of the siblings on the way from [lo, hi) down to `leaf`, top first (a subtree holding one
    wanted leaf: a loop instead of the recursion, most of the walk)."""
    found = []
    while hi - lo > 1:
        mid = _split(lo, hi)
        if leaf < mid:
            found.append((mid, hi))
            hi = mid
        else:
            found.append((lo, mid))
            lo = mid
    return found


def _pieces(lo: int, hi: int) -> list[Node]:
    """The complete subtrees making up [lo, hi): itself when its width is a power of two (all but the right edge)."""
    width = hi - lo
    if width & (width - 1):
        return covering(lo, hi)
    level = width.bit_length() - 1
    return [(level, lo >> level)]


def subtree(node: Node, leaves: dict[int, bytes], nodes: dict[Node, bytes]) -> bytes:
    return nodes[node] if node[0] >= STORED_LEVEL else node_from_leaves(node, leaves)


def top(size: int, leaves: dict[int, bytes], nodes: dict[Node, bytes]) -> bytes:
    """The root as the stored subtrees that make up the whole tree give it."""
    return fold_nodes([subtree(node, leaves, nodes) for node in covering(0, size)])


def needs(ordinals: Sequence[int], size: int) -> tuple[set[Node], set[int]]:
    """The stored subtrees and the leaves (of the subtrees below STORED_LEVEL, and the wanted ones) that `top` and
    the audit paths of these sorted leaf indexes in a tree of `size` leaves are made of."""
    nodes: set[Node] = set()
    leaves: set[int] = set()

    def add(lo: int, hi: int) -> None:
        for node in _pieces(lo, hi):
            if node[0] >= STORED_LEVEL:
                nodes.add(node)
            else:
                leaves.update(leaves_of(node))

    def walk(lo: int, hi: int, i: int, j: int) -> None:
        if i == j:
            add(lo, hi)
        elif j - i == 1:
            for a, b in _siblings(ordinals[i], lo, hi):
                add(a, b)
            leaves.add(ordinals[i])
        else:
            mid = _split(lo, hi)
            m = bisect_left(ordinals, mid, i, j)
            walk(lo, mid, i, m)
            walk(mid, hi, m, j)

    add(0, size)
    if ordinals:
        walk(0, size, 0, len(ordinals))
    return nodes, leaves


def paths(ordinals: Sequence[int], size: int, leaves: dict[int, bytes],
          nodes: dict[Node, bytes]) -> tuple[bytes, dict[int, list[bytes]]]:
    """The root and each sorted leaf index's audit path (leaf level first, as MerkleTree.proof), from the chain
    hashes `leaves` and the stored subtrees `nodes` that `needs` named. KeyError: one of them is missing."""
    found: dict[int, list[bytes]] = {o: [] for o in ordinals}

    def untouched(lo: int, hi: int) -> bytes:
        return fold_nodes([subtree(node, leaves, nodes) for node in _pieces(lo, hi)])

    def walk(lo: int, hi: int, i: int, j: int) -> bytes:
        if i == j:
            return untouched(lo, hi)
        if j - i == 1:
            leaf = ordinals[i]
            node, path = leaf_hash(leaves[leaf]), found[leaf]
            for a, b in reversed(_siblings(leaf, lo, hi)):
                sibling = untouched(a, b)
                path.append(sibling)
                node = node_hash(node, sibling) if a > leaf else node_hash(sibling, node)
            return node
        mid = _split(lo, hi)
        m = bisect_left(ordinals, mid, i, j)
        left, right = walk(lo, mid, i, m), walk(mid, hi, m, j)
        for k in range(i, m):
            found[ordinals[k]].append(right)
        for k in range(m, j):
            found[ordinals[k]].append(left)
        return node_hash(left, right)

    return walk(0, size, 0, len(ordinals)), found
