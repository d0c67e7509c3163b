"""Handlers for targets (quotas)."""

from __future__ import annotations

from eventsourcing.application import AggregateNotFoundError

from ledger.base import Ctx
from ledger.commands.targets import SetTarget
from ledger.periods import check_period
from ledger.rep import Rep
from ledger.services.base import ServiceBase
from ledger.target import Target, target_id
from ledger.team import Team


class TargetService(ServiceBase):
    """Setting a target twice records a change, so the history shows what the target was when."""

    def set_target(self, cmd: SetTarget, ctx: Ctx) -> Target:
        owner = Rep if cmd.scope == "rep" else Team
        self.load(owner, cmd.scope_id, field=f"{cmd.scope}_id")
        period = check_period(cmd.period)
        try:
            existing: object = self.repository.get(target_id(cmd.scope, cmd.scope_id, period, cmd.indicator))
        except AggregateNotFoundError:
            existing = None
        stamp = ctx.stamp(cmd.occurred_at)
        if isinstance(existing, Target):
            existing.change(value=cmd.value, reason=cmd.reason, **stamp)
            return self.commit(ctx, existing)
        target = Target.set(scope=cmd.scope, scope_id=cmd.scope_id, period=period, indicator=cmd.indicator,
                            value=cmd.value, reason=cmd.reason, **stamp)
        return self.commit(ctx, target)
