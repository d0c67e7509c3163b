"""The customer pool through the API: one owner at most, claims only from the pool."""

import threading
from typing import Any
from uuid import uuid4

from tests.api.helpers import assert_recorded


def test_register_claim_release_assign_round_trip(client: Any, post: Any, make: Any, ledger_app: Any) -> None:
    head = ledger_app.head()
    customer = make.customer(name="杭州某科技", segment="smb", source="trade show", region="east", level="A")
    assert customer["owner_id"] is None and customer["level"] == "A"
    assert_recorded(client, "customers", customer["id"], head, "Customer.Registered", name="杭州某科技", level="A")
    rep, manager_pick = make.rep(), make.rep()
    cid = customer["id"]
    claimed = post(f"/api/v1/customers/{cid}/claim", {"rep_id": rep["id"], "occurred_at": "2026-03-02T09:30:00+08:00"})
    assert claimed.status_code == 200 and claimed.json["owner_id"] == rep["id"]
    last = assert_recorded(client, "customers", cid, head, "Customer.Claimed", rep_id=rep["id"])
    assert last["occurred_at"] == "2026-03-02T01:30:00+00:00"
    released = post(f"/api/v1/customers/{cid}/release", {"reason": "not a fit"})
    assert released.json["owner_id"] is None
    assert_recorded(client, "customers", cid, head, "Customer.Released", rep_id=rep["id"], reason="not a fit")
    assigned = post(f"/api/v1/customers/{cid}/assign", {"rep_id": manager_pick["id"], "reason": "territory", "rule": "random", "seed": 42})
    assert assigned.json["owner_id"] == manager_pick["id"]
    assert_recorded(client, "customers", cid, head, "Customer.Assigned", rep_id=manager_pick["id"], previous_owner_id=None, seed=42, rule="random")


def test_claim_of_owned_customer_is_refused_and_records_nothing(post: Any, make: Any, ledger_app: Any, client: Any) -> None:
    customer, first, second = make.customer(), make.rep(), make.rep()
    post(f"/api/v1/customers/{customer['id']}/claim", {"rep_id": first["id"]})
    head = ledger_app.head()
    refused = post(f"/api/v1/customers/{customer['id']}/claim", {"rep_id": second["id"]})
    assert refused.status_code == 409 and refused.json["code"] == "customer-owned"
    assert ledger_app.head() == head
    assert client.get(f"/api/v1/customers/{customer['id']}").json["owner_id"] == first["id"]


def test_departed_rep_can_be_given_no_customer(post: Any, make: Any, ledger_app: Any) -> None:
    rep, customer = make.rep(), make.customer()
    post(f"/api/v1/reps/{rep['id']}/leave", {"left_on": "2026-09-30"})
    head = ledger_app.head()
    claim = post(f"/api/v1/customers/{customer['id']}/claim", {"rep_id": rep["id"]})
    assign = post(f"/api/v1/customers/{customer['id']}/assign", {"rep_id": rep["id"], "reason": "x"})
    assert (claim.status_code, claim.json["code"]) == (409, "rep-departed")
    assert (assign.status_code, assign.json["code"]) == (409, "rep-departed")
    assert ledger_app.head() == head


def test_release_of_pool_customer_is_refused(post: Any, make: Any, ledger_app: Any) -> None:
    customer = make.customer()
    head = ledger_app.head()
    response = post(f"/api/v1/customers/{customer['id']}/release", {})
    assert (response.status_code, response.json["code"]) == (409, "customer-in-pool")
    assert ledger_app.head() == head


def test_claim_by_unknown_rep_is_409_naming_rep_id(post: Any, make: Any, ledger_app: Any) -> None:
    customer = make.customer()
    head = ledger_app.head()
    response = post(f"/api/v1/customers/{customer['id']}/claim", {"rep_id": str(uuid4())})
    assert response.status_code == 409 and response.json["errors"] == {"rep_id": ["unknown rep"]}
    assert ledger_app.head() == head


def race_claims(client: Any, customer: str, reps: list[str], clients: int = 6) -> list[int]:
    """Fire claims from several threads released at the same instant; return the statuses."""
    barrier, statuses = threading.Barrier(clients), []

    def claim(index: int) -> None:
        local = client.application.test_client()
        local.environ_base.update(client.environ_base)
        barrier.wait()
        response = local.post(f"/api/v1/customers/{customer}/claim", json={"rep_id": reps[index % len(reps)]},
                              headers={"Idempotency-Key": str(uuid4())})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_concurrent_claims_leave_exactly_one_owner(make: Any, client: Any) -> None:
    reps = [make.rep()["id"] for _ in range(2)]
    for _ in range(3):
        customer = make.customer()["id"]
        assert sorted(race_claims(client, customer, reps)) == [200, 409, 409, 409, 409, 409]
        history = client.get(f"/api/v1/customers/{customer}/history").json["events"]
        assert [e["type"] for e in history].count("Customer.Claimed") == 1
        assert client.get(f"/api/v1/customers/{customer}").json["owner_id"] == history[-1]["payload"]["rep_id"]
