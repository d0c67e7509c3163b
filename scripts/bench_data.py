"""The benchmark's data: a generated organisation imported in bulk, and the samples queries are drawn from."""

from __future__ import annotations

import random
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from ledger.settings import Settings

PERIODS = [f"{year}-{month:02d}" for year in (2025, 2026) for month in range(1, 13)] + [
    f"{year}-Q{quarter}" for year in (2025, 2026) for quarter in range(1, 5)]


def generate_and_import(settings: Settings, events: int, seed: int) -> dict[str, Any]:
    """Write the generator's file for `events` events, then bulk-import it, timing the import only."""
    from api.schemas.imports import build_command
    from ledger.application import build_application
    from ledger.imports.runner import import_file
    from scripts.generate import generate

    with tempfile.TemporaryDirectory(prefix="ledger-bench-data-") as directory:
        path = Path(directory) / "history.jsonl"
        generate(path, events=events, seed=seed)
        app = build_application(settings)
        try:
            head = app.head()
            started = time.perf_counter()
            report = import_file(app, path, build=build_command, actor="bench")
            seconds = time.perf_counter() - started
            written = app.head() - head
        finally:
            app.close()
    return {"events": written, "seconds": seconds, "events_per_s": written / max(seconds, 1e-9),
            "rows": getattr(report, "rows", None)}


def world(app: Any, queries: Any, seed: int) -> dict[str, Any]:
    """Reps and customers to draw requests and queries from, read from the projections."""
    moment = queries.read_side.moment(None)
    reps = [UUID(key) for _, key, state in queries.read_side.rows("scorecards", "rep", moment) if state.get("active")]
    customers = [UUID(key) for _, key, state in queries.read_side.rows("pool", "customer", moment)]
    if not reps or not customers:
        raise RuntimeError("the imported organisation has no reps or customers")
    return {"reps": reps, "customers": customers, "periods": PERIODS, "seed": seed}


def token(app: Any) -> str:
    """A fresh admin token recorded in the bench store."""
    from ledger.base import Ctx
    from ledger.commands.access import IssueToken

    command = IssueToken(name=f"bench-{uuid4().hex[:6]}", role="admin", occurred_at=datetime.now(timezone.utc))
    return str(app.issue_token(command, Ctx("bench", f"bench-token-{uuid4()}"))[1])


def follow_up(rng: random.Random, found: dict[str, Any]) -> dict[str, Any]:
    return {"rep_id": str(rng.choice(found["reps"])), "customer_id": str(rng.choice(found["customers"])),
            "kind": rng.choice(["call", "visit", "wechat", "email"]), "stage": rng.choice(["lead", "qualified"]),
            "notes": "bench"}


def evidence(app: Any, queries: Any, settings: Settings, found: dict[str, Any]) -> dict[str, Any]:
    """Build the evidence bundle of the rep holding the most customers: seconds, bytes and the rep."""
    from ledger.base import Ctx

    counts: Counter[UUID] = Counter({rep: 0 for rep in found["reps"]})
    moment = queries.read_side.moment(None)
    for part, _, state in queries.read_side.rows("pool", "holding", moment):
        if part and state.get("held"):
            counts[UUID(part)] += 1
    busiest = counts.most_common(1)[0][0]
    # The chain follower and the evidence index follow the log continuously in production (the scheduler);
    # their catch-up over the freshly imported log is timed apart, not as part of a bundle.
    started = time.perf_counter()
    queries.integrity.catch_up()
    sealed = time.perf_counter()
    queries.evidence.index.catch_up()
    indexed = time.perf_counter()
    bundle = queries.evidence.build(busiest, None, None, Ctx("bench", f"bench-evidence-{uuid4()}"))
    return {"seconds": time.perf_counter() - indexed, "rep_id": str(busiest), "bytes": len(bundle.zip_bytes),
            "events": _bundle_events(bundle.zip_bytes),
            "chain_catch_up_s": sealed - started, "index_catch_up_s": indexed - sealed}


def _bundle_events(zip_bytes: bytes) -> int:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        return archive.read("events.jsonl").count(b"\n")
