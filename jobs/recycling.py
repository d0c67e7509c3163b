"""Customer-pool recycling: warn, then recycle idle customers and deal them out; rebalance at period close.

`recycle` (daily): a customer whose owner has not followed it up for its level's idle days (or closed a
deal with it for the no-deal days) is warned `warning_days` ahead, then recycled on the day named in the
warning unless the owner worked it in between, then distributed per the policy: `open` (stays in the
pool), `random` (to candidates[seed % len(candidates)]: the seed is derived from the customer and the
instant, the candidate list is recorded in `ranking`), or `ranked` (to the best total of the previous
month's leaderboard, the ranking recorded). Candidates: active reps of the previous owner's team, other
than them, under the holding limit and not in cool-off for the customer, by id.
`rebalance` (monthly, day 1): a rep holding more customers than they followed up in the closed month, by
more than the policy's `rebalance_threshold`, has the unworked excess recycled, oldest-idle first.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from jobs.base import Job, JobContext
from jobs.pool_state import (
    Held,
    attempt,
    day_of,
    days_between,
    held_before,
    held_count,
    seed_for,
    team_reps,
)
from ledger.commands.pool import AssignCustomer, RecycleCustomer, WarnRecycle
from ledger.periods import Period
from projections.pool_activity import DEAL, FOLLOW_UP, touched_between

RECYCLE, REBALANCE = "recycle", "rebalance"
RULE_KINDS = {"idle": FOLLOW_UP, "no-deal": DEAL}  # what resets each rule's clock


def previous_month(at: datetime) -> Period:
    day = day_of(at).replace(day=1) - timedelta(days=1)
    return Period.parse(f"{day.year}-{day.month:02d}")


# -- recycle -------------------------------------------------------------------------------------------

def recycle(context: JobContext) -> None:
    """Warn, recycle and distribute every customer idle past its policy's limits at `context.at`."""
    for held in held_before(context, RECYCLE):
        policy = context.app.pool_policy_in_force(held.team_id, day_of(context.at))
        if policy is not None:
            _recycle_one(context, held, policy)


def limits(held: Held, policy: dict[str, Any]) -> dict[str, int]:
    return {"idle": policy["idle_days_by_level"].get(held.level, policy["idle_days"]),
            "no-deal": policy["no_deal_days"]}


def _recycle_one(context: JobContext, held: Held, policy: dict[str, Any]) -> None:
    at, today = context.at, day_of(context.at)
    marks = {rule: held.mark(kind, at) for rule, kind in RULE_KINDS.items()}
    idle = {rule: days_between(mark, at) for rule, mark in marks.items()}
    limit = limits(held, policy)
    warning = held.warning
    if warning is not None and (warning["rep_id"] != held.owner or warning["warned_at"] < marks[warning["rule"]]):
        warning = None  # the owner worked the customer after the notice: it no longer stands
    if warning is None:
        due = sorted((day_of(marks[r]) + timedelta(days=limit[r]), r) for r in RULE_KINDS
                     if idle[r] >= limit[r] - policy["warning_days"])
        if not due:
            return
        recycle_on, rule = due[0]
        recycle_on = max(recycle_on, today + timedelta(days=policy["warning_days"]))
        warning = {"rule": rule, "recycle_on": recycle_on}
        warned = attempt(context, context.app.warn_recycle,
                         WarnRecycle(customer_id=held.customer_id, occurred_at=at, rule=rule, days_idle=idle[rule],
                                     recycle_on=recycle_on), context.ctx(RECYCLE, held.customer_id, today, "warn", rule))
        if warned is None:
            return  # never recycle without a recorded notice
    rule = warning["rule"]
    if warning["recycle_on"] > today or idle[rule] < limit[rule]:
        return
    protected_until = held.since + timedelta(days=policy["protection_days"])
    if at < protected_until:
        context.notes.append(f"{held.customer_id}: protected from recycling until {protected_until.isoformat()}")
        return
    _recycle_and_deal(context, held, policy, rule, idle[rule], RECYCLE, str(today))


def _recycle_and_deal(context: JobContext, held: Held, policy: dict[str, Any], rule: str, days_idle: int,
                      job: str, period: str) -> None:
    recycled = attempt(context, context.app.recycle_customer,
                       RecycleCustomer(customer_id=held.customer_id, occurred_at=context.at, rule=rule,
                                       days_idle=days_idle), context.ctx(job, held.customer_id, period, "recycle"))
    if recycled is None or policy["distribution"] == "open":
        return
    choice = choose(context, held, policy)
    if choice is None:
        context.notes.append(f"{held.customer_id}: no eligible rep; it stays in the pool")
        return
    rep_id, seed, ranking = choice
    attempt(context, context.app.assign_customer,
            AssignCustomer(customer_id=held.customer_id, rep_id=UUID(rep_id), occurred_at=context.at,
                           reason=f"recycled from {held.owner} ({rule}), dealt by the {policy['distribution']} rule",
                           rule=policy["distribution"], seed=seed, ranking=ranking),
            context.ctx(job, held.customer_id, period, "deal"))


# -- distribution --------------------------------------------------------------------------------------

def candidates(context: JobContext, held: Held, policy: dict[str, Any]) -> list[tuple[str, int]]:
    """Eligible reps with what they hold: the previous owner's team, active, not them, under the limit,
    not in cool-off for this customer; by id."""
    found = []
    for rep_id in team_reps(context, held.team_id):
        if rep_id == str(held.owner) or held.in_cooloff(rep_id, context.at, policy["cooloff_days"]):
            continue
        count = held_count(context, UUID(rep_id))
        if count < policy["max_customers"]:
            found.append((rep_id, count))
    return found


def choose(context: JobContext, held: Held, policy: dict[str, Any]) -> tuple[str, int | None, list[dict[str, Any]]] | None:
    """The rep to deal the customer to, the seed (random) and the ranking used, or None if nobody is eligible."""
    eligible = candidates(context, held, policy)
    if not eligible:
        return None
    if policy["distribution"] == "random":
        seed = seed_for(held.customer_id, context.at)
        ranking: list[dict[str, Any]] = [{"rep_id": rep_id, "held": count} for rep_id, count in eligible]
        return eligible[seed % len(eligible)][0], seed, ranking
    period = previous_month(context.at)
    board = context.queries.scorecards.leaderboard(period.label, context.queries.read_side.moment(),
                                                   team_id=str(held.team_id))
    places = {e["rep_id"]: e for e in board["entries"]}
    ordered = sorted(eligible, key=lambda c: (places[c[0]]["rank"] if c[0] in places else len(places) + 1, c[0]))
    ranking = [{"rep_id": rep_id, "period": period.label, "rank": places.get(rep_id, {}).get("rank"),
                "total": places.get(rep_id, {}).get("total"), "held": count} for rep_id, count in ordered]
    return ordered[0][0], None, ranking


# -- rebalance -----------------------------------------------------------------------------------------

def rebalance(context: JobContext) -> None:
    """At period close: each rep's customers not followed up in the closed month, beyond the policy's
    threshold, are recycled (oldest-idle first) and distributed."""
    month = previous_month(context.at)
    start = datetime.combine(month.start, datetime.min.time(), tzinfo=timezone.utc)
    end = datetime.combine(month.end + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    by_owner: dict[UUID, list[Held]] = {}
    for held in held_before(context, REBALANCE):
        by_owner.setdefault(held.owner, []).append(held)
    for owner, customers in sorted(by_owner.items(), key=lambda item: str(item[0])):
        policy = context.app.pool_policy_in_force(customers[0].team_id, day_of(context.at))
        threshold = (policy or {}).get("rebalance_threshold", 0)
        if policy is None or not threshold:
            continue
        unworked = [h for h in customers if not touched_between(h.touches, str(owner), FOLLOW_UP, start, end)]
        excess = len(unworked) - threshold
        if excess <= 0:
            continue
        open_to_recycling = [h for h in unworked if context.at >= h.since + timedelta(days=policy["protection_days"])]
        oldest_idle = sorted(open_to_recycling, key=lambda h: (h.mark(FOLLOW_UP, context.at), str(h.customer_id)))
        for held in oldest_idle[:excess]:
            days_idle = days_between(held.mark(FOLLOW_UP, context.at), context.at)
            _recycle_and_deal(context, held, policy, "rebalance", days_idle, REBALANCE, month.label)


JOBS = [
    Job(RECYCLE, "warn, then recycle customers idle past the pool policy and deal them out", "0 2 * * *", recycle),
    Job(REBALANCE, "at month close, recycle each rep's unworked customers beyond the policy's threshold",
        "0 3 1 * *", rebalance),
]
