"""The error contract: every failure is RFC 9457 problem+json with status, title, detail, errors."""

from typing import Any
from uuid import uuid4

import pytest

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code"}


def assert_problem(response: Any, status: int, *fields: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert PROBLEM_KEYS <= set(body) and body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    for field in fields:
        assert field in body["errors"], body
    return body


def test_unknown_and_missing_fields_are_422_naming_each_field(post: Any) -> None:
    body = assert_problem(post("/api/v1/customers", {"nickname": "x"}), 422, "nickname", "name")
    assert body["errors"]["nickname"] == ["Unknown field."]
    assert body["errors"]["name"] == ["Missing data for required field."]


def test_wrong_types_are_422(post: Any, make: Any) -> None:
    team = make.team()
    response = post("/api/v1/reps", {"name": 5, "team_id": team["id"], "hired_on": "yesterday"})
    assert_problem(response, 422, "name", "hired_on")


def test_dates_out_of_range_are_422(post: Any, make: Any) -> None:
    team = make.team()
    response = post("/api/v1/reps", {"name": "Li", "team_id": team["id"], "hired_on": "1900-01-01"})
    assert_problem(response, 422, "hired_on")
    future = post("/api/v1/customers", {"name": "x", "occurred_at": "2999-01-01T00:00:00Z"})
    assert_problem(future, 422, "occurred_at")
    naive = post("/api/v1/customers", {"name": "x", "occurred_at": "2026-01-01T00:00:00"})
    assert_problem(naive, 422, "occurred_at")


def test_non_json_body_is_415(client: Any) -> None:
    response = client.post("/api/v1/customers", data="name=x",
                           headers={"Idempotency-Key": str(uuid4()), "Content-Type": "application/x-www-form-urlencoded"})
    assert_problem(response, 415)


def test_malformed_json_is_400(client: Any) -> None:
    response = client.post("/api/v1/customers", data="{not json",
                           headers={"Idempotency-Key": str(uuid4()), "Content-Type": "application/json"})
    assert_problem(response, 400)


def test_missing_idempotency_key_is_400_and_records_nothing(client: Any, ledger_app: Any) -> None:
    head = ledger_app.head()
    response = client.post("/api/v1/customers", json={"name": "x"})
    body = assert_problem(response, 400)
    assert "Idempotency-Key" in body["detail"]
    assert ledger_app.head() == head


def test_oversized_body_is_413(client: Any, ledger_app: Any) -> None:
    head = ledger_app.head()
    response = client.post("/api/v1/customers", data=b'{"name": "' + b"x" * 2_000_000 + b'"}',
                           headers={"Idempotency-Key": str(uuid4()), "Content-Type": "application/json"})
    assert_problem(response, 413)
    assert ledger_app.head() == head


def test_unknown_id_in_path_is_404(client: Any, post: Any) -> None:
    assert_problem(client.get(f"/api/v1/customers/{uuid4()}"), 404)
    assert_problem(post(f"/api/v1/customers/{uuid4()}/claim", {"rep_id": str(uuid4())}), 404)


def test_unknown_reference_in_body_is_409_naming_the_field(post: Any, ledger_app: Any) -> None:
    head = ledger_app.head()
    body = assert_problem(post("/api/v1/reps", {"name": "Li", "team_id": str(uuid4()), "hired_on": "2026-01-05"}), 409, "team_id")
    assert body["code"] == "unknown-reference"
    assert ledger_app.head() == head


def test_rule_violation_is_409(post: Any, make: Any) -> None:
    customer, rep, other = make.customer(), make.rep(), make.rep()
    assert post(f"/api/v1/customers/{customer['id']}/claim", {"rep_id": rep["id"]}).status_code == 200
    body = assert_problem(post(f"/api/v1/customers/{customer['id']}/claim", {"rep_id": other["id"]}), 409, "customer_id")
    assert body["code"] == "customer-owned"


def test_unknown_route_and_wrong_method_are_problems(client: Any) -> None:
    assert_problem(client.get("/api/v1/nowhere"), 404)
    assert_problem(client.delete("/api/v1/customers"), 405)


@pytest.mark.parametrize("query", ["after=-1", "limit=0", "limit=5000", "after=abc"])
def test_bad_feed_query_is_422(client: Any, query: str) -> None:
    assert_problem(client.get(f"/api/v1/events?{query}"), 422)


def test_unexpected_errors_are_500_problems_without_stack_traces(settings: Any, ledger_app: Any, admin_token: str) -> None:
    from api import create_app

    app = create_app(settings, ledger_app)

    @app.get("/api/v1/boom-for-test")
    def boom() -> Any:
        raise RuntimeError("secret internals")

    from api.policy import RULES, read

    RULES["boom GET"] = read({"admin": "all"})
    try:
        response = app.test_client().get("/api/v1/boom-for-test", headers={"Authorization": f"Bearer {admin_token}"})
    finally:
        del RULES["boom GET"]
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True) and "Traceback" not in body["detail"]
