"""The recycle and rebalance jobs, each on a brand-new store (they look at every customer of the ledger).

The random world: team policy idle 30 days (level A: 10, level D: 2), warning 3 days, protection 7 days,
at most 4 customers a rep, distribution `random`. Owner O holds `idle` (last follow-up 02-05), `cancel`
(same, but followed up again on 03-05, after its notice), `vip` (level A, claimed 02-20) and `fresh`
(level D, claimed 03-01); rep C is full from 03-01; reps A and B hold nothing. Run daily at 02:00:

    02-27 vip warned (7 idle days, recycle on 03-02)     03-02 vip recycled (10), dealt to A or B; fresh warned
    03-04 idle and cancel warned (27, recycle on 03-07)  03-07 idle recycled (30) and dealt; cancel: nothing
    03-05..03-08 fresh is due but protected until 03-08 09:00   03-09 fresh recycled and dealt; vip warned again
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from jobs.pool_state import seed_for
from ledger.application import LedgerApplication, build_application
from ledger.commands import org, pool, rules
from ledger.commands.targets import SetTarget
from ledger.settings import Settings
from projections.feed import read_feed
from projections.registry import Queries
from tests.integration.pool_world import (
    World,
    at,
    build_random_world,
    ctx,
    daily,
    follow_up,
    history,
    run,
    store,
    summary,
)


def test_idle_customers_are_warned_then_recycled_then_dealt_at_random(settings: Settings, tmp_path: Path) -> None:
    w = World()
    with store(settings, tmp_path) as (app, queries, fresh):
        build_random_world(app, w)
        daily(app, queries, fresh, "2026-02-25", "2026-03-09")
        d = date.fromisoformat
        assert summary(history(app, w.customers["idle"])) == [
            ("RecycleWarned", "2026-03-04", 27, d("2026-03-07")), ("Recycled", "2026-03-07", 30, None),
            ("Assigned", "2026-03-07", None, None)]
        assert summary(history(app, w.customers["cancel"])) == [("RecycleWarned", "2026-03-04", 27, d("2026-03-07"))]
        vip = history(app, w.customers["vip"])
        assert summary(vip) == [("RecycleWarned", "2026-02-27", 7, d("2026-03-02")), ("Recycled", "2026-03-02", 10, None),
                                ("Assigned", "2026-03-02", None, None), ("RecycleWarned", "2026-03-09", 7, d("2026-03-12"))]
        assert vip[3].rep_id == vip[2].rep_id  # the second notice goes to the new owner
        assert summary(history(app, w.customers["fresh"])) == [
            ("RecycleWarned", "2026-03-02", 1, d("2026-03-05")), ("Recycled", "2026-03-09", 8, None),
            ("Assigned", "2026-03-09", None, None)]
        for name in ("idle", "vip", "fresh"):
            recycled, assigned = history(app, w.customers[name])[1:3]
            assert (recycled.rep_id, recycled.rule, recycled.actor) == (w.reps["O"], "idle", "scheduler:recycle")
            assert assigned.rule == "random" and assigned.previous_owner_id is None
            assert assigned.seed == seed_for(w.customers[name], assigned.occurred_at)
            # eligible: the team but the previous owner, and not C, who holds the most allowed
            assert [r["rep_id"] for r in assigned.ranking] == sorted(str(w.reps[n]) for n in "AB")
            # the recorded seed and candidates reproduce the choice
            assert str(assigned.rep_id) == assigned.ranking[assigned.seed % len(assigned.ranking)]["rep_id"]
        assert all(not history(app, w.customers[f"f{n}"]) for n in range(1, 5))


def test_running_the_job_again_or_twice_at_once_records_nothing_new(settings: Settings, tmp_path: Path) -> None:
    w = World()
    with store(settings, tmp_path) as (app, queries, fresh):
        build_random_world(app, w)
        first = daily(app, queries, fresh, "2026-02-25", "2026-03-09")
        head = app.head()
        assert sum(first) == 11 and daily(app, queries, fresh, "2026-02-25", "2026-03-09") == [0] * len(first)
        assert app.head() == head
    w = World()
    with store(settings, tmp_path) as (app, queries, fresh):
        build_random_world(app, w)
        second_app = build_application(fresh)
        second_queries = Queries(second_app, fresh)
        try:
            for day in ("2026-02-27", "2026-03-02", "2026-03-04", "2026-03-07", "2026-03-09"):
                assert len(race(fresh, [(app, queries), (second_app, second_queries)], f"{day}T02:00")) == 2
        finally:
            second_queries.close()
            second_app.close()
        kinds = [type(e).__name__ for name in ("idle", "vip", "fresh") for e in history(app, w.customers[name])]
        assert kinds.count("Recycled") == 3 and kinds.count("Assigned") == 3 and kinds.count("RecycleWarned") == 4


def race(settings: Settings, schedulers: list[tuple[LedgerApplication, Queries]], instant: str) -> list[int]:
    """Run the recycle job for one instant from several schedulers at once; what each recorded."""
    counts: list[int] = []
    threads = [threading.Thread(target=lambda a, q: counts.append(run(a, q, settings, "recycle", instant)), args=pair)
               for pair in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


def ledger_cli(fresh: Settings, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(LEDGER_MASTER_KEY=fresh.master_key, **({"LEDGER_DATABASE_URL": fresh.database_url} if fresh.database_url
                                                      else {"LEDGER_DB": fresh.db_path}))
    ledger = str(Path(sys.executable).with_name("ledger"))
    done = subprocess.run([ledger, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def facts_after(app: LedgerApplication, head: int) -> list[tuple[Any, ...]]:
    """The job's facts, comparable across stores (positions, versions and stream openings differ)."""
    events = read_feed(app, head, 1000)["events"]
    return [(e["type"], e["stream_id"], e["occurred_at"], e["actor"], e["idempotency_key"],
             {k: v for k, v in e["payload"].items() if k != "result_version"})
            for e in events if e["type"] != "Holdings.Opened"]


def test_late_run_from_the_command_line_records_what_an_on_time_run_did(settings: Settings, tmp_path: Path) -> None:
    w, instants = World(), ["2026-02-27T02:00:00Z", "2026-03-02T02:00:00Z", "2026-03-04T02:00:00Z",
                            "2026-03-07T02:00:00Z"]
    with store(settings, tmp_path) as (app, queries, fresh):
        build_random_world(app, w)
        head = app.head()
        on_time = [run(app, queries, fresh, "recycle", instant.replace("Z", "")) for instant in instants]
        expected = facts_after(app, head)
    with store(settings, tmp_path) as (app, queries, fresh):
        build_random_world(app, w)
        # Facts recorded before the late run but after the instants it runs for: an on-time run never saw them.
        follow_up(app, w.reps["O"], w.customers["cancel"], "2026-03-09T10:00")
        extra = uuid4()
        app.register_customer(pool.RegisterCustomer(name="late", id=extra, occurred_at=at("2026-03-09T10:00")), ctx())
        app.claim_customer(pool.ClaimCustomer(customer_id=extra, rep_id=w.reps["A"], occurred_at=at("2026-03-10T10:00")),
                           ctx())
        head = app.head()
        outputs = [ledger_cli(fresh, "jobs", "run", "recycle", "--at", instant) for instant in instants]
        assert [f"{n} new facts recorded" in out for n, out in zip(on_time, outputs, strict=True)] == [True] * len(instants)
        assert facts_after(app, head) == expected
        assert on_time == [1, 3, 2, 2]


def build_ranked_world(app: LedgerApplication, w: World) -> dict[str, UUID]:
    """Team with owner O and reps X, Y, Z who logged 10, 30 and 20 follow-ups in February (target 30)."""
    reps = {"O": w.reps["O"], "X": w.reps["A"], "Y": w.reps["B"], "Z": w.reps["C"]}
    app.create_team(org.CreateTeam(name="North", id=w.team, occurred_at=at("2026-01-02T00:00")), ctx())
    for name, rep in reps.items():
        app.onboard_rep(org.OnboardRep(name=name, team_id=w.team, hired_on=date(2024, 1, 1), id=rep,
                                       occurred_at=at("2026-01-02T00:00")), ctx())
    app.define_kpi_scheme(rules.DefineKpiScheme(
        name="activity", effective_from=date(2026, 1, 1), team_ids=[w.team], occurred_at=at("2026-01-02T00:00"),
        indicators=[{"key": "follow_ups", "dimension": "process", "weight": Decimal(100)}]), ctx())
    app.set_target(SetTarget(scope="team", scope_id=w.team, period="2026-02", indicator="follow_ups", value=Decimal(30),
                             occurred_at=at("2026-01-02T00:00")), ctx())
    app.set_pool_policy(rules.SetPoolPolicy(team_id=w.team, effective_from=date(2026, 1, 1), max_customers=5,
                                            idle_days=30, no_deal_days=20, warning_days=3, protection_days=7,
                                            cooloff_days=30, distribution="ranked", occurred_at=at("2026-01-02T00:00")),
                          ctx())
    practice, target = w.customers["f1"], w.customers["idle"]
    for customer in (practice, target):
        app.register_customer(pool.RegisterCustomer(name="c", id=customer, occurred_at=at("2026-01-02T00:00")), ctx())
    for name, count in (("X", 10), ("Y", 30), ("Z", 20)):
        for n in range(count):
            follow_up(app, reps[name], practice, f"2026-02-{1 + n % 28:02d}T11:00")
    app.claim_customer(pool.ClaimCustomer(customer_id=target, rep_id=reps["O"], occurred_at=at("2026-02-20T09:00")), ctx())
    for when in ("2026-02-27T10:00", "2026-03-06T10:00"):  # worked, so never idle; but no deal for 20 days
        follow_up(app, reps["O"], target, when)
    return reps


def test_customer_without_a_deal_is_recycled_and_dealt_to_the_top_ranked_rep(settings: Settings, tmp_path: Path) -> None:
    w = World()
    with store(settings, tmp_path) as (app, queries, fresh):
        reps = build_ranked_world(app, w)
        daily(app, queries, fresh, "2026-03-08", "2026-03-13")
        warned, recycled, assigned = history(app, w.customers["idle"])
        assert (warned.rule, warned.days_idle, warned.recycle_on, warned.occurred_at) == (
            "no-deal", 17, date(2026, 3, 12), at("2026-03-09T02:00"))
        assert (recycled.rule, recycled.days_idle, recycled.occurred_at) == ("no-deal", 20, at("2026-03-12T02:00"))
        assert (assigned.rule, assigned.seed, assigned.rep_id) == ("ranked", None, reps["Y"])
        assert [(r["rep_id"], r["period"], r["rank"], r["total"]) for r in assigned.ranking] == [
            (str(reps["Y"]), "2026-02", 1, "100.00"), (str(reps["Z"]), "2026-02", 2, "66.67"),
            (str(reps["X"]), "2026-02", 3, "33.33")]
