"""Handlers for rules-as-data commands: KPI schemes, commission plans, pool policies, exchange rates."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from ledger.base import Ctx
from ledger.commands.rules import (
    AssignCommissionPlan,
    DefineCommissionPlan,
    DefineKpiScheme,
    RecordFxRate,
    ReviseCommissionPlan,
    ReviseKpiScheme,
    SetPoolPolicy,
)
from ledger.commission_plan import CommissionPlan
from ledger.errors import NotFound
from ledger.fx_rate import FxRate, pair_id
from ledger.kpi_scheme import KpiScheme
from ledger.pool_policy import PoolPolicy, policy_id, scope_of
from ledger.rep import Rep
from ledger.services.base import ServiceBase
from ledger.team import Team


def pool_policy_in_force(service: ServiceBase, team_id: UUID | None, on: date) -> dict[str, Any] | None:
    """The pool setting in force on a day for a team: the team's own if it has one in force that day,
    else the company's; None when neither is (then no pool limit applies)."""
    for scope in ([scope_of(team_id)] if team_id is not None else []) + [scope_of(None)]:
        try:
            setting = service.load(PoolPolicy, policy_id(scope)).in_force(on)
        except NotFound:
            continue
        if setting is not None:
            return setting
    return None


class RulesService(ServiceBase):
    """Every rule is an effective-dated event, so history can be replayed under the rules in force."""

    def define_kpi_scheme(self, cmd: DefineKpiScheme, ctx: Ctx) -> KpiScheme:
        for team_id in cmd.team_ids:
            self.load(Team, team_id, field="team_ids")
        scheme = KpiScheme.define(id=cmd.id, name=cmd.name, effective_from=cmd.effective_from,
                                  indicators=cmd.indicators, cohorts=cmd.cohorts, team_ids=cmd.team_ids, cap=cmd.cap,
                                  **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, scheme)

    def revise_kpi_scheme(self, cmd: ReviseKpiScheme, ctx: Ctx) -> KpiScheme:
        scheme = self.load(KpiScheme, cmd.scheme_id)
        scheme.revise(name=cmd.name, effective_from=cmd.effective_from, indicators=cmd.indicators,
                      cohorts=cmd.cohorts, reason=cmd.reason, cap=cmd.cap, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, scheme)

    def define_commission_plan(self, cmd: DefineCommissionPlan, ctx: Ctx) -> CommissionPlan:
        plan = CommissionPlan.define(id=cmd.id, name=cmd.name, currency=cmd.currency,
                                     effective_from=cmd.effective_from, rules=cmd.rules, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, plan)

    def revise_commission_plan(self, cmd: ReviseCommissionPlan, ctx: Ctx) -> CommissionPlan:
        plan = self.load(CommissionPlan, cmd.plan_id)
        plan.revise(rules=cmd.rules, effective_from=cmd.effective_from, reason=cmd.reason,
                    **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, plan)

    def assign_commission_plan(self, cmd: AssignCommissionPlan, ctx: Ctx) -> CommissionPlan:
        plan = self.load(CommissionPlan, cmd.plan_id)
        self.load(Rep if cmd.scope == "rep" else Team, cmd.scope_id, field="scope_id")
        plan.assign(scope=cmd.scope, scope_id=cmd.scope_id, starts_on=cmd.starts_on, ends_on=cmd.ends_on,
                    **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, plan)

    def set_pool_policy(self, cmd: SetPoolPolicy, ctx: Ctx) -> PoolPolicy:
        stamp = ctx.stamp(cmd.occurred_at)
        if cmd.team_id is not None:
            self.load(Team, cmd.team_id, field="team_id")
        try:
            policy = self.load(PoolPolicy, policy_id(scope_of(cmd.team_id)))
        except NotFound:
            policy = PoolPolicy.open(team_id=cmd.team_id, **stamp)
        policy.set(effective_from=cmd.effective_from, max_customers=cmd.max_customers, idle_days=cmd.idle_days,
                   no_deal_days=cmd.no_deal_days, warning_days=cmd.warning_days,
                   protection_days=cmd.protection_days, cooloff_days=cmd.cooloff_days,
                   distribution=cmd.distribution, idle_days_by_level=cmd.idle_days_by_level,
                   rebalance_threshold=cmd.rebalance_threshold, **stamp)
        return self.commit(ctx, policy)

    def pool_policy_for(self, team_id: UUID | None) -> PoolPolicy:
        """The policy stream of the company (team_id None) or of one team; 404 if never set."""
        return self.load(PoolPolicy, policy_id(scope_of(team_id)))

    def pool_policy_in_force(self, team_id: UUID | None, on: date) -> dict[str, Any] | None:
        """The pool rules a team's reps are under on a day (see `pool_policy_in_force`)."""
        return pool_policy_in_force(self, team_id, on)

    def record_fx_rate(self, cmd: RecordFxRate, ctx: Ctx) -> FxRate:
        stamp = ctx.stamp(cmd.occurred_at)
        try:
            pair = self.load(FxRate, pair_id(cmd.base, cmd.quote))
        except NotFound:
            pair = FxRate.open(base=cmd.base, quote=cmd.quote, **stamp)
        pair.record(rate=cmd.rate, on=cmd.on, source=cmd.source, **stamp)
        return self.commit(ctx, pair)
