"""Indicator analytics on the demo year, recomputed independently with numpy and scipy.

The test extracts its own observations, one GET /reps/<id>/scorecard?period=YYYY-MM per rep of the
first demo team and month, and checks every correlation, interval, weight and what-if rank of
GET /api/v1/analytics/indicators against them. Monthly team targets are added to the demo first, so
that every indicator has a score and the what-if has something to move.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Iterator
from uuid import UUID, uuid4

import numpy as np
import pytest
from flask.testing import FlaskClient
from scipy import stats as sps

from api import create_app
from ledger.application import LedgerApplication, build_application
from ledger.base import Ctx
from ledger.commands.targets import SetTarget
from ledger.periods import Period
from ledger.settings import Settings
from projections.registry import Queries
from scripts.demo import build_demo
from tests.conftest import authenticated, fresh_store, issue_token

MONTHS = [f"2025-{m}" for m in ("11", "12")] + [f"2026-{m:02d}" for m in range(1, 11)]
TARGETS = {"revenue": Decimal("25000"), "follow_ups": Decimal("14"), "repurchase_rate": Decimal("20")}
TOLERANCE = 1e-9
SEED = 7  # `ledger demo`'s default


@dataclass
class Demo:
    app: LedgerApplication
    client: FlaskClient
    team: str
    reps: dict[str, date]  # the team's reps and their hiring days
    settings: Settings


@pytest.fixture(scope="module")
def demo(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with fresh_store(settings, tmp_path_factory.mktemp("analytics")) as fresh:
        app = build_application(fresh)
        queries = Queries(app, fresh)
        writer = build_demo(app, SEED, date(2026, 10, 31), lambda _: None, queries)  # a fresh store: a fixed seed
        team = writer.id("team-0")
        for month in MONTHS:
            for indicator, value in TARGETS.items():
                app.set_target(SetTarget(scope="team", scope_id=team, period=month, indicator=indicator, value=value,
                                         occurred_at=datetime(2025, 11, 1, tzinfo=timezone.utc)), Ctx("test", f"t-{uuid4()}"))
        client = authenticated(create_app(fresh, app), issue_token(app, "admin"))
        reps = {}
        for i in range(0, 12, 3):  # the demo puts rep i in team i % 3
            rep = client.get(f"/api/v1/reps/{writer.id(f'rep-{i}')}").json
            assert rep["team_id"] == str(team)
            reps[rep["id"]] = date.fromisoformat(rep["hired_on"])
        try:
            yield Demo(app, client, str(team), reps, fresh)
        finally:
            queries.close()
            app.close()


def report(demo: Demo, **extra: str) -> dict[str, Any]:
    query = "&".join(f"{k}={v}" for k, v in {"period_from": MONTHS[0], "period_to": MONTHS[-1], "team": demo.team,
                                             **extra}.items())
    response = demo.client.get(f"/api/v1/analytics/indicators?{query}")
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture(scope="module")
def observed(demo: Demo) -> dict[tuple[str, str], dict[str, Any]]:
    """(rep, month) -> that month's scorecard, for every rep employed by the month's end."""
    cards = {}
    for month in MONTHS:
        for rep, hired in demo.reps.items():
            if hired <= Period.parse(month).end:
                response = demo.client.get(f"/api/v1/reps/{rep}/scorecard?period={month}")
                assert response.status_code == 200
                cards[(rep, month)] = response.json
    return cards


def column(cards: dict[tuple[str, str], dict[str, Any]], key: str, field: str) -> tuple[np.ndarray, np.ndarray]:
    pairs = [(float(row[field]), float(card["actuals"]["revenue"])) for card in cards.values()
             for row in card["indicators"] if row["key"] == key and row[field] is not None]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def fisher(r: float, n: int, factor: float = 1.0) -> list[float]:
    half = sps.norm.ppf(0.975) * np.sqrt(factor / (n - 3))
    return [float(np.tanh(np.arctanh(r) - half)), float(np.tanh(np.arctanh(r) + half))]


def assert_matches(found: dict[str, Any], x: np.ndarray, y: np.ndarray) -> None:
    assert found["n"] == len(x)
    pearson, spearman = found["pearson"], found["spearman"]
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        assert pearson["r"] is None and pearson["reason"] and spearman["r"] is None
        return
    expected = sps.pearsonr(x, y)
    assert abs(pearson["r"] - expected.statistic) < TOLERANCE
    if abs(expected.statistic) < 1 - 1e-12:
        interval = expected.confidence_interval(0.95)  # scipy's own Fisher-z interval
        assert pearson["ci95"] == pytest.approx([interval.low, interval.high], abs=TOLERANCE)
        rho = sps.spearmanr(x, y).statistic
        assert abs(spearman["r"] - rho) < TOLERANCE
        assert spearman["ci95"] == pytest.approx(fisher(rho, len(x), 1.06), abs=TOLERANCE)


def test_every_correlation_matches_scipy_on_the_demo_year(demo: Demo, observed: dict[tuple[str, str], Any]) -> None:
    body = report(demo)
    assert body["observations"] == {"count": len(observed), "reps": len(demo.reps), "months": len(MONTHS)}
    assert [i["key"] for i in body["indicators"]] == ["revenue", "repurchase_rate", "follow_ups", "product_knowledge"]
    for indicator in body["indicators"]:
        for field, part in (("actual", "value"), ("score", "score")):
            x, y = column(observed, indicator["key"], field)
            assert len(x) > 20, (indicator["key"], field)
            assert_matches(indicator[part], x, y)
    revenue = next(i for i in body["indicators"] if i["key"] == "revenue")
    assert revenue["value"]["pearson"]["r"] == pytest.approx(1.0)  # revenue against itself


def test_training_hours_against_next_month_growth_matches_scipy(demo: Demo, observed: dict[tuple[str, str], Any]) -> None:
    hours, growth, excluded = [], [], 0
    for (rep, month), card in observed.items():
        following = MONTHS.index(month) + 1
        later = observed.get((rep, MONTHS[following])) if following < len(MONTHS) else None
        if later is None:
            continue
        revenue = float(card["actuals"]["revenue"])
        if revenue <= 0:
            excluded += 1
            continue
        hours.append(float(card["actuals"]["training_hours"]))
        growth.append((float(later["actuals"]["revenue"]) - revenue) / revenue)
    training = report(demo)["training"]
    assert training["excluded_pairs"] == excluded
    assert_matches(training, np.array(hours), np.array(growth))


def test_suggested_weights_are_whole_bounded_and_sum_to_100(demo: Demo) -> None:
    body = report(demo)
    weights = body["weights"]
    assert sum(weights["suggested"].values()) == 100
    assert all(weights["min"] <= w <= weights["max"] for w in weights["suggested"].values())
    assert (weights["min"], weights["max"]) == (5, 40)
    assert weights["current"] == {"revenue": "30", "repurchase_rate": "20", "follow_ups": "25", "product_knowledge": "25"}
    assert weights["suggested"]["revenue"] == 40  # r = 1 reaches the cap
    for indicator in body["indicators"]:
        assert weights["basis"][indicator["key"]] == (indicator["value"]["pearson"]["r"] or 0.0)
    positive = [weights["suggested"][k] for k, b in weights["basis"].items() if b > 0]
    others = {weights["suggested"][k] for k, b in weights["basis"].items() if b <= 0}
    if others:  # the minimum, unless the positive ones are all capped and leave points over, shared equally
        assert others == {5} or (all(w == 40 for w in positive) and max(others) - min(others) <= 1)
    ordered = sorted(weights["basis"], key=lambda k: weights["basis"][k])
    assert [weights["suggested"][k] for k in ordered] == sorted(weights["suggested"].values())


def test_what_if_reranks_independently_and_writes_nothing(demo: Demo, observed: dict[tuple[str, str], Any]) -> None:
    head = demo.app.head()
    body = report(demo)
    assert demo.app.head() == head  # no event recorded, not even an access record
    suggested = body["weights"]["suggested"]
    assert [m["period"] for m in body["what_if"]] == MONTHS[-6:]
    for month in body["what_if"]:
        cards = {rep: card for (rep, m), card in observed.items() if m == month["period"]}
        board = demo.client.get(f"/api/v1/leaderboard?period={month['period']}&team={demo.team}").json
        assert {e["rep_id"]: e["rank"] for e in board["entries"]} == {e["rep_id"]: e["rank_current"] for e in month["entries"]}
        totals = {}
        for rep, card in cards.items():
            scored = [(float(i["score"]), suggested[i["key"]]) for i in card["indicators"] if i["score"] is not None]
            totals[rep] = sum(s * w for s, w in scored) / sum(w for _, w in scored) if scored else None
        order = sorted(cards, key=lambda r: (totals[r] is None, -(totals[r] or 0), r))
        assert {e["rep_id"]: e["rank_suggested"] for e in month["entries"]} == {r: i + 1 for i, r in enumerate(order)}
        current = [e["rank_current"] for e in month["entries"]]
        then = [e["rank_suggested"] for e in month["entries"]]
        assert month["moved"] == sum(1 for a, b in zip(current, then, strict=True) if a != b)
        assert month["kendall_tau"] == pytest.approx(sps.kendalltau(current, then).statistic, abs=TOLERANCE)
    assert any(m["moved"] for m in body["what_if"])  # with targets set, the new weights do reorder someone


def test_top_decile_and_incentives_name_the_figures(demo: Demo, observed: dict[tuple[str, str], Any]) -> None:
    body = report(demo)
    revenue: dict[str, float] = {}
    for (rep, _), card in observed.items():
        revenue[rep] = revenue.get(rep, 0.0) + float(card["actuals"]["revenue"])
    top = body["top_performers"]
    assert top["top_rep_ids"] == [max(revenue, key=lambda r: revenue[r])]  # a tenth of four reps is one
    for group, members in (("top", top["top_rep_ids"]), ("rest", [r for r in revenue if r not in top["top_rep_ids"]])):
        cards = [c for (rep, _), c in observed.items() if rep in members]
        follow_ups = sum(float(c["actuals"]["follow_ups"]) for c in cards)
        deals = sum(float(c["actuals"]["deal_count"]) for c in cards)
        assert top[group]["follow_ups_per_deal"] == pytest.approx(follow_ups / deals, abs=TOLERANCE)
        conversion = top[group]["stage_conversion"]
        assert [c["from"] for c in conversion] == ["lead", "qualified", "proposal", "negotiation"]
        assert all(c["advanced"] <= c["entered"] for c in conversion)
        assert set(top[group]["days_in_stage"]) <= {"lead", "qualified", "proposal", "negotiation"}
    incentives = body["incentives"]
    assert {r["rep_id"] for r in incentives["reps"]} == set(demo.reps)
    assert incentives["result_basis"] == "scores" and incentives["capability_basis"] == "scores"
    for rep in incentives["reps"]:
        figures = rep["figures"]
        assert figures["revenue"] == pytest.approx(revenue[rep["rep_id"]], abs=0.01)
        if rep["quadrant"] == "new_hire":
            assert rep["suggestion"] == "target_bonus_and_mentor" and (figures["tenure_months"] < 6 or figures["cohort"])
        elif rep["quadrant"] == "results_over_capability":
            assert figures["result_score"] >= incentives["median_result"] > 0
            assert figures["capability_score"] < incentives["median_capability"]
            assert rep["suggestion"] == "advanced_training"
        elif rep["quadrant"] == "capability_over_results":
            assert figures["capability_score"] >= incentives["median_capability"]
            assert figures["result_score"] < incentives["median_result"]
            assert rep["suggestion"] == "more_pool_customers"


def test_the_cli_prints_the_same_report_as_json_and_a_table(demo: Demo) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update({"LEDGER_MASTER_KEY": demo.settings.master_key, "PYTHONIOENCODING": "utf-8"})
    env.update({"LEDGER_DATABASE_URL": demo.settings.database_url} if demo.settings.database_url
               else {"LEDGER_DB": demo.settings.db_path})

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "scripts.cli", "analytics", *args], env=env, capture_output=True,
                              text=True, encoding="utf-8", timeout=300)

    expected = report(demo)
    as_json = run("--from", MONTHS[0], "--to", MONTHS[-1], "--team", demo.team, "--as-of", str(expected["position"]),
                  "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    printed = json.loads(as_json.stdout)
    assert {k: v for k, v in printed.items() if k != "as_of"} == {k: v for k, v in expected.items() if k != "as_of"}
    table = run("--from", MONTHS[0], "--to", MONTHS[-1], "--team", "华东 East")
    assert table.returncode == 0, table.stderr
    assert "product_knowledge" in table.stdout and "what-if 2026-10" in table.stdout and "Kendall tau" in table.stdout
    refused = run("--from", "2026-05", "--to", "2026-01")
    assert refused.returncode == 1 and "period_to is before period_from" in refused.stderr
    assert "Traceback" not in refused.stderr
    helped = run("--help")
    assert helped.returncode == 0 and "--from" in helped.stdout and "--format" in helped.stdout


def test_an_unknown_team_is_404_naming_the_field(demo: Demo) -> None:
    response = demo.client.get(f"/api/v1/analytics/indicators?period_from=2026-01&period_to=2026-03&team={UUID(int=7)}")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert "team" in response.json["errors"]


def test_as_of_answers_as_the_ledger_stood(demo: Demo) -> None:
    # last in the module: it records a late deal, which the cached observations above do not see
    before = report(demo)
    rep = next(iter(demo.reps))
    customer = demo.client.post("/api/v1/customers", json={"name": f"late-{uuid4().hex[:6]}"},
                                headers={"Idempotency-Key": str(uuid4())}).json["id"]
    response = demo.client.post("/api/v1/deals", headers={"Idempotency-Key": str(uuid4())}, json={
        "rep_id": rep, "customer_id": customer, "amount": "99999.00", "currency": "CNY", "product": "late",
        "customer_type": "new", "closed_on": "2026-10-20", "occurred_at": "2026-10-20T12:00:00+00:00"})
    assert response.status_code == 201, response.json
    now, then = report(demo), report(demo, as_of=str(before["position"]))
    assert now["indicators"] != before["indicators"]
    assert {k: v for k, v in then.items() if k != "as_of"} == {k: v for k, v in before.items() if k != "as_of"}


def test_the_fast_read_of_stored_touches_equals_decoding_the_events(demo: Demo) -> None:
    from projections.analytics import habits

    stored = demo.app.recorder.select_notifications(start=1, limit=10**6, topics=[
        "ledger.followup:FollowUp.Logged", "ledger.deal:Deal.Closed"])
    assert len(stored) > 1000 and demo.app.mapper.cipher is None
    assert [habits._raw(s) for s in stored] == [habits._decoded(demo.app, s) for s in stored]
