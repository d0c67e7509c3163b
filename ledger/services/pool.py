"""Handlers for customer-pool commands, under the pool policy in force on each command's business date."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from ledger.base import Ctx
from ledger.commands.pool import (
    AssignCustomer,
    ClaimCustomer,
    RecordContact,
    RecycleCustomer,
    RegisterCustomer,
    ReleaseCustomer,
    WarnRecycle,
)
from ledger.customer import Customer
from ledger.errors import NotFound
from ledger.holdings import Holdings, holdings_id
from ledger.rep import Rep
from ledger.services.base import ServiceBase
from ledger.services.rules import pool_policy_in_force


class PoolService(ServiceBase):
    """The shared customer pool and who owns what. Every ownership change saves the customer and the
    holdings of each rep it concerns in one transaction, so holding limits hold under concurrent claims."""

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
        stamp = ctx.stamp(cmd.occurred_at)
        customer = self.load(Customer, cmd.customer_id)
        rep = self.load(Rep, cmd.rep_id, field="rep_id")
        rep.check_active()
        policy = self.pool_rules(rep.team_id, stamp["occurred_at"])
        customer.claim(rep_id=rep.id, cooloff_days=policy.get("cooloff_days", 0), **stamp)
        holdings = self.holdings_of(rep.id, stamp)
        holdings.take(customer_id=customer.id, limit=policy.get("max_customers"), **stamp)
        return self.commit(ctx, customer, holdings)

    def assign_customer(self, cmd: AssignCustomer, ctx: Ctx) -> Customer:
        stamp = ctx.stamp(cmd.occurred_at)
        customer = self.load(Customer, cmd.customer_id)
        rep = self.load(Rep, cmd.rep_id, field="rep_id")
        rep.check_active()
        previous = customer.owner_id
        customer.assign(rep_id=rep.id, reason=cmd.reason, rule=cmd.rule, seed=cmd.seed, ranking=cmd.ranking, **stamp)
        holdings = self.holdings_of(rep.id, stamp)
        holdings.take(customer_id=customer.id, limit=self.pool_rules(rep.team_id, stamp["occurred_at"])
                      .get("max_customers"), **stamp)
        return self.commit(ctx, customer, holdings, *self._given(previous, customer.id, stamp))

    def release_customer(self, cmd: ReleaseCustomer, ctx: Ctx) -> Customer:
        stamp = ctx.stamp(cmd.occurred_at)
        customer = self.load(Customer, cmd.customer_id)
        owner = customer.owner_id
        customer.release(reason=cmd.reason, **stamp)
        return self.commit(ctx, customer, *self._given(owner, customer.id, stamp))

    def warn_recycle(self, cmd: WarnRecycle, ctx: Ctx) -> Customer:
        customer = self.load(Customer, cmd.customer_id)
        customer.warn_recycle(rule=cmd.rule, days_idle=cmd.days_idle, recycle_on=cmd.recycle_on,
                              **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, customer)

    def recycle_customer(self, cmd: RecycleCustomer, ctx: Ctx) -> Customer:
        stamp = ctx.stamp(cmd.occurred_at)
        customer = self.load(Customer, cmd.customer_id)
        owner = customer.check_owned()
        protection = self.pool_rules(self._team_of(owner), stamp["occurred_at"]).get("protection_days", 0)
        customer.recycle(rule=cmd.rule, days_idle=cmd.days_idle, protection_days=protection, **stamp)
        return self.commit(ctx, customer, *self._given(owner, customer.id, stamp))

    # -- pool rules and holdings ---------------------------------------------------------------------

    def pool_rules(self, team_id: UUID | None, at: datetime) -> dict[str, Any]:
        """The pool setting in force for a team on the UTC business date of `at`; empty when none is."""
        return pool_policy_in_force(self, team_id, at.astimezone(timezone.utc).date()) or {}

    def holdings_of(self, rep_id: UUID, stamp: dict[str, Any]) -> Holdings:
        """A rep's holdings stream, opened (in the same unit of work) on the rep's first customer."""
        try:
            return self.load(Holdings, holdings_id(rep_id))
        except NotFound:
            return Holdings.open(rep_id=rep_id, **stamp)

    def held_count(self, rep_id: UUID) -> int:
        try:
            return self.load(Holdings, holdings_id(rep_id)).count
        except NotFound:
            return 0

    def _given(self, rep_id: UUID | None, customer_id: UUID, stamp: dict[str, Any]) -> list[Holdings]:
        """The previous owner's holdings with the customer given up (none if they were never kept)."""
        if rep_id is None:
            return []
        try:
            holdings = self.load(Holdings, holdings_id(rep_id))
        except NotFound:
            return []
        holdings.give(customer_id=customer_id, **stamp)
        return [holdings]

    def _team_of(self, rep_id: UUID) -> UUID | None:
        try:
            return self.load(Rep, rep_id).team_id
        except NotFound:
            return None
