"""Utilisation rebalancing at period close, and pool limits with and without a policy in force."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ledger.commands import org, pool, rules
from ledger.errors import RuleViolation
from ledger.settings import Settings
from tests.integration.pool_world import World, at, ctx, follow_up, history, run, store


def test_rebalance_recycles_the_unworked_excess_oldest_idle_first(settings: Settings, tmp_path: Path) -> None:
    w = World()
    with store(settings, tmp_path) as (app, queries, fresh):
        app.create_team(org.CreateTeam(name="West", id=w.team, occurred_at=at("2026-01-02T00:00")), ctx())
        owner = w.reps["O"]
        app.onboard_rep(org.OnboardRep(name="O", team_id=w.team, hired_on=date(2024, 1, 1), id=owner,
                                       occurred_at=at("2026-01-02T00:00")), ctx())
        app.set_pool_policy(rules.SetPoolPolicy(team_id=w.team, effective_from=date(2026, 1, 1), max_customers=10,
                                                idle_days=120, warning_days=3, protection_days=7, cooloff_days=30,
                                                rebalance_threshold=2, occurred_at=at("2026-01-02T00:00")), ctx())
        names = ("worked", "touched_jan_25", "touched_jan_20", "touched_jan_10", "never", "recent")
        ids = dict(zip(names, list(w.customers.values())[:len(names)], strict=True))
        for name in names:
            app.register_customer(pool.RegisterCustomer(name=name, id=ids[name], occurred_at=at("2026-01-02T00:00")), ctx())
            claimed = "2026-02-26T09:00" if name == "recent" else "2026-01-05T09:00"
            app.claim_customer(pool.ClaimCustomer(customer_id=ids[name], rep_id=owner, occurred_at=at(claimed)), ctx())
        for name, when in (("worked", "2026-02-10T10:00"), ("touched_jan_25", "2026-01-25T10:00"),
                           ("touched_jan_20", "2026-01-20T10:00"), ("touched_jan_10", "2026-01-10T10:00")):
            follow_up(app, owner, ids[name], when)
        # 6 held, 1 worked in February: 5 unworked, threshold 2, so 3 go, the idlest first; "recent" is protected.
        assert run(app, queries, fresh, "rebalance", "2026-03-01T03:00") == 3
        gone = [name for name in names if history(app, ids[name])]
        assert gone == ["touched_jan_20", "touched_jan_10", "never"]
        recycled = history(app, ids["never"])[0]
        assert (recycled.rule, recycled.days_idle, recycled.actor) == ("rebalance", 55, "scheduler:rebalance")
        assert [history(app, ids[n])[0].days_idle for n in ("touched_jan_10", "touched_jan_20")] == [50, 40]
        assert run(app, queries, fresh, "rebalance", "2026-03-01T03:00") == 0
        assert run(app, queries, fresh, "recycle", "2026-03-01T02:00") == 0  # idle 120 days: nobody is due


def test_without_a_policy_in_force_no_limit_applies_then_the_company_policy_does(settings: Settings,
                                                                                 tmp_path: Path) -> None:
    w = World()
    with store(settings, tmp_path) as (app, queries, fresh):
        app.create_team(org.CreateTeam(name="South", id=w.team, occurred_at=at("2026-01-02T00:00")), ctx())
        rep = app.onboard_rep(org.OnboardRep(name="R", team_id=w.team, hired_on=date(2025, 1, 1),
                                             occurred_at=at("2026-01-02T00:00")), ctx()).id
        customers = list(w.customers.values())
        for customer in customers:
            app.register_customer(pool.RegisterCustomer(name="c", id=customer, occurred_at=at("2026-01-02T00:00")), ctx())
        for customer in customers[:3]:
            app.claim_customer(pool.ClaimCustomer(customer_id=customer, rep_id=rep, occurred_at=at("2026-02-01T09:00")),
                               ctx())
        app.set_pool_policy(rules.SetPoolPolicy(effective_from=date(2026, 3, 1), max_customers=3,
                                                occurred_at=at("2026-02-01T09:00")), ctx())
        app.claim_customer(pool.ClaimCustomer(customer_id=customers[3], rep_id=rep, occurred_at=at("2026-02-28T09:00")),
                           ctx())
        head = app.head()
        with pytest.raises(RuleViolation) as refused:
            app.claim_customer(pool.ClaimCustomer(customer_id=customers[4], rep_id=rep,
                                                  occurred_at=at("2026-03-01T09:00")), ctx())
        assert refused.value.code == "holding-limit"
        assert app.head() == head and app.pool_policy_in_force(w.team, date(2026, 2, 28)) is None
        assert run(app, queries, fresh, "recycle", "2026-02-28T02:00") == 0  # no policy, no recycling
