"""Tamper evidence primitives: canonical event bytes, the hash chain, RFC 6962 Merkle trees, checkpoints."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EVENT_TAG = b"SPL-EVENT-1\n"
CHECKPOINT_TAG = b"SPL-CHECKPOINT-1\n"
GENESIS = bytes(32)
ALGORITHM = "ed25519"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def _field(value: bytes) -> bytes:
    # A length prefix (not a separator) so no choice of field contents can shift a boundary.
    return len(value).to_bytes(8, "big") + value


def frame(position: int, stream_id: str, version: int, topic: str, state: bytes) -> bytes:
    """The canonical bytes(n) of one stored event (layout in docs/integrity.md)."""
    parts = (str(int(position)).encode("ascii"), stream_id.lower().encode("ascii"),
             str(int(version)).encode("ascii"), topic.encode("utf-8"), bytes(state))
    return EVENT_TAG + b"".join(_field(p) for p in parts)


def link(prev: bytes, framed: bytes) -> bytes:
    """h(n) = SHA-256(h(n-1) || bytes(n)); the first event links to GENESIS (32 zero bytes)."""
    return hashlib.sha256(prev + framed).digest()


def leaf_hash(h: bytes) -> bytes:
    """RFC 6962 leaf hash: SHA-256(0x00 || leaf)."""
    return hashlib.sha256(b"\x00" + h).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the tree, leaf hashes first. Bottom-up pairing with an odd last node promoted
    unchanged gives exactly RFC 6962's tree (the left subtree is always the largest power of two)."""
    level = [leaf_hash(h) for h in leaves]
    levels = [level]
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        levels.append(nxt)
        level = nxt
    return levels


class MerkleTree:
    """A whole RFC 6962 tree kept in memory: its root, and any leaf's audit path in O(log n)."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.size = len(leaves)
        self._levels = _levels(leaves)

    @property
    def root(self) -> bytes:
        return self._levels[-1][0] if self.size else EMPTY_ROOT

    def proof(self, index: int) -> list[bytes]:
        """RFC 6962 audit path for leaf `index`: sibling hashes from the leaf upward."""
        if not 0 <= index < self.size:
            raise ValueError(f"index {index} outside a tree of size {self.size}")
        path: list[bytes] = []
        for level in self._levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):  # no sibling: the node is promoted to the next level as it is
                path.append(level[sibling])
            index //= 2
        return path


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """RFC 6962 Merkle Tree Hash of the chain hashes in ledger order; empty tree = SHA-256(b"")."""
    return MerkleTree(leaves).root


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """RFC 6962 audit path for leaf `index` in the tree over `leaves` (sibling hashes, leaf upward)."""
    return MerkleTree(leaves).proof(index)


def verify_inclusion(h: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2: does `proof` lead from chain hash `h` at `index` to `root`?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf_hash(h)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def checkpoint_message(position: int, size: int, chain_head: bytes, root: bytes) -> bytes:
    """The exact bytes the Ed25519 checkpoint signature covers."""
    return CHECKPOINT_TAG + f"{position}\n{size}\n{chain_head.hex()}\n{root.hex()}\n".encode("ascii")


def key_id(raw_public_key: bytes) -> str:
    """A signing key's id: the first 16 hex digits of SHA-256 of the raw 32-byte Ed25519 public key."""
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


class MerkleAccumulator:
    """Streaming RFC 6962 root: O(log n) memory, so a million-leaf verify never holds every hash."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (subtree size, hash), sizes strictly decreasing
        self.size = 0

    def add(self, h: bytes) -> None:
        node, width = leaf_hash(h), 1
        # Merge equal-sized complete subtrees: the left-full shape RFC 6962 prescribes.
        while self._stack and self._stack[-1][0] == width:
            _, left = self._stack.pop()
            node, width = node_hash(left, node), width * 2
        self._stack.append((width, node))
        self.size += 1

    def state(self) -> list[list[int | str]]:
        """The frontier as JSON-ready data: enough to resume the root after a restart."""
        return [[width, node.hex()] for width, node in self._stack]

    @classmethod
    def resume(cls, state: list[list[int | str]]) -> MerkleAccumulator:
        acc = cls()
        acc._stack = [(int(width), bytes.fromhex(str(node))) for width, node in state]
        acc.size = sum(width for width, _ in acc._stack)
        return acc

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        # Fold right-to-left: smaller trailing subtrees hang on the right of larger ones.
        node = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            node = node_hash(left, node)
        return node


# -- Stored subtrees: inclusion proofs without the whole tree ---------------------------------------------------
#
# A complete subtree is named by (level, index): it covers leaves [index * 2**level, (index + 1) * 2**level).
# Level 0 is a leaf (its hash is leaf_hash(h)); the sealer stores every complete node from STORED_LEVEL up as it
# is formed, so a proof needs O(log n) stored nodes and a few leaves instead of the whole tree.

Node = tuple[int, int]
STORED_LEVEL = 2  # nodes below this level are recomputed from their (at most 4) leaves


def node_emitting_add(acc: MerkleAccumulator, h: bytes) -> list[tuple[int, int, bytes]]:
    """Add leaf `h` to the accumulator; return the complete nodes (level, index, hash) it formed, level >= 1."""
    formed: list[tuple[int, int, bytes]] = []
    index, node, level = acc.size, leaf_hash(h), 0
    stack = acc._stack
    while stack and stack[-1][0] == 1 << level:
        _, left = stack.pop()
        node, level, index = node_hash(left, node), level + 1, index >> 1
        formed.append((level, index, node))
    stack.append((1 << level, node))
    acc.size += 1
    return formed


def covering(start: int, end: int) -> list[Node]:
    """The complete subtrees, largest first, whose leaves are exactly [start, end); `start` must be aligned to
    the largest power of two not above end - start (true for every node position in an RFC 6962 tree)."""
    nodes, offset = [], start
    for level in range(max(end - start, 1).bit_length() - 1, -1, -1):
        if (end - offset) >> level & 1:
            nodes.append((level, offset >> level))
            offset += 1 << level
    return nodes


def proof_plan(index: int, size: int) -> list[list[Node]]:
    """The audit path of leaf `index` in a tree of `size` leaves (the same path as MerkleTree.proof), each
    entry as the complete subtrees whose fold (right to left, fold_nodes) is that sibling's hash."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} outside a tree of size {size}")
    plan, level = [], 0
    while (size - 1) >> level:  # more than one node at this level
        first = ((index >> level) ^ 1) << level
        if first + (1 << level) <= size:  # a complete sibling: one node
            plan.append([(level, first >> level)])
        elif first < size:  # the right edge: the fold of what is there (no sibling at all: promoted as it is)
            plan.append(covering(first, size))
        level += 1
    return plan


def fold_nodes(hashes: Sequence[bytes]) -> bytes:
    """The hash of adjacent complete subtrees, largest (leftmost) first, as RFC 6962 joins them."""
    node = hashes[-1]
    for left in reversed(hashes[:-1]):
        node = node_hash(left, node)
    return node


def leaves_of(node: Node) -> range:
    level, index = node
    return range(index << level, (index + 1) << level)


def node_from_leaves(node: Node, leaves: dict[int, bytes]) -> bytes:
    """A low node's hash from its leaves' chain hashes (by ordinal)."""
    level, index = node
    if level == 0:
        return leaf_hash(leaves[index])
    return node_hash(node_from_leaves((level - 1, 2 * index), leaves), node_from_leaves((level - 1, 2 * index + 1), leaves))
