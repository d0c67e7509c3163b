"""Rules-as-data API: KPI schemes, commission plans, pool policies and exchange rates."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from flask.testing import FlaskClient

from ledger.application import LedgerApplication
from tests.api.helpers import assert_refused, recorded

INDICATORS = [{"key": "revenue", "dimension": "result", "weight": "60"},
              {"key": "visits", "dimension": "process", "weight": "25.5"},
              {"key": "training", "dimension": "capability", "weight": "14.5"}]
COHORTS = [{"name": "newcomers", "max_tenure_months": 6, "weights": {"revenue": "30", "visits": "70"}}]



def history_types(client: FlaskClient, url: str) -> list[str]:
    return [e["type"] for e in client.get(f"{url}/history").json["events"]]



def define_scheme(post: Any) -> dict[str, Any]:
    response = post("/api/v1/kpi-schemes", {"name": f"kpi-{uuid4().hex[:6]}", "effective_from": "2026-01-01",
                                            "indicators": INDICATORS, "cohorts": COHORTS})
    assert response.status_code == 201, response.json
    return response.json


def test_kpi_scheme_definition_and_revision_round_trip(client: FlaskClient, post: Any,
                                                       ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    scheme = define_scheme(post)
    url = f"/api/v1/kpi-schemes/{scheme['id']}"
    assert scheme["indicators"][1] == {"key": "visits", "dimension": "process", "weight": "25.5"}
    assert scheme["cohorts"][0]["weights"] == {"revenue": "30", "visits": "70"}
    assert client.get(url).json == scheme
    payload = recorded(client, head, scheme["id"], "KpiScheme.Defined")["payload"]
    assert payload["indicators"][0] == {"key": "revenue", "dimension": "result", "weight": "60"}
    head = ledger_app.head()
    revised = post(f"{url}/revise", {"effective_from": "2026-07-01", "reason": "H2 focus",
                                     "indicators": [{"key": "revenue", "dimension": "result", "weight": "100"}]})
    assert revised.status_code == 200, revised.json
    state = client.get(url).json
    assert (state["effective_from"], state["cohorts"], state["name"]) == ("2026-07-01", [], scheme["name"])
    assert [r["effective_from"] for r in state["revisions"]] == ["2026-01-01", "2026-07-01"]
    assert recorded(client, head, scheme["id"], "KpiScheme.Revised")["payload"]["reason"] == "H2 focus"
    assert history_types(client, url) == ["KpiScheme.Defined", "KpiScheme.Revised"]


def test_kpi_revision_not_after_the_previous_is_refused(post: Any, ledger_app: LedgerApplication) -> None:
    scheme, head = define_scheme(post), ledger_app.head()
    response = post(f"/api/v1/kpi-schemes/{scheme['id']}/revise",
                    {"effective_from": "2025-12-31", "indicators": INDICATORS})
    assert_refused(response, ledger_app, head, 409, "not-after-previous")


def test_kpi_weights_not_summing_to_100_are_422(post: Any, ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    response = post("/api/v1/kpi-schemes", {"name": "bad", "effective_from": "2026-01-01",
                                            "indicators": INDICATORS[:2]})
    assert_refused(response, ledger_app, head, 422, "invalid")
    assert response.json["errors"]["indicators"] == ["weights sum to 85.5, not 100"]
    response = post("/api/v1/kpi-schemes", {"name": "bad", "effective_from": "2026-01-01",
                                            "indicators": [{**INDICATORS[0], "dimension": "luck"}]})
    assert_refused(response, ledger_app, head, 422, "invalid")
    assert "indicators" in response.json["errors"]


def define_plan(post: Any, **overrides: Any) -> dict[str, Any]:
    body = {"name": f"plan-{uuid4().hex[:6]}", "currency": "CNY", "effective_from": "2026-01-01",
            "rules": {"base_rate": "0.05", "quota": "100000", "tiers": {"mode": "marginal", "bands": [
                {"from": 0, "to": 100, "rate": "0.05"}, {"from": 100, "to": None, "rate": 0.08}]}}}
    response = post("/api/v1/commission-plans", {**body, **overrides})
    assert response.status_code == 201, response.json
    return response.json


def test_commission_plan_definition_and_revision_round_trip(client: FlaskClient, post: Any,
                                                            ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    plan = define_plan(post)
    url = f"/api/v1/commission-plans/{plan['id']}"
    assert plan["rules"] == {"base_rate": "0.05", "quota": "100000", "tiers": {"mode": "marginal", "bands": [
        {"from": 0, "to": 100, "rate": "0.05"}, {"from": 100, "to": None, "rate": "0.08"}]}}  # a JSON float kept exact
    assert client.get(url).json == plan
    assert recorded(client, head, plan["id"], "CommissionPlan.Defined")["payload"]["rules"]["base_rate"] == "0.05"
    head = ledger_app.head()
    revised = post(f"{url}/revise", {"rules": {"base_rate": 0.06}, "effective_from": "2026-04-01", "reason": "Q2"})
    assert revised.status_code == 200, revised.json
    assert client.get(url).json["rules"] == {"base_rate": "0.06"}
    assert recorded(client, head, plan["id"], "CommissionPlan.Revised")["payload"]["effective_from"] == "2026-04-01"
    assert history_types(client, url) == ["CommissionPlan.Defined", "CommissionPlan.Revised"]


def test_commission_revision_not_after_the_previous_is_refused(post: Any, ledger_app: LedgerApplication) -> None:
    plan, head = define_plan(post), ledger_app.head()
    response = post(f"/api/v1/commission-plans/{plan['id']}/revise",
                    {"rules": {"base_rate": "0.06"}, "effective_from": "2026-01-01"})
    assert_refused(response, ledger_app, head, 409, "not-after-previous")


def test_commission_rules_need_a_base_rate_between_0_and_1(post: Any, ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    for rules in ({"tiers": []}, {"base_rate": "1.2"}, {"base_rate": "0.1", "x": {"_type_": "uuid_hex"}}, "flat"):
        response = post("/api/v1/commission-plans", {"name": "bad", "currency": "CNY",
                                                     "effective_from": "2026-01-01", "rules": rules})
        assert_refused(response, ledger_app, head, 422, "invalid")
        assert "rules" in response.json["errors"]


def test_commission_rules_with_a_typo_or_broken_bands_are_422_naming_the_rules_path(
        post: Any, ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    bands = [{"from": 0, "to": 50, "rate": "0.05"}, {"from": 40, "to": None, "rate": "0.1"}]
    for rules, path in (({"base_rate": "0.05", "tier": {"mode": "marginal"}}, "tier: unknown key"),
                        ({"base_rate": "0.05", "quota": "1000", "tiers": {"mode": "marginal", "bands": bands}},
                         "tiers.bands[1].from: must be 50")):
        response = post("/api/v1/commission-plans", {"name": "bad", "currency": "CNY",
                                                     "effective_from": "2026-01-01", "rules": rules})
        assert_refused(response, ledger_app, head, 422, "invalid")
        assert response.json["errors"]["rules"][0].startswith(path), response.json


def test_team_pool_policy_round_trips_and_is_found_by_team(client: FlaskClient, post: Any, make: Any,
                                                           ledger_app: LedgerApplication) -> None:
    team_id, head = make.team()["id"], ledger_app.head()
    body = {"team_id": team_id, "effective_from": "2026-01-01", "max_customers": 40, "distribution": "ranked",
            "idle_days_by_level": {"A": 60}}
    response = post("/api/v1/pool-policy", body)
    assert response.status_code == 200, response.json
    policy = response.json
    assert (policy["scope"], policy["idle_days"], policy["warning_days"]) == (f"team:{team_id}", 30, 3)
    assert client.get(f"/api/v1/pool-policy?team_id={team_id}").json == policy
    assert client.get(f"/api/v1/pool-policy/{policy['id']}").json == policy
    assert recorded(client, head, policy["id"], "PoolPolicy.Set")["payload"]["idle_days_by_level"] == {"A": 60}
    second = post("/api/v1/pool-policy", {**body, "effective_from": "2026-07-01", "max_customers": 30})
    assert second.status_code == 200 and second.json["id"] == policy["id"]
    assert [v["max_customers"] for v in second.json["versions"]] == [40, 30]
    assert history_types(client, f"/api/v1/pool-policy/{policy['id']}") == [
        "PoolPolicy.Created", "PoolPolicy.Set", "PoolPolicy.Set"]


def test_company_pool_policy_is_set_and_read_by_scope(client: FlaskClient, post: Any,
                                                      ledger_app: LedgerApplication) -> None:
    # The company stream is shared by every test: set the generous documented defaults only.
    limit, head = 10_000, ledger_app.head()
    response = post("/api/v1/pool-policy", {"scope": "company", "effective_from": "2026-01-01",
                                            "max_customers": limit})
    assert response.status_code == 200, response.json
    state = client.get("/api/v1/pool-policy?scope=company").json
    assert (state["scope"], state["team_id"], state["max_customers"]) == ("company", None, limit)
    assert recorded(client, head, state["id"], "PoolPolicy.Set")["payload"]["max_customers"] == limit


def test_pool_policy_needs_exactly_one_known_scope(client: FlaskClient, post: Any,
                                                   ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    both = post("/api/v1/pool-policy", {"scope": "company", "team_id": str(uuid4()), "effective_from": "2026-01-01",
                                        "max_customers": 5})
    assert_refused(both, ledger_app, head, 422, "invalid")
    assert "scope" in both.json["errors"]
    unknown = post("/api/v1/pool-policy", {"team_id": str(uuid4()), "effective_from": "2026-01-01",
                                           "max_customers": 5})
    assert_refused(unknown, ledger_app, head, 409, "unknown-reference")
    assert client.get(f"/api/v1/pool-policy?team_id={uuid4()}").status_code == 404


def test_pool_policy_warning_must_come_before_recycling(post: Any, make: Any, ledger_app: LedgerApplication) -> None:
    team_id, head = make.team()["id"], ledger_app.head()
    response = post("/api/v1/pool-policy", {"team_id": team_id, "effective_from": "2026-01-01", "max_customers": 5,
                                            "idle_days": 10, "warning_days": 10})
    assert_refused(response, ledger_app, head, 422, "invalid")
    assert "warning_days" in response.json["errors"]


def test_fx_rates_of_a_pair_share_one_stream(client: FlaskClient, post: Any, ledger_app: LedgerApplication) -> None:
    # The USD/CNY stream is shared by every test; a rate recorded again for a day replaces it in state.
    base, day, rate = "USD", "2026-01-02", "7.1234"
    head = ledger_app.head()
    response = post("/api/v1/fx-rates", {"base": base, "quote": "CNY", "rate": rate, "on": day, "source": "PBoC"})
    assert response.status_code == 201, response.json
    pair = response.json
    assert {"on": day, "rate": rate, "source": "PBoC"} in pair["rates"]
    assert client.get(f"/api/v1/fx-rates/{pair['id']}").json == pair
    event = recorded(client, head, pair["id"], "FxRate.Recorded")
    assert event["payload"] == {"base": base, "quote": "CNY", "rate": rate, "on": day, "source": "PBoC"}
    assert "FxRate.Recorded" in history_types(client, f"/api/v1/fx-rates/{pair['id']}")
    again = post("/api/v1/fx-rates", {"base": base, "quote": "CNY", "rate": "7.1000", "on": "2026-01-01"})
    assert again.json["id"] == pair["id"]


def test_fx_rate_must_be_positive_between_two_currencies(post: Any, ledger_app: LedgerApplication) -> None:
    head = ledger_app.head()
    for body, field in (({"base": "USD", "quote": "USD", "rate": "1"}, "quote"),
                        ({"base": "USD", "quote": "CNY", "rate": "0"}, "rate"),
                        ({"base": "USD", "quote": "XXX", "rate": "7"}, "quote")):
        response = post("/api/v1/fx-rates", {**body, "on": "2026-01-02"})
        assert_refused(response, ledger_app, head, 422, "invalid")
        assert field in response.json["errors"]
