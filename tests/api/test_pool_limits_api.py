"""Pool policy enforced on claims and assignments: holding limits (also under races), cool-off, protection."""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest

from ledger.base import Ctx
from ledger.commands.pool import AssignCustomer, RecycleCustomer, WarnRecycle
from ledger.errors import RuleViolation
from ledger.holdings import Holdings, holdings_id
from tests.api.helpers import assert_recorded, assert_refused, feed_after, problem, recorded

POLICY = {"effective_from": "2026-01-01", "idle_days": 30, "warning_days": 3, "protection_days": 7,
          "cooloff_days": 30, "distribution": "open"}


def team_with_policy(post: Any, make: Any, **overrides: Any) -> str:
    team_id = make.team()["id"]
    response = post("/api/v1/pool-policy", {"team_id": team_id, **POLICY, "max_customers": 2, **overrides})
    assert response.status_code == 200, response.json
    return str(team_id)


def claim(post: Any, customer: str, rep: str, at: str = "2026-03-01T10:00:00+00:00") -> Any:
    return post(f"/api/v1/customers/{customer}/claim", {"rep_id": rep, "occurred_at": at})


def recycle(ledger_app: Any, customer: str, at: str) -> None:
    ledger_app.recycle_customer(RecycleCustomer(customer_id=UUID(customer), occurred_at=datetime.fromisoformat(at),
                                                rule="idle", days_idle=31), Ctx("test", f"k-{uuid4()}"))


def test_claim_beyond_the_team_limit_is_refused_and_records_nothing(post: Any, make: Any, client: Any,
                                                                    ledger_app: Any) -> None:
    rep = make.rep(team_with_policy(post, make))["id"]
    first, second, third = (make.customer()["id"] for _ in range(3))
    head = ledger_app.head()
    assert claim(post, first, rep).status_code == 200
    assert_recorded(client, "customers", first, head, "Customer.Claimed", rep_id=rep)
    taken = recorded(client, head, str(holdings_id(UUID(rep))), "Holdings.Taken")
    assert taken["payload"]["customer_id"] == first and taken["occurred_at"] == "2026-03-01T10:00:00+00:00"
    assert claim(post, second, rep).status_code == 200
    head = ledger_app.head()
    refused = claim(post, third, rep)
    assert_refused(refused, ledger_app, head, 409, "holding-limit")
    assert refused.json["errors"] == {"rep_id": ["holds 2 of at most 2 customers"]}
    assert client.get(f"/api/v1/customers/{third}").json["owner_id"] is None


def test_release_makes_room_and_is_recorded_on_the_holdings(post: Any, make: Any, client: Any, ledger_app: Any) -> None:
    rep = make.rep(team_with_policy(post, make))["id"]
    first, second, third = (make.customer()["id"] for _ in range(3))
    claim(post, first, rep), claim(post, second, rep)
    head = ledger_app.head()
    assert post(f"/api/v1/customers/{first}/release", {"reason": "no budget"}).status_code == 200
    assert recorded(client, head, str(holdings_id(UUID(rep))), "Holdings.Given")["payload"]["customer_id"] == first
    assert claim(post, third, rep).status_code == 200
    assert sorted(map(str, ledger_app.load(Holdings, holdings_id(UUID(rep))).customer_ids)) == sorted([second, third])


def test_assignment_to_a_full_rep_is_refused_and_a_handover_moves_the_holding(post: Any, make: Any,
                                                                              ledger_app: Any) -> None:
    team = team_with_policy(post, make)
    full, spare = make.rep(team)["id"], make.rep(team)["id"]
    mine = [make.customer()["id"] for _ in range(3)]
    claim(post, mine[0], full), claim(post, mine[1], full), claim(post, mine[2], spare)
    head = ledger_app.head()
    refused = post(f"/api/v1/customers/{mine[2]}/assign", {"rep_id": full, "reason": "handover"})
    assert_refused(refused, ledger_app, head, 409, "holding-limit")
    moved = post(f"/api/v1/customers/{mine[0]}/assign", {"rep_id": spare, "reason": "handover"})
    assert moved.status_code == 200 and moved.json["owner_id"] == spare
    assert {str(c) for c in ledger_app.load(Holdings, holdings_id(UUID(full))).customer_ids} == {mine[1]}
    assert {str(c) for c in ledger_app.load(Holdings, holdings_id(UUID(spare))).customer_ids} == {mine[0], mine[2]}


def test_team_policy_wins_over_the_company_policy_from_its_date(post: Any, make: Any, ledger_app: Any) -> None:
    team = team_with_policy(post, make, effective_from="2026-06-01", max_customers=1)
    rep = make.rep(team)["id"]
    early, late, later = (make.customer()["id"] for _ in range(3))
    # Before its team policy, the company's (generous in every test) applies.
    assert claim(post, early, rep, "2026-05-01T10:00:00+00:00").status_code == 200
    head = ledger_app.head()
    assert_refused(claim(post, late, rep, "2026-06-02T10:00:00+00:00"), ledger_app, head, 409, "holding-limit")
    assert post(f"/api/v1/customers/{early}/release", {}).status_code == 200
    assert claim(post, later, rep, "2026-06-03T10:00:00+00:00").status_code == 200


def test_rep_may_not_reclaim_a_recycled_customer_within_the_cooloff(post: Any, make: Any, client: Any,
                                                                    ledger_app: Any) -> None:
    team = team_with_policy(post, make, max_customers=10)
    rep, colleague = make.rep(team)["id"], make.rep(team)["id"]
    customer = make.customer()["id"]
    claim(post, customer, rep, "2026-02-01T10:00:00+00:00")
    recycle(ledger_app, customer, "2026-03-05T10:00:00+00:00")
    head = ledger_app.head()
    refused = claim(post, customer, rep, "2026-04-03T10:00:00+00:00")
    assert_refused(refused, ledger_app, head, 409, "cool-off")
    assert refused.json["errors"]["rep_id"] == ["in cool-off for this customer until 2026-04-04T10:00:00+00:00"]
    assert claim(post, customer, colleague, "2026-04-03T10:00:00+00:00").status_code == 200
    assert post(f"/api/v1/customers/{customer}/release", {}).status_code == 200
    assert claim(post, customer, rep, "2026-04-04T10:00:00+00:00").status_code == 200
    assert client.get(f"/api/v1/customers/{customer}").json["owner_id"] == rep


def test_customer_cannot_be_recycled_within_its_protection_days(post: Any, make: Any, client: Any,
                                                                ledger_app: Any) -> None:
    rep = make.rep(team_with_policy(post, make, max_customers=10))["id"]
    customer = make.customer()["id"]
    claim(post, customer, rep, "2026-03-01T10:00:00+00:00")
    head = ledger_app.head()
    with pytest.raises(RuleViolation) as info:
        recycle(ledger_app, customer, "2026-03-08T09:59:00+00:00")
    assert info.value.code == "protected" and ledger_app.head() == head
    recycle(ledger_app, customer, "2026-03-08T10:00:00+00:00")
    assert_recorded(client, "customers", customer, head, "Customer.Recycled", rep_id=rep, rule="idle", days_idle=31)
    assert recorded(client, head, str(holdings_id(UUID(rep))), "Holdings.Given")["payload"]["customer_id"] == customer


def test_recycle_notice_and_ranking_are_readable_in_history_and_feed(post: Any, make: Any, client: Any,
                                                                      ledger_app: Any) -> None:
    team = team_with_policy(post, make, max_customers=10)
    rep, colleague = make.rep(team)["id"], make.rep(team)["id"]
    customer = make.customer()["id"]
    claim(post, customer, rep, "2026-02-01T10:00:00+00:00")
    head = ledger_app.head()
    ledger_app.warn_recycle(WarnRecycle(customer_id=UUID(customer), occurred_at=datetime.fromisoformat(
        "2026-03-04T02:00:00+00:00"), rule="idle", days_idle=27, recycle_on=date(2026, 3, 7)), Ctx("t", f"k-{uuid4()}"))
    assert_recorded(client, "customers", customer, head, "Customer.RecycleWarned", rep_id=rep, rule="idle",
                    days_idle=27, recycle_on="2026-03-07")
    ranking = [{"rep_id": colleague, "period": "2026-02", "rank": 1, "total": "90.00", "held": 0}]
    recycle(ledger_app, customer, "2026-03-07T02:00:00+00:00")
    ledger_app.assign_customer(AssignCustomer(customer_id=UUID(customer), rep_id=UUID(colleague), rule="ranked",
                                              reason="dealt", ranking=ranking, occurred_at=datetime.fromisoformat(
                                                  "2026-03-07T02:00:00+00:00")), Ctx("t", f"k-{uuid4()}"))
    assert_recorded(client, "customers", customer, head, "Customer.Assigned", rule="ranked", seed=None,
                    ranking=ranking, previous_owner_id=None)
    manual = post(f"/api/v1/customers/{customer}/assign", {"rep_id": rep, "reason": "back", "rule": "manual"})
    assert manual.status_code == 200
    assert_recorded(client, "customers", customer, head, "Customer.Assigned", ranking=[], previous_owner_id=colleague)


def test_concurrent_claims_by_one_rep_never_exceed_the_limit(post: Any, make: Any, client: Any,
                                                             ledger_app: Any) -> None:
    limit, racers = 3, 8
    rep = make.rep(team_with_policy(post, make, max_customers=limit))["id"]
    customers = [make.customer()["id"] for _ in range(racers)]
    barrier, statuses = threading.Barrier(racers), []

    def race(customer: str) -> None:
        local = client.application.test_client()
        local.environ_base.update(client.environ_base)
        barrier.wait()
        response = local.post(f"/api/v1/customers/{customer}/claim", json={"rep_id": rep},
                              headers={"Idempotency-Key": str(uuid4())})
        statuses.append((response.status_code, (response.json or {}).get("code")))

    threads = [threading.Thread(target=race, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(s == (200, None) or (s[0] == 409 and s[1] in ("holding-limit", "concurrent-update")) for s in statuses)
    for customer in customers:  # the losers retry one by one: the limit still holds
        if client.get(f"/api/v1/customers/{customer}").json["owner_id"] is None:
            claim(post, customer, rep)
    owned = [c for c in customers if client.get(f"/api/v1/customers/{c}").json["owner_id"] == rep]
    assert len(owned) == limit
    assert sorted(map(str, ledger_app.load(Holdings, holdings_id(UUID(rep))).customer_ids)) == sorted(owned)


def test_rebalance_threshold_round_trips_on_the_pool_policy(post: Any, make: Any, client: Any,
                                                            ledger_app: Any) -> None:
    team, head = make.team()["id"], ledger_app.head()
    response = post("/api/v1/pool-policy", {"team_id": team, **POLICY, "max_customers": 9, "rebalance_threshold": 4})
    assert response.status_code == 200 and response.json["rebalance_threshold"] == 4
    assert client.get(f"/api/v1/pool-policy?team_id={team}").json["versions"][-1]["rebalance_threshold"] == 4
    assert recorded(client, head, response.json["id"], "PoolPolicy.Set")["payload"]["rebalance_threshold"] == 4
    assert [e for e in feed_after(client, head) if e["type"] == "PoolPolicy.Set"][0]["payload"]["max_customers"] == 9
    default = post("/api/v1/pool-policy", {"team_id": make.team()["id"], **POLICY, "max_customers": 9})
    assert default.json["rebalance_threshold"] == 0


@pytest.mark.parametrize("value", [-1, "many", 1.5])
def test_bad_rebalance_threshold_is_422_naming_the_field(post: Any, make: Any, ledger_app: Any, value: Any) -> None:
    team, head = make.team()["id"], ledger_app.head()
    response = post("/api/v1/pool-policy", {"team_id": team, **POLICY, "max_customers": 9, "rebalance_threshold": value})
    problem(response, 422, "rebalance_threshold")
    assert ledger_app.head() == head


def test_claim_with_a_naive_time_is_422_naming_occurred_at(post: Any, make: Any, ledger_app: Any) -> None:
    rep, customer, head = make.rep()["id"], make.customer()["id"], ledger_app.head()
    problem(claim(post, customer, rep, "2026-03-01T10:00:00"), 422, "occurred_at")
    assert ledger_app.head() == head and datetime.now(timezone.utc).year >= 2026
