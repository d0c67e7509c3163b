"""Rules as data: KPI schemes, commission plans, pool policies and exchange rates keep their invariants."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from ledger.application import LedgerApplication
from ledger.commission_plan import CommissionPlan
from ledger.errors import Invalid, RuleViolation
from ledger.fx_rate import FxRate, pair_id
from ledger.kpi_scheme import KpiScheme
from ledger.pool_policy import PoolPolicy, policy_id

INDICATORS = [
    {"key": "revenue", "dimension": "result", "weight": Decimal("60")},
    {"key": "visits", "dimension": "process", "weight": Decimal("25.5")},
    {"key": "training", "dimension": "capability", "weight": Decimal("14.5")},
]
NEWCOMERS = {"name": "newcomers", "max_tenure_months": 6,
             "weights": {"revenue": Decimal(30), "visits": Decimal(50), "training": Decimal(20)}}


def stamp() -> dict[str, Any]:
    return dict(occurred_at=datetime.now(timezone.utc), actor="t", idempotency_key="k")


def scheme(indicators: list[dict[str, Any]] = INDICATORS, cohorts: list[dict[str, Any]] | None = None) -> KpiScheme:
    return KpiScheme.define(id=None, name="2026 sales", effective_from=date(2026, 1, 1), indicators=indicators,
                            cohorts=[NEWCOMERS] if cohorts is None else cohorts, **stamp())


def test_kpi_scheme_uses_cohort_weights_for_newcomers() -> None:
    defined = scheme()
    assert defined.weights_for(3) == NEWCOMERS["weights"]
    assert defined.weights_for(24) == {"revenue": Decimal(60), "visits": Decimal("25.5"), "training": Decimal("14.5")}


def test_kpi_weights_that_do_not_sum_to_100_are_refused() -> None:
    with pytest.raises(Invalid) as error:
        scheme([{**INDICATORS[0], "weight": Decimal("59.99")}, *INDICATORS[1:]])
    assert error.value.errors["indicators"] == ["weights sum to 99.99, not 100"]


def test_cohort_weights_must_sum_to_100_over_known_indicators() -> None:
    with pytest.raises(Invalid):
        scheme(cohorts=[{**NEWCOMERS, "weights": {"revenue": Decimal(50), "visits": Decimal(40)}}])
    with pytest.raises(Invalid) as error:
        scheme(cohorts=[{**NEWCOMERS, "weights": {"revenue": Decimal(50), "calls": Decimal(50)}}])
    assert "calls" in error.value.errors["cohorts"][0]


def test_duplicate_indicator_keys_are_refused() -> None:
    with pytest.raises(Invalid):
        scheme([{"key": "revenue", "dimension": "result", "weight": Decimal(50)}] * 2)


def test_kpi_revision_must_take_effect_after_the_previous_one() -> None:
    defined = scheme()
    with pytest.raises(RuleViolation) as error:
        defined.revise(name=None, effective_from=date(2026, 1, 1), indicators=INDICATORS, cohorts=[], reason="",
                       **stamp())
    assert error.value.code == "not-after-previous"
    defined.revise(name=None, effective_from=date(2026, 7, 1), indicators=INDICATORS, cohorts=[], reason="H2",
                   **stamp())
    assert (defined.name, defined.cohorts, defined.effective_from) == ("2026 sales", [], date(2026, 7, 1))
    assert [defined.version_in_force(d) for d in (date(2025, 12, 31), date(2026, 3, 1), date(2026, 7, 1))] == [
        None, 1, 2]


TIERED = {"base_rate": "0.05", "quota": "100000", "tiers": {"mode": "marginal", "bands": [
    {"from": 0, "to": 100, "rate": "0.05"}, {"from": 100, "to": None, "rate": Decimal("0.08")}]}}


def plan() -> CommissionPlan:
    return CommissionPlan.define(id=None, name="std", currency="CNY", effective_from=date(2026, 1, 1),
                                 rules=TIERED, **stamp())


def test_commission_plan_keeps_its_checked_rules_as_given_with_decimals() -> None:
    defined = plan()
    assert defined.base_rate == Decimal("0.05")
    assert defined.rules == TIERED
    assert defined.rules["tiers"]["bands"][1] == {"from": 100, "to": None, "rate": Decimal("0.08")}


@pytest.mark.parametrize(("rules", "path"), [
    ({"base_rate": "0.05", "tier": {}}, "tier: unknown key"),
    ({"base_rate": "0.05", "tiers": [{"above": 100000, "rate": "0.08"}]}, "tiers: must be an object"),
    ({"base_rate": "0.05", "quota": "1000", "tiers": {"mode": "marginal", "bands": [
        {"from": 0, "to": 50, "rate": "0.05"}, {"from": 60, "to": None, "rate": "0.1"}]}}, "tiers.bands[1].from"),
    ({"base_rate": "0.05", "tiers": {"mode": "marginal", "bands": [{"from": 0, "to": None, "rate": "0.1"}]}},
     "quota: tiers need a quota"),
])
def test_commission_rules_that_break_the_schema_are_refused_naming_the_path(rules: dict[str, Any], path: str) -> None:
    with pytest.raises(Invalid) as error:
        CommissionPlan.define(id=None, name="bad", currency="CNY", effective_from=date(2026, 1, 1), rules=rules,
                              **stamp())
    assert error.value.errors["rules"][0].startswith(path), error.value.errors


@pytest.mark.parametrize("rules", [{}, {"base_rate": Decimal("1.5")}, {"base_rate": True}, {"base_rate": 0.05},
                                   {"base_rate": "0.1", "x": {"_type_": "evil", "_data_": 1}}])
def test_commission_rules_without_a_sane_base_rate_or_with_reserved_keys_are_refused(rules: dict[str, Any]) -> None:
    with pytest.raises(Invalid) as error:
        CommissionPlan.define(id=None, name="bad", currency="CNY", effective_from=date(2026, 1, 1), rules=rules,
                              **stamp())
    assert "rules" in error.value.errors


def test_commission_revision_must_take_effect_after_the_previous_one() -> None:
    defined = plan()
    with pytest.raises(RuleViolation):
        defined.revise(rules={"base_rate": "0.06"}, effective_from=date(2025, 12, 1), reason="", **stamp())
    defined.revise(rules={"base_rate": "0.06"}, effective_from=date(2026, 4, 1), reason="Q2", **stamp())
    assert (defined.base_rate, defined.version_in_force(date(2026, 3, 31))) == (Decimal("0.06"), 1)


def policy_settings(**overrides: Any) -> dict[str, Any]:
    values = dict(effective_from=date(2026, 1, 1), max_customers=50, idle_days=30, no_deal_days=90, warning_days=3,
                  protection_days=7, cooloff_days=30, distribution="random", idle_days_by_level={"A": 60})
    return {**values, **overrides}


def test_pool_policy_stream_is_one_per_scope_and_keeps_every_setting() -> None:
    team_id = uuid4()
    policy = PoolPolicy.open(team_id=team_id, **stamp())
    policy.set(**policy_settings(), **stamp())
    policy.set(**policy_settings(effective_from=date(2026, 7, 1), max_customers=40), **stamp())
    assert policy.id == policy_id(f"team:{team_id}") and policy.scope == f"team:{team_id}"
    assert policy.max_customers == 40
    assert policy.in_force(date(2026, 3, 1))["max_customers"] == 50
    assert policy.in_force(date(2025, 3, 1)) is None


@pytest.mark.parametrize("overrides, field", [({"max_customers": 0}, "max_customers"),
                                              ({"warning_days": 30}, "warning_days"),
                                              ({"distribution": "lottery"}, "distribution"),
                                              ({"idle_days_by_level": {"A": 0}}, "idle_days_by_level")])
def test_pool_policy_refuses_nonsense_settings(overrides: dict[str, Any], field: str) -> None:
    policy = PoolPolicy.open(team_id=None, **stamp())
    with pytest.raises(Invalid) as error:
        policy.set(**policy_settings(**overrides), **stamp())
    assert field in error.value.errors


def test_fx_rate_on_a_day_is_the_latest_dated_on_or_before_it() -> None:
    pair = FxRate.open(base="USD", quote="CNY", **stamp())
    pair.record(rate=Decimal("7.10"), on=date(2026, 1, 5), source="PBoC", **stamp())
    pair.record(rate=Decimal("7.05"), on=date(2026, 1, 2), source="PBoC", **stamp())
    pair.record(rate=Decimal("7.12"), on=date(2026, 1, 5), source="PBoC correction", **stamp())
    assert pair.id == pair_id("USD", "CNY")
    assert (pair.rate, pair.on, pair.source) == (Decimal("7.12"), date(2026, 1, 5), "PBoC correction")
    assert [pair.rate_on(date(2026, 1, d)) for d in (1, 3, 9)] == [None, Decimal("7.05"), Decimal("7.12")]


def test_fx_rate_must_be_positive_and_between_two_currencies() -> None:
    with pytest.raises(Invalid):
        FxRate.open(base="CNY", quote="CNY", **stamp())
    with pytest.raises(Invalid):
        FxRate.open(base="USD", quote="EUR", **stamp()).record(rate=Decimal(0), on=date(2026, 1, 1), source="",
                                                                **stamp())


def test_rules_replay_from_the_store_with_exact_decimals_and_dates() -> None:
    app = LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    defined, defined_plan = scheme(), plan()
    policy = PoolPolicy.open(team_id=uuid4(), **stamp())
    policy.set(**policy_settings(), **stamp())
    app.save(defined, defined_plan, policy)
    assert app.repository.get(defined.id).cohorts == defined.cohorts
    assert app.repository.get(defined_plan.id).rules == defined_plan.rules
    assert app.repository.get(policy.id).versions == policy.versions


def test_schemes_stored_before_team_scopes_and_caps_are_upcast() -> None:
    from decimal import Decimal as D

    from ledger.kpi_scheme import KpiScheme

    old_defined = {"name": "v1", "effective_from": "2026-01-01", "indicators": [], "cohorts": []}
    KpiScheme.Defined.upcast_v1_v2(old_defined)
    assert (old_defined["team_ids"], old_defined["cap"]) == ([], D(120))
    old_revised: dict[str, object] = {"name": "v1"}
    KpiScheme.Revised.upcast_v1_v2(old_revised)
    assert old_revised["cap"] == D(120)
