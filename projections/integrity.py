"""The sealer: a follower that extends the hash chain from its own tracking position, and signs checkpoints."""

from __future__ import annotations

import base64
import threading
from datetime import datetime, timezone
from typing import Any, Callable

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from ledger.base import Ctx
from ledger.chain import GENESIS, MerkleTree, checkpoint_message, frame, link
from ledger.checkpoint import Checkpoint
from ledger.commands.integrity import RecordCheckpoint
from ledger.errors import Invalid, NotFound, RuleViolation
from ledger.settings import Settings
from ledger.signing import public_pem, sign, signing_key, trusted_keys
from projections.db import Database
from projections.integrity_store import (
    BATCH,
    CHECKPOINT_COLUMNS,
    CHECKPOINT_TOPIC,
    EventTable,
    Row,
    chain_at,
    checkpoint_rows,
    ensure_tracking,
    leaf_hashes,
    read_tracking,
    schema,
    write_tracking,
)
from projections.integrity_verify import verify_ledger


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class Integrity:
    """Hash chain, Merkle checkpoints and verification over one ledger and its database (see docs/integrity.md)."""

    def __init__(self, app: Application[Any], db: Database, settings: Settings, *, create: bool = True,
                 batch: int = BATCH) -> None:
        self.app, self.db, self.settings, self.batch = app, db, settings, batch
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
            while True:
                position, count = self._batch()
                if progress and count:
                    progress(count)
                if count < self.batch:
                    return position

    def _batch(self) -> tuple[int, int]:
        with self.db.transaction() as cur:
            # the row lock makes a racing follower (another process) wait, then start from where this one ended
            t = read_tracking(cur, self.db.for_update)
            rows = self.events.after(cur, t.position, self.batch)
            chained, found = [], []
            for row in rows:
                t.head = link(t.head, frame(row.position, row.stream_id, row.version, row.topic, row.state))
                chained.append((row.position, t.size, t.head))
                t.frontier.add(t.head)
                t.size += 1
                if row.topic == CHECKPOINT_TOPIC and (indexed := self._indexed(row)) is not None:
                    found.append(indexed)
            if rows:
                t.position = rows[-1].position
                cur.insert_rows("integrity_chain", ("position", "ordinal", "hash"), chained)
                cur.insert_rows("integrity_checkpoints", CHECKPOINT_COLUMNS, found)
                write_tracking(cur, t, _now())
            return t.position, len(rows)

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

    def chain(self, positions: list[int]) -> dict[int, dict[str, Any]]:
        """Each chained position's leaf index, h(n), h(n-1) and the stored event it covers (state in base64)."""
        wanted = sorted(set(positions))
        if wanted and wanted[-1] > self.status()["position"]:
            self.catch_up()
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(wanted), 500):  # bounded IN lists
            part = wanted[start:start + 500]
            with self.db.transaction(write=False) as cur:
                links = chain_at(cur, "position", part)
                prevs = chain_at(cur, "ordinal", [o - 1 for _, o, _ in links.values() if o > 0])
                rows = {row.position: row for row in self.events.at(cur, list(links))}
            for position, (_, ordinal, h) in links.items():
                row = rows.get(position)
                if row is None:
                    continue  # chained, but no longer in the store: `verify` names it
                prev = prevs[ordinal - 1][2] if ordinal else GENESIS
                found[position] = {"ordinal": ordinal, "hash": h.hex(), "prev": prev.hex(), "stream_id": row.stream_id,
                                   "version": row.version, "topic": row.topic,
                                   "state_b64": base64.b64encode(row.state).decode("ascii")}
        return found

    def proof(self, position: int, checkpoint: dict[str, Any]) -> list[str]:
        """The RFC 6962 audit path (hex) of that position's leaf in the checkpoint's tree."""
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
