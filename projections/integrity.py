"""The sealer: a follower that extends the hash chain from its own tracking position, and signs checkpoints."""

from __future__ import annotations

import base64
import threading
from datetime import datetime, timezone
from typing import Any, Callable

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from ledger.base import Ctx
from ledger.chain import GENESIS, MerkleTree, checkpoint_message, frame, link, node_emitting_add
from ledger.checkpoint import Checkpoint
from ledger.commands.integrity import RecordCheckpoint
from ledger.errors import Invalid, NotFound, RuleViolation
from ledger.settings import Settings
from ledger.signing import public_pem, sign, signing_key, trusted_keys
from projections.db import Database
from projections.integrity_paths import needs, paths, top
from projections.integrity_store import (
    BATCH,
    CHECKPOINT_COLUMNS,
    CHECKPOINT_TOPIC,
    MAINTAIN_AFTER,
    EventTable,
    Row,
    chain_at,
    chain_hashes,
    checkpoint_rows,
    ensure_tracking,
    leaf_hashes,
    maintain,
    read_nodes_tracking,
    read_tracking,
    schema,
    stored_nodes,
    write_nodes,
    write_tracking,
)
from projections.integrity_verify import verify_ledger


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class Integrity:
    """Hash chain, Merkle checkpoints and verification over one ledger and its database (see docs/integrity.md)."""

    def __init__(self, app: Application[Any], db: Database, settings: Settings, *, create: bool = True,
                 batch: int = BATCH, analyze_after: int = MAINTAIN_AFTER) -> None:
        self.app, self.db, self.settings, self.batch, self.analyze_after = app, db, settings, batch, analyze_after
        self._unanalyzed = 0  # rows chained (or subtrees stored) by this sealer since its tables were analysed
        self.events = EventTable(app, db.dialect)
        self._lock = threading.Lock()
        self._tree: MerkleTree | None = None  # the last checkpoint's tree, for the proofs of one evidence bundle
        if create:
            with db.transaction() as cur:
                for statement in schema(db.dialect):
                    cur.execute(statement)

    # -- the follower ---------------------------------------------------------------------------------------

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Chain every stored event after the tracked position, a batch per transaction; the chain's last position."""
        with self._lock:
            ensure_tracking(self.db, _now())
            while self._nodes_batch():  # subtrees of a chain sealed before they were stored (once, then never)
                self._unanalyzed += self.batch
            while True:
                position, count = self._batch()
                self._unanalyzed += count
                if progress and count:
                    progress(count)
                if count < self.batch:
                    break
            if self._unanalyzed >= self.analyze_after and self.db.dialect == "postgresql" \
                    and maintain(self.db, "ANALYZE integrity_chain, integrity_nodes"):  # lookups for proofs, not scans
                self._unanalyzed = 0
            return position

    def _batch(self) -> tuple[int, int]:
        with self.db.transaction() as cur:
            # the row lock makes a racing follower (another process) wait, then start from where this one ended
            t = read_tracking(cur, self.db.for_update)
            nodes_acc = read_nodes_tracking(cur)
            in_step = nodes_acc.size == t.size  # the stored subtrees reach the chain's head: extend both at once
            rows = self.events.after(cur, t.position, self.batch)
            chained, found, nodes = [], [], []
            for row in rows:
                t.head = link(t.head, frame(row.position, row.stream_id, row.version, row.topic, row.state))
                chained.append((row.position, t.size, t.head))
                if in_step:
                    nodes += node_emitting_add(t.frontier, t.head)
                else:
                    t.frontier.add(t.head)
                t.size += 1
                if row.topic == CHECKPOINT_TOPIC and (indexed := self._indexed(row)) is not None:
                    found.append(indexed)
            if rows:
                t.position = rows[-1].position
                cur.insert_rows("integrity_chain", ("position", "ordinal", "hash"), chained)
                cur.insert_rows("integrity_checkpoints", CHECKPOINT_COLUMNS, found)
                write_tracking(cur, t, _now())
                if in_step:
                    write_nodes(cur, t.frontier, nodes, _now())
            return t.position, len(rows)

    def _nodes_batch(self) -> bool:
        """Store the subtrees of one batch of already chained leaves; False once they reach the chain's head."""
        with self.db.transaction() as cur:
            t = read_tracking(cur, self.db.for_update)  # the sealers' lock: one writer of nodes at a time
            acc = read_nodes_tracking(cur, self.db.for_update)
            if acc.size >= t.size:
                return False
            leaves = chain_hashes(cur, acc.size, min(self.batch, t.size - acc.size))
            if not leaves:
                return False  # a gap in the ordinals: `verify` reports it; proofs fall back to the whole tree
            nodes = []
            for h in leaves:
                nodes += node_emitting_add(acc, h)
            write_nodes(cur, acc, nodes, _now())
            return True

    def _indexed(self, row: Row) -> tuple[Any, ...] | None:
        try:
            event: Any = self.app.mapper.to_domain_event(StoredEvent(row.stream_id, row.version, row.topic, row.state))
        except Exception:  # a forged row must not stop the sealer; `verify` reports it from the store itself
            return None
        return (event.position, row.position, row.stream_id, event.size, event.chain_head, event.merkle_root,
                event.signature, event.key_id, event.algorithm, event.timestamp.isoformat())

    def status(self) -> dict[str, Any]:
        with self.db.transaction(write=False) as cur:
            t, head = read_tracking(cur), self.events.head(cur)
        return {"position": t.position, "size": t.size, "chain_head": t.head.hex(),
                "merkle_root": t.frontier.root().hex(), "head": head, "behind": max(0, head - t.position)}

    # -- reading the chain ----------------------------------------------------------------------------------

    def chain(self, positions: list[int], *, stored: bool = True) -> dict[int, dict[str, Any]]:
        """Each chained position's leaf index, h(n), h(n-1) and the stored event it covers (state in base64);
        `stored=False` leaves the stored event out (the caller has it) and skips reading it again."""
        wanted = sorted(set(positions))
        if wanted and wanted[-1] > self.status()["position"]:
            self.catch_up()
        found: dict[int, dict[str, Any]] = {}
        dialect = self.db.dialect
        with self.db.transaction(write=False) as cur:
            links = chain_at(cur, "position", wanted, dialect)
            prevs = chain_at(cur, "ordinal", [o - 1 for _, o, _ in links.values() if o > 0], dialect)
            rows = {row.position: row for row in self.events.at(cur, list(links))} if stored else {}
        for position, (_, ordinal, h) in sorted(links.items()):
            prev = prevs[ordinal - 1][2] if ordinal else GENESIS
            found[position] = {"ordinal": ordinal, "hash": h.hex(), "prev": prev.hex()}
            if not stored:
                continue
            row = rows.get(position)
            if row is None:
                del found[position]  # chained, but no longer in the store: `verify` names it
                continue
            found[position].update(stream_id=row.stream_id, version=row.version, topic=row.topic,
                                   state_b64=base64.b64encode(row.state).decode("ascii"))
        return found

    def proofs(self, positions: list[int], checkpoint: dict[str, Any]) -> dict[int, list[str]]:
        """RFC 6962 audit paths (hex) of these positions' leaves in the checkpoint's tree (see `proven`)."""
        return {position: found["proof"] for position, found in self.proven(positions, checkpoint).items()}

    def proven(self, positions: list[int], checkpoint: dict[str, Any]) -> dict[int, dict[str, Any]]:
        """Each position's leaf index, h(n), h(n-1) and audit path (hex) in the checkpoint's tree, as an evidence
        bundle shows them: read from the stored subtrees and walked once (projections/integrity_paths.py); the
        walk must end at the checkpoint's root, which checks every path before any is handed out."""
        size, root = int(checkpoint["size"]), bytes.fromhex(str(checkpoint["merkle_root"]))
        wanted, dialect = sorted(set(positions)), self.db.dialect
        with self.db.transaction(write=False) as cur:
            if read_nodes_tracking(cur).size < size:  # subtrees not stored that far (a gap in the ordinals)
                return self._whole_tree(wanted, checkpoint)
            links = chain_at(cur, "position", wanted, dialect)
            for position in wanted:
                if position not in links or links[position][1] >= size:
                    raise Invalid(f"position {position} is not in the checkpoint at {checkpoint['position']}",
                                  errors={"position": ["not covered by the checkpoint"]})
            leaves = {ordinal: h for _, ordinal, h in links.values()}
            ordinals = sorted(leaves)
            nodes, low = needs(ordinals, size)
            low.update(o - 1 for o in ordinals if o)  # h(n-1): each event's `prev`
            leaves.update({o: h for o, (_, _, h) in chain_at(cur, "ordinal", sorted(low - set(leaves)), dialect).items()})
            stored = stored_nodes(cur, list(nodes), dialect)
        mismatch = RuleViolation("the chain table no longer matches the checkpoint; run `ledger verify`",
                                 code="chain-mismatch", errors={"checkpoint": ["root differs from the chain"]})
        try:
            walked, found = paths(ordinals, size, leaves, stored)
            if walked != root or top(size, leaves, stored) != root:
                raise mismatch
            return {position: {"ordinal": ordinal, "hash": h.hex(), "prev": (leaves[ordinal - 1] if ordinal else GENESIS).hex(),
                               "proof": [node.hex() for node in found[ordinal]]}
                    for position, (_, ordinal, h) in sorted(links.items())}
        except KeyError:  # a stored node or a leaf is missing
            raise mismatch from None

    def _whole_tree(self, wanted: list[int], checkpoint: dict[str, Any]) -> dict[int, dict[str, Any]]:
        chain = self.chain(wanted, stored=False)
        return {p: {"proof": self.proof(p, checkpoint), **chain[p]} for p in wanted}

    def proof(self, position: int, checkpoint: dict[str, Any]) -> list[str]:
        """The RFC 6962 audit path (hex) of that position's leaf in the checkpoint's tree (the whole tree, kept
        in memory for the next call: the slow path `proofs` falls back to and is compared with in tests)."""
        size = int(checkpoint["size"])
        with self.db.transaction(write=False) as cur:
            link_row = chain_at(cur, "position", [position]).get(position)
            if link_row is None or link_row[1] >= size:
                raise Invalid(f"position {position} is not in the checkpoint at {checkpoint['position']}",
                              errors={"position": ["not covered by the checkpoint"]})
            tree = self._tree  # one read: another thread may swap the cache meanwhile
            if tree is None or tree.size != size:
                tree = self._tree = MerkleTree(leaf_hashes(cur, size))
        if tree.root.hex() != checkpoint["merkle_root"]:
            raise RuleViolation("the chain table no longer matches the checkpoint; run `ledger verify`",
                                code="chain-mismatch", errors={"checkpoint": ["root differs from the chain"]})
        return [node.hex() for node in tree.proof(link_row[1])]

    # -- checkpoints ----------------------------------------------------------------------------------------

    def checkpoints(self, limit: int = 100) -> list[dict[str, Any]]:
        """Recorded checkpoints, newest first."""
        self.catch_up()
        keys = trusted_keys(self.settings)
        with self.db.transaction(write=False) as cur:
            return [self._public(row, keys) for row in checkpoint_rows(cur, limit=limit)]

    def sign(self, ctx: Ctx) -> Checkpoint:
        """Catch up, then sign and record a checkpoint at the chain's head (the same head is recorded once)."""
        key = signing_key(self.settings)  # refuse (503) before any work when no key is configured
        earlier = self.app.replay(ctx)  # type: ignore[attr-defined]
        if isinstance(earlier, Checkpoint):
            return earlier
        self.catch_up()
        with self.db.transaction(write=False) as cur:
            t = read_tracking(cur)
        if t.size == 0:
            raise RuleViolation("the ledger is empty: nothing to checkpoint", code="empty-ledger",
                                errors={"position": ["no events yet"]})
        root = t.frontier.root()
        signature = sign(key, checkpoint_message(t.position, t.size, t.head, root))
        command = RecordCheckpoint(position=t.position, size=t.size, chain_head=t.head.hex(), merkle_root=root.hex(),
                                   signature=signature.hex(), public_key=public_pem(key.public_key()),
                                   occurred_at=datetime.now(timezone.utc))
        checkpoint: Checkpoint = self.app.record_checkpoint(command, ctx)  # type: ignore[attr-defined]
        self.catch_up()  # index the new checkpoint event at once
        return checkpoint

    def checkpoint_covering(self, position: int, ctx: Ctx) -> dict[str, Any]:
        """The oldest checkpoint at or after `position` (the smallest tree holding it); signs one if none does."""
        head = self.catch_up()
        if position > head:
            raise Invalid(f"position {position} is beyond the ledger's head {head}",
                          errors={"position": [f"at most {head}"]})
        for attempt in range(2):
            with self.db.transaction(write=False) as cur:
                rows = checkpoint_rows(cur, "position >= ?", (position,), order="position", limit=1)
            if rows:
                return self._public(rows[0], trusted_keys(self.settings))
            if attempt == 0:
                # Without the caller's fingerprint: its key stays free for the caller's own result, and the
                # checkpoint's stream id (from its position) already makes signing the same head idempotent.
                self.sign(Ctx(actor=ctx.actor, idempotency_key=ctx.idempotency_key))
        raise NotFound(f"no checkpoint covers position {position}")

    def _public(self, row: dict[str, Any], keys: dict[str, Any]) -> dict[str, Any]:
        key = keys.get(row["key_id"])
        return {**row, "position": int(row["position"]), "size": int(row["size"]),
                "event_position": int(row["event_position"]), "public_key": public_pem(key) if key else None}

    # -- verification ---------------------------------------------------------------------------------------

    def verify(self, progress: Callable[[int], None] | None = None, *, catch_up: bool = True) -> dict[str, Any]:
        """Recompute every h(n), the checkpoints' heads and roots and their signatures; see docs/integrity.md."""
        if catch_up:
            self.catch_up()
        return verify_ledger(self.app, self.db, self.events, trusted_keys(self.settings), self.batch, progress)
