"""Handlers for customer-pool commands."""

from __future__ import annotations

from ledger.base import Ctx
from ledger.commands.pool import (
    AssignCustomer,
    ClaimCustomer,
    RecordContact,
    RecycleCustomer,
    RegisterCustomer,
    ReleaseCustomer,
)
from ledger.customer import Customer
from ledger.rep import Rep
from ledger.services.base import ServiceBase


class PoolService(ServiceBase):
    """The shared customer pool and who owns what."""

    def register_customer(self, cmd: RegisterCustomer, ctx: Ctx) -> Customer:
        customer = Customer.register(id=cmd.id, name=cmd.name, segment=cmd.segment, source=cmd.source,
                                     region=cmd.region, level=cmd.level, **ctx.stamp(cmd.occurred_at))
        for contact in cmd.contacts:
            customer.record_contact(name=contact.name, phone=contact.phone, title=contact.title,
                                    **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, customer)

    def record_contact(self, cmd: RecordContact, ctx: Ctx) -> Customer:
        customer = self.load(Customer, cmd.customer_id)
        customer.record_contact(name=cmd.name, phone=cmd.phone, title=cmd.title, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, customer)

    def claim_customer(self, cmd: ClaimCustomer, ctx: Ctx) -> Customer:
        customer = self.load(Customer, cmd.customer_id)
        self.load(Rep, cmd.rep_id, field="rep_id").check_active()
        customer.claim(rep_id=cmd.rep_id, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, customer)

    def assign_customer(self, cmd: AssignCustomer, ctx: Ctx) -> Customer:
        customer = self.load(Customer, cmd.customer_id)
        self.load(Rep, cmd.rep_id, field="rep_id").check_active()
        customer.assign(rep_id=cmd.rep_id, reason=cmd.reason, rule=cmd.rule, seed=cmd.seed,
                        **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, customer)

    def release_customer(self, cmd: ReleaseCustomer, ctx: Ctx) -> Customer:
        customer = self.load(Customer, cmd.customer_id)
        customer.release(reason=cmd.reason, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, customer)

    def recycle_customer(self, cmd: RecycleCustomer, ctx: Ctx) -> Customer:
        customer = self.load(Customer, cmd.customer_id)
        customer.recycle(rule=cmd.rule, days_idle=cmd.days_idle, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, customer)
