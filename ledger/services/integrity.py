"""Handlers for integrity commands: signed checkpoints, recorded once per position."""

from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError

from ledger.base import Ctx
from ledger.checkpoint import Checkpoint, checkpoint_id
from ledger.commands.integrity import RecordCheckpoint
from ledger.errors import ConcurrentUpdate
from ledger.services.base import ServiceBase


class IntegrityService(ServiceBase):
    """Checkpoints of the hash chain."""

    def record_checkpoint(self, cmd: RecordCheckpoint, ctx: Ctx) -> Checkpoint:
        """The checkpoint at that position; one already recorded (here or by another process) is returned."""
        earlier = self.checkpoint_at(cmd.position)
        if earlier is not None:
            return self.commit(ctx, earlier)  # records only the request, so a retry of this key replays it
        checkpoint = Checkpoint.sign(position=cmd.position, size=cmd.size, chain_head=cmd.chain_head,
                                     merkle_root=cmd.merkle_root, signature=cmd.signature, public_key=cmd.public_key,
                                     **ctx.stamp(cmd.occurred_at))
        try:
            return self.commit(ctx, checkpoint)
        except ConcurrentUpdate:
            earlier = self.checkpoint_at(cmd.position)
            if earlier is None:
                raise
            return earlier  # another signer recorded this position first: it is checkpointed, once

    def checkpoint_at(self, position: int) -> Checkpoint | None:
        try:
            found: object = self.repository.get(checkpoint_id(position))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, Checkpoint) else None
