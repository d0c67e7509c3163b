"""Holdings and the pool rules on a customer (limits, cool-off, protection, notices), folded in memory."""

from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest

from ledger.customer import Customer
from ledger.errors import RuleViolation
from ledger.holdings import Holdings, holdings_id
from ledger.pool_policy import PoolPolicy

START = datetime(2026, 3, 1, 10, tzinfo=timezone.utc)


def stamp(at: datetime = START) -> dict[str, Any]:
    return dict(occurred_at=at, actor="t", idempotency_key="k")


def customer() -> Customer:
    return Customer.register(id=None, name="ACME", segment="", source="", region="", level="B", **stamp())


def test_holdings_stream_is_one_per_rep() -> None:
    rep = uuid4()
    assert Holdings.open(rep_id=rep, **stamp()).id == holdings_id(rep) != holdings_id(uuid4())


def test_take_beyond_the_limit_is_refused_and_records_nothing() -> None:
    holdings = Holdings.open(rep_id=uuid4(), **stamp())
    first, second = uuid4(), uuid4()
    holdings.take(customer_id=first, limit=2, **stamp())
    holdings.take(customer_id=second, limit=2, **stamp())
    with pytest.raises(RuleViolation) as info:
        holdings.take(customer_id=uuid4(), limit=2, **stamp())
    assert info.value.code == "holding-limit" and info.value.errors == {"rep_id": ["holds 2 of at most 2 customers"]}
    assert holdings.customer_ids == [first, second] and holdings.version == 3


def test_without_a_limit_any_number_may_be_taken() -> None:
    holdings = Holdings.open(rep_id=uuid4(), **stamp())
    for _ in range(50):
        holdings.take(customer_id=uuid4(), limit=None, **stamp())
    assert holdings.count == 50


def test_giving_a_customer_up_makes_room_again() -> None:
    holdings = Holdings.open(rep_id=uuid4(), **stamp())
    kept, given = uuid4(), uuid4()
    holdings.take(customer_id=kept, limit=2, **stamp())
    holdings.take(customer_id=given, limit=2, **stamp())
    holdings.give(customer_id=given, **stamp())
    holdings.take(customer_id=uuid4(), limit=2, **stamp())
    assert holdings.count == 2 and kept in holdings.customer_ids and given not in holdings.customer_ids
    assert [type(e).__name__ for e in holdings.collect_events()] == ["Opened", "Taken", "Taken", "Given", "Taken"]


def test_giving_or_taking_again_records_nothing() -> None:
    holdings = Holdings.open(rep_id=uuid4(), **stamp())
    held = uuid4()
    holdings.take(customer_id=held, limit=1, **stamp())
    holdings.take(customer_id=held, limit=1, **stamp())
    holdings.give(customer_id=uuid4(), **stamp())  # a customer taken before holdings were kept
    assert holdings.version == 2 and holdings.customer_ids == [held]


def test_rep_may_not_reclaim_a_customer_recycled_from_them_within_the_cooloff() -> None:
    c, rep, other = customer(), uuid4(), uuid4()
    c.claim(rep_id=rep, **stamp())
    c.recycle(rule="idle", days_idle=31, **stamp(START + timedelta(days=40)))
    with pytest.raises(RuleViolation) as info:
        c.claim(rep_id=rep, cooloff_days=30, **stamp(START + timedelta(days=69)))
    assert info.value.code == "cool-off" and "rep_id" in info.value.errors
    c.claim(rep_id=other, cooloff_days=30, **stamp(START + timedelta(days=41)))
    c.release(reason="", **stamp(START + timedelta(days=42)))
    c.claim(rep_id=rep, cooloff_days=30, **stamp(START + timedelta(days=70)))
    assert c.owner_id == rep


def test_released_customers_have_no_cooloff() -> None:
    c, rep = customer(), uuid4()
    c.claim(rep_id=rep, **stamp())
    c.release(reason="", **stamp(START + timedelta(days=10)))
    c.claim(rep_id=rep, cooloff_days=30, **stamp(START + timedelta(days=11)))
    assert c.owner_id == rep


def test_customer_is_protected_from_recycling_after_a_claim_or_assignment() -> None:
    c, rep = customer(), uuid4()
    c.claim(rep_id=rep, **stamp())
    with pytest.raises(RuleViolation) as info:
        c.recycle(rule="idle", days_idle=6, protection_days=7, **stamp(START + timedelta(days=6, hours=23)))
    assert info.value.code == "protected" and c.owner_id == rep
    c.assign(rep_id=uuid4(), reason="handover", rule="manual", seed=None, **stamp(START + timedelta(days=7)))
    with pytest.raises(RuleViolation):
        c.recycle(rule="idle", days_idle=0, protection_days=7, **stamp(START + timedelta(days=8)))
    c.recycle(rule="idle", days_idle=7, protection_days=7, **stamp(START + timedelta(days=14)))
    assert c.owner_id is None


def test_recycle_notice_names_the_owner_and_an_ownership_change_clears_it() -> None:
    c, rep = customer(), uuid4()
    c.claim(rep_id=rep, **stamp())
    c.warn_recycle(rule="idle", days_idle=27, recycle_on=date(2026, 4, 3), **stamp(START + timedelta(days=30)))
    notice = c.collect_events()[-1]
    assert (notice.rep_id, notice.rule, notice.days_idle, notice.recycle_on) == (rep, "idle", 27, date(2026, 4, 3))
    assert c.warning is not None and c.warning["recycle_on"] == date(2026, 4, 3)
    c.release(reason="", **stamp(START + timedelta(days=31)))
    assert c.warning is None
    with pytest.raises(RuleViolation) as info:
        c.warn_recycle(rule="idle", days_idle=1, recycle_on=date(2026, 5, 1), **stamp(START + timedelta(days=32)))
    assert info.value.code == "customer-in-pool"


def test_recycle_notice_may_not_name_a_past_day() -> None:
    c = customer()
    c.claim(rep_id=uuid4(), **stamp())
    with pytest.raises(RuleViolation) as info:
        c.warn_recycle(rule="idle", days_idle=30, recycle_on=date(2026, 2, 28), **stamp())
    assert info.value.code == "recycle-on-past"


def test_assignment_keeps_the_ranking_used() -> None:
    c, rep = customer(), uuid4()
    ranking = [{"rep_id": str(rep), "rank": 1, "total": "90.00"}]
    c.assign(rep_id=rep, reason="dealt", rule="ranked", seed=None, ranking=ranking, **stamp())
    assert c.collect_events()[-1].ranking == ranking


def test_old_events_are_upcast_with_defaults() -> None:
    assigned: dict[str, Any] = {"rep_id": uuid4(), "rule": "manual", "seed": None}
    Customer.Assigned.upcast_v1_v2(assigned)
    assert assigned["ranking"] == [] and Customer.Assigned.class_version == 2
    setting: dict[str, Any] = {"max_customers": 5}
    PoolPolicy.Set.upcast_v1_v2(setting)
    assert setting["rebalance_threshold"] == 0 and PoolPolicy.Set.class_version == 2


def test_pool_policy_keeps_the_rebalance_threshold_and_refuses_negative_ones() -> None:
    from ledger.errors import Invalid

    policy = PoolPolicy.open(team_id=uuid4(), **stamp())
    settings = dict(effective_from=date(2026, 1, 1), max_customers=5, idle_days=30, no_deal_days=90, warning_days=3,
                    protection_days=7, cooloff_days=30, distribution="open", idle_days_by_level={})
    policy.set(**settings, rebalance_threshold=4, **stamp())
    assert (policy.in_force(date(2026, 2, 1)) or {})["rebalance_threshold"] == 4
    with pytest.raises(Invalid) as info:
        policy.set(**settings, rebalance_threshold=-1, **stamp())
    assert "rebalance_threshold" in info.value.errors
