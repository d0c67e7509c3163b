"""Handlers for sales commands: follow-ups and deals."""

from __future__ import annotations

from ledger.base import Ctx
from ledger.commands.sales import CloseDeal, LogFollowUp, ReverseDeal
from ledger.customer import Customer
from ledger.deal import Deal
from ledger.errors import RuleViolation
from ledger.followup import FollowUp
from ledger.rep import Rep
from ledger.services.base import ServiceBase


class SalesService(ServiceBase):
    """Follow-ups logged against customers; deals closed, split and reversed."""

    def log_follow_up(self, cmd: LogFollowUp, ctx: Ctx) -> FollowUp:
        self.load(Rep, cmd.rep_id, field="rep_id").check_active()
        self.load(Customer, cmd.customer_id, field="customer_id")
        follow_up = FollowUp.log(id=cmd.id, rep_id=cmd.rep_id, customer_id=cmd.customer_id, kind=cmd.kind,
                                 stage=cmd.stage, notes=cmd.notes, duration_minutes=cmd.duration_minutes,
                                 **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, follow_up)

    def close_deal(self, cmd: CloseDeal, ctx: Ctx) -> Deal:
        self.load(Rep, cmd.rep_id, field="rep_id").check_active()
        self.load(Customer, cmd.customer_id, field="customer_id")
        for split in cmd.splits or []:
            if split["rep_id"] != cmd.rep_id and not self.load(Rep, split["rep_id"], field="splits").active:
                raise RuleViolation(f"rep {split['rep_id']} in the split has left", code="rep-departed",
                                    errors={"splits": ["a rep in the split has left"]})
        deal = Deal.close(id=cmd.id, rep_id=cmd.rep_id, customer_id=cmd.customer_id, amount=cmd.amount,
                          currency=cmd.currency, product=cmd.product, customer_type=cmd.customer_type,
                          splits=cmd.splits, closed_on=cmd.closed_on, margin=cmd.margin,
                          **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, deal)

    def reverse_deal(self, cmd: ReverseDeal, ctx: Ctx) -> Deal:
        deal = self.load(Deal, cmd.deal_id)
        deal.reverse(kind=cmd.kind, reason=cmd.reason, amount=cmd.amount, currency=cmd.currency,
                     **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, deal)
