"""Idempotency-Key: a retry returns the first response and records nothing new."""

from typing import Any
from uuid import uuid4

from tests.api.helpers import domain_events, feed_after


def test_retry_with_same_key_returns_first_response_and_records_once(post: Any, client: Any, ledger_app: Any) -> None:
    key, body = str(uuid4()), {"name": "Once Ltd", "segment": "smb"}
    head = ledger_app.head()
    first = post("/api/v1/customers", body, key=key)
    after_first = ledger_app.head()
    second = post("/api/v1/customers", body, key=key)
    assert first.status_code == second.status_code == 201
    assert first.get_data() == second.get_data()
    assert ledger_app.head() == after_first
    created = [e for e in domain_events(feed_after(client, head)) if e["idempotency_key"] == key]
    assert [e["type"] for e in created] == ["Customer.Registered"]


def test_retry_after_later_changes_returns_the_original_state(post: Any, make: Any) -> None:
    customer, rep = make.customer(), make.rep()
    key = str(uuid4())
    first = post(f"/api/v1/customers/{customer['id']}/claim", {"rep_id": rep["id"]}, key=key)
    post(f"/api/v1/customers/{customer['id']}/release", {})
    retry = post(f"/api/v1/customers/{customer['id']}/claim", {"rep_id": rep["id"]}, key=key)
    assert retry.status_code == 200 and retry.json == first.json and retry.json["owner_id"] == rep["id"]


def test_same_key_with_different_body_is_422(post: Any, ledger_app: Any) -> None:
    key = str(uuid4())
    post("/api/v1/customers", {"name": "A"}, key=key)
    head = ledger_app.head()
    response = post("/api/v1/customers", {"name": "B"}, key=key)
    assert response.status_code == 422 and response.json["code"] == "idempotency-key-reused"
    assert "Idempotency-Key" in response.json["errors"]
    assert ledger_app.head() == head


def test_same_key_on_another_endpoint_is_422(post: Any, make: Any) -> None:
    key = str(uuid4())
    post("/api/v1/customers", {"name": "A"}, key=key)
    response = post("/api/v1/teams", {"name": "A"}, key=key)
    assert response.status_code == 422


def test_key_formatting_differences_in_body_do_not_matter(client: Any) -> None:
    key = str(uuid4())
    headers = {"Idempotency-Key": key, "Content-Type": "application/json"}
    first = client.post("/api/v1/customers", data='{"name": "Spaces",  "level": "B"}', headers=headers)
    second = client.post("/api/v1/customers", data='{"level":"B","name":"Spaces"}', headers=headers)
    assert first.status_code == 201 and second.json == first.json


def test_overlong_key_is_400(post: Any) -> None:
    response = post("/api/v1/customers", {"name": "A"}, key="k" * 256)
    assert response.status_code == 400 and "255" in response.json["detail"]


def test_refused_command_does_not_burn_the_key(post: Any, make: Any) -> None:
    customer, first, second = make.customer(), make.rep(), make.rep()
    post(f"/api/v1/customers/{customer['id']}/claim", {"rep_id": first["id"]})
    key = str(uuid4())
    body = {"rep_id": second["id"]}
    assert post(f"/api/v1/customers/{customer['id']}/claim", body, key=key).status_code == 409
    post(f"/api/v1/customers/{customer['id']}/release", {})
    assert post(f"/api/v1/customers/{customer['id']}/claim", body, key=key).status_code == 200


def test_request_while_the_first_is_in_flight_is_409(post: Any, ledger_app: Any, admin_token: str) -> None:
    from api.idempotency import _claim_key

    key = str(uuid4())
    head = ledger_app.head()
    token = ledger_app.authenticate(admin_token)
    with _claim_key(f"{token.id}/{key}"):
        response = post("/api/v1/customers", {"name": "In flight"}, key=key)
    assert response.status_code == 409 and response.json["code"] == "idempotency-key-in-use"
    assert ledger_app.head() == head
    assert post("/api/v1/customers", {"name": "In flight"}, key=key).status_code == 201
