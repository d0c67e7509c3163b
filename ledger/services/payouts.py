"""Handlers for payout commands."""

from __future__ import annotations

from ledger.base import Ctx
from ledger.commands.payouts import AdjustPayout, ApprovePayout, CalculatePayout, PayPayout
from ledger.payout import PayoutRun
from ledger.rep import Rep
from ledger.services.base import ServiceBase


class PayoutService(ServiceBase):
    """Payout runs as facts: calculated, approved by someone else, paid, adjusted."""

    def calculate_payout(self, cmd: CalculatePayout, ctx: Ctx) -> PayoutRun:
        for line in cmd.lines:
            self.load(Rep, line["rep_id"], field="lines")
        run = PayoutRun.calculate(id=cmd.id, period=cmd.period, currency=cmd.currency, lines=cmd.lines,
                                  calculated_by=cmd.calculated_by, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, run)

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
