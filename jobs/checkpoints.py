"""The daily signed checkpoint of the hash chain (and the chain caught up before it)."""

from __future__ import annotations

from jobs.base import Job, JobContext

NAME = "checkpoint"


def sign_daily_checkpoint(context: JobContext) -> None:
    """Sign the chain's head once per UTC day: the key names the day, so a second run (or scheduler) replays the first."""
    before = context.app.head()
    signed = context.queries.integrity.sign(context.ctx(NAME, context.at.date().isoformat()))
    if context.app.head() != before:
        context.recorded += 1
    context.notes.append(f"checkpoint at position {signed.position}: root {signed.merkle_root}")


JOBS = [Job(NAME, "sign a checkpoint of the hash chain (position, chain head, Merkle root; Ed25519)", "30 0 * * *",
            sign_daily_checkpoint)]
