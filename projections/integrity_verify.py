"""`verify`: recompute the whole chain from the stored rows in one pass and check every checkpoint against it."""

from __future__ import annotations

import time
from typing import Any, Callable, Iterator, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from ledger.chain import GENESIS, MerkleAccumulator, checkpoint_message, frame, link
from ledger.signing import verify as signature_ok
from projections.db import Cursor, Database
from projections.integrity_store import CHECKPOINT_TOPIC, EventTable, Row, chain_rows, read_tracking

MAX_LISTED = 100  # problems listed in a report; the count is always complete
T = TypeVar("T")


def _paged(db: Database, fetch: Callable[[Cursor, int], list[T]], key: Callable[[T], int], until: int,
           batch: int) -> Iterator[T]:
    """Rows in position order up to `until`, one short read transaction per page."""
    after = 0
    while True:
        with db.transaction(write=False) as cur:
            page = fetch(cur, after)
        for item in page:
            if key(item) > until:
                return
            yield item
        if len(page) < batch:
            return
        after = key(page[-1])


def _checkpoints(app: Application[Any], rows: list[Row]) -> tuple[dict[int, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Checkpoint events read from the store itself (not from the index), by the position they cover."""
    found: dict[int, list[dict[str, Any]]] = {}
    broken = []
    for row in rows:
        try:
            event: Any = app.mapper.to_domain_event(StoredEvent(row.stream_id, row.version, row.topic, row.state))
            cp: dict[str, Any] = {"position": int(event.position), "id": row.stream_id, "event_position": row.position,
                  "size": int(event.size), "chain_head": str(event.chain_head), "merkle_root": str(event.merkle_root),
                  "signature": str(event.signature), "key_id": str(event.key_id)}
        except Exception as error:  # a tampered event may not decode at all: that is a finding, not a crash
            broken.append({"position": None, "event_position": row.position, "ok": False,
                           "reason": f"the checkpoint event does not decode: {type(error).__name__}"})
            continue
        found.setdefault(cp["position"], []).append(cp)
    return found, broken


class _Pass:
    """State of the one pass: recomputed hashes, the Merkle frontier, and what disagreed where."""

    def __init__(self, keys: dict[str, Ed25519PublicKey]) -> None:
        self.keys = keys
        self.prev, self.acc, self.checked = GENESIS, MerkleAccumulator(), 0
        self.problems: list[dict[str, Any]] = []
        self.problem_count = 0
        self.first_bad: int | None = None
        self.results: list[dict[str, Any]] = []
        self.last_good_checkpoint = 0

    def problem(self, position: int, kind: str, detail: str) -> None:
        self.problem_count += 1
        if self.first_bad is None:
            self.first_bad = position
        if len(self.problems) < MAX_LISTED:
            self.problems.append({"position": position, "problem": kind, "detail": detail})

    def leaf(self, position: int, ordinal: int, recomputed: bytes, recorded: bytes) -> None:
        if ordinal != self.acc.size:
            self.problem(position, "chain", f"the chain table gives position {position} leaf {ordinal}, "
                                            f"expected {self.acc.size}")
        self.acc.add(recomputed)
        self.checked += 1
        self.prev = recorded  # resume from the recorded hash: each later event is still checked on its own

    def checkpoint(self, cp: dict[str, Any], head: bytes) -> None:
        reasons = []
        key = self.keys.get(cp["key_id"])
        try:
            message = checkpoint_message(cp["position"], cp["size"], bytes.fromhex(cp["chain_head"]),
                                         bytes.fromhex(cp["merkle_root"]))
            signature = bytes.fromhex(cp["signature"])
        except ValueError:
            message, signature = b"", b""
        if key is None:
            reasons.append(f"signed with key {cp['key_id']}, which is not configured")
        elif not signature or not signature_ok(key, signature, message):
            reasons.append("the signature does not verify")
        if cp["size"] != self.acc.size:
            reasons.append(f"size {cp['size']} but {self.acc.size} events are chained up to its position")
        if cp["chain_head"] != head.hex():
            reasons.append("the chain head recomputed from the stored events differs")
        if cp["merkle_root"] != self.acc.root().hex():
            reasons.append("the Merkle root recomputed from the stored events differs")
        if self.first_bad is not None and self.first_bad <= cp["position"]:
            reasons.append(f"it covers position {self.first_bad}, which fails verification")
        ok = not reasons
        if not ok and self.first_bad is None:  # the events check out one by one, yet the signed state differs
            self.problem(cp["position"], "checkpoint", f"checkpoint {cp['id']} disagrees with the stored events "
                         f"between positions {self.last_good_checkpoint + 1} and {cp['position']}: {'; '.join(reasons)}")
        if ok:
            self.last_good_checkpoint = cp["position"]
        self.results.append({**cp, "ok": ok, "reason": "; ".join(reasons) or None})


def verify_ledger(app: Application[Any], db: Database, events: EventTable, keys: dict[str, Ed25519PublicKey], batch: int,
                  progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """The report: ok, positions checked, the first bad position and why, and every checkpoint's verdict."""
    started = time.perf_counter()
    with db.transaction(write=False) as cur:
        tracking = read_tracking(cur)
        store_head = events.head(cur)
        unchained = events.count_after(cur, tracking.position)
        by_position, broken = _checkpoints(app, events.with_topic(cur, CHECKPOINT_TOPIC))
    until = tracking.position  # rows written after the sealer's position are not chained yet: not judged
    stored = _paged(db, lambda cur, after: events.after(cur, after, batch), lambda r: r.position, until, batch)
    chained = _paged(db, lambda cur, after: chain_rows(cur, after, batch), lambda r: r[0], until, batch)
    state = _Pass(keys)
    row, link_row = next(stored, None), next(chained, None)
    done = 0
    while row is not None or link_row is not None:
        if link_row is not None and (row is None or link_row[0] < row.position):
            position, ordinal, recorded = link_row
            state.problem(position, "missing", f"position {position} was chained but is no longer in the event store")
            head = recorded
            state.leaf(position, ordinal, recorded, recorded)
            link_row = next(chained, None)
        elif row is not None and (link_row is None or row.position < link_row[0]):
            state.problem(row.position, "extra", f"position {row.position} is in the event store but was never chained "
                                                 f"(inserted behind the sealer)")
            row = next(stored, None)
            continue
        else:
            assert row is not None and link_row is not None
            position, ordinal, recorded = link_row
            head = link(state.prev, frame(row.position, row.stream_id, row.version, row.topic, row.state))
            if head != recorded:
                state.problem(position, "changed", f"the stored bytes of position {position} (stream {row.stream_id} "
                                                   f"version {row.version}) do not hash to the recorded chain value")
            state.leaf(position, ordinal, head, recorded)
            row, link_row = next(stored, None), next(chained, None)
        for cp in by_position.pop(position, []):
            state.checkpoint(cp, head)
        done += 1
        if progress and done % batch == 0:
            progress(batch)
    if progress and done % batch:
        progress(done % batch)
    for cps in by_position.values():  # positions the pass never reached
        for cp in cps:
            reason = f"position {cp['position']} is not a chained position"
            state.results.append({**cp, "ok": False, "reason": reason})
            if state.first_bad is None:
                state.problem(cp["position"], "checkpoint", f"checkpoint {cp['id']}: {reason}")
    results = sorted(state.results, key=lambda r: r["event_position"]) + broken
    if broken and state.first_bad is None:
        state.problem(broken[0]["event_position"], "checkpoint", broken[0]["reason"])
    failing = state.problems[0] if state.problems else None
    return {
        "ok": state.problem_count == 0 and all(r["ok"] for r in results),
        "checked": state.checked, "head": tracking.position, "store_head": store_head, "unchained": unchained,
        "first_bad_position": state.first_bad, "problem": failing["problem"] if failing else None,
        "detail": failing["detail"] if failing else None, "problem_count": state.problem_count,
        "problems": state.problems, "merkle_root": state.acc.root().hex(), "chain_head": state.prev.hex(),
        "checkpoints": results, "seconds": round(time.perf_counter() - started, 3),
    }
