"""Handlers for payout commands and disputes."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError

from ledger.base import Ctx
from ledger.commands.payouts import (
    AdjustPayout,
    ApprovePayout,
    CalculatePayout,
    OpenDispute,
    PayPayout,
    RecalculatePayout,
    ResolveDispute,
)
from ledger.dispute import Dispute
from ledger.errors import RuleViolation
from ledger.payout import PayoutRun
from ledger.rep import Rep
from ledger.services.base import ServiceBase
from ledger.team import Team

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:payout-run")


def run_id(team_id: UUID, period: str) -> UUID:
    """One run per team and month: a second calculation is a recalculation of the same run."""
    return uuid5(_NAMESPACE, f"{team_id}:{period}")


class PayoutService(ServiceBase):
    """Payout runs as facts: calculated, approved by someone else, paid; corrections are adjustments."""

    def calculate_payout(self, cmd: CalculatePayout, ctx: Ctx) -> PayoutRun:
        self.load(Team, cmd.team_id, field="team_id")
        the_id = run_id(cmd.team_id, cmd.period)
        try:
            self.repository.get(the_id)
        except AggregateNotFoundError:
            pass
        else:
            raise RuleViolation(f"the run for team {cmd.team_id} and {cmd.period} exists; recalculate it instead",
                                code="run-exists", errors={"period": [f"run {the_id} exists"]})
        run = PayoutRun.calculate(id=the_id, period=cmd.period, team_id=cmd.team_id, currency=cmd.currency,
                                  lines=cmd.lines, through_position=cmd.through_position,
                                  calculated_by=cmd.calculated_by, **ctx.stamp(cmd.occurred_at))
        self._adjust(run, cmd.adjustments, ctx, cmd)
        return self.commit(ctx, run)

    def recalculate_payout(self, cmd: RecalculatePayout, ctx: Ctx) -> PayoutRun:
        run = self.load(PayoutRun, cmd.run_id)
        run.recalculate(lines=cmd.lines, through_position=cmd.through_position,
                        recalculated_by=cmd.recalculated_by, **ctx.stamp(cmd.occurred_at))
        self._adjust(run, cmd.adjustments, ctx, cmd)
        return self.commit(ctx, run)

    @staticmethod
    def _adjust(run: PayoutRun, adjustments: list[dict[str, Any]], ctx: Ctx, cmd: Any) -> None:
        for item in adjustments:
            run.adjust(**item, **ctx.stamp(cmd.occurred_at))

    def approve_payout(self, cmd: ApprovePayout, ctx: Ctx) -> PayoutRun:
        run = self.load(PayoutRun, cmd.run_id)
        run.approve(approved_by=cmd.approved_by, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, run)

    def pay_payout(self, cmd: PayPayout, ctx: Ctx) -> PayoutRun:
        run = self.load(PayoutRun, cmd.run_id)
        run.pay(paid_on=cmd.paid_on, reference=cmd.reference, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, run)

    def adjust_payout(self, cmd: AdjustPayout, ctx: Ctx) -> PayoutRun:
        run = self.load(PayoutRun, cmd.run_id)
        self.load(Rep, cmd.rep_id, field="rep_id")
        run.adjust(rep_id=cmd.rep_id, amount=cmd.amount, reason=cmd.reason, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, run)

    def open_dispute(self, cmd: OpenDispute, ctx: Ctx) -> Dispute:
        self.load(Rep, cmd.rep_id, field="rep_id")
        dispute = Dispute.open(id=cmd.id, rep_id=cmd.rep_id, period=cmd.period, line_id=cmd.line_id,
                               reason=cmd.reason, comment=cmd.comment, claimed_amount=cmd.claimed_amount,
                               currency=cmd.currency, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, dispute)

    def resolve_dispute(self, cmd: ResolveDispute, ctx: Ctx) -> Dispute:
        dispute = self.load(Dispute, cmd.dispute_id)
        dispute.resolve(outcome=cmd.outcome, amount=cmd.amount, note=cmd.note, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, dispute)
