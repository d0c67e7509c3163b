"""Scorecards on the stored read side, against numbers worked out by hand.

The team: two veterans (A, B) and two new hires (C, D). Scheme (team-scoped): revenue 50, follow_ups 30,
product_knowledge 20; new hires (under 6 months) weigh revenue 20, follow_ups 50, product_knowledge 30.
Team targets per rep for 2026-Q3: revenue 100000, follow_ups 60; product_knowledge scores are percentages.

    rep  revenue  follow-ups  knowledge   scores (cap 120)      veteran weights   cohort weights
    A    120000   30          60          120 / 50  / 60        60+15+12 = 87     (veteran)
    B     80000   60          90           80 / 100 / 90        40+30+18 = 88     (veteran)
    C     40000   90          80           40 / 120 / 80        20+36+16 = 72     8+60+24 = 92
    D     20000   45          70           20 / 75  / 70        10+22.5+14 = 46.5 4+37.5+21 = 62.5

With cohort weights the ranking is C, B, A, D; without them it would be B, A, C, D.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from ledger.base import Ctx
from ledger.commands import org, performance, pool, rules, sales
from ledger.commands.targets import SetTarget
from projections.registry import Queries


def at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T10:00:00+00:00")


def ctx() -> Ctx:
    return Ctx("test", f"k-{uuid4()}", "fp")


@dataclass
class Team:
    team: UUID
    reps: dict[str, UUID]
    scheme: UUID
    deals: dict[str, UUID]
    scores: dict[str, UUID]


def build_team(app: Any) -> Team:
    team = app.create_team(org.CreateTeam(name="Q3 team", occurred_at=at("2026-01-02")), ctx()).id
    hired = {"A": "2020-01-01", "B": "2019-05-01", "C": "2026-06-01", "D": "2026-05-15"}
    reps = {name: app.onboard_rep(org.OnboardRep(name=name, team_id=team, hired_on=date.fromisoformat(day),
                                                 occurred_at=at("2026-01-02")), ctx()).id for name, day in hired.items()}
    scheme = app.define_kpi_scheme(rules.DefineKpiScheme(
        name="Q3", effective_from=date(2026, 1, 1), team_ids=[team], occurred_at=at("2026-01-02"),
        indicators=[{"key": "revenue", "dimension": "result", "weight": Decimal(50)},
                    {"key": "follow_ups", "dimension": "process", "weight": Decimal(30)},
                    {"key": "product_knowledge", "dimension": "capability", "weight": Decimal(20)}],
        cohorts=[{"name": "new hires", "max_tenure_months": 6,
                  "weights": {"revenue": Decimal(20), "follow_ups": Decimal(50), "product_knowledge": Decimal(30)}}]),
        ctx()).id
    for indicator, value in (("revenue", 100000), ("follow_ups", 60)):
        app.set_target(SetTarget(scope="team", scope_id=team, period="2026-Q3", indicator=indicator,
                                 value=Decimal(value), occurred_at=at("2026-07-01")), ctx())
    facts = {"A": (120000, 30, 60), "B": (80000, 60, 90), "C": (40000, 90, 80), "D": (20000, 45, 70)}
    deals, scores = {}, {}
    for name, (revenue, follow_ups, knowledge) in facts.items():
        rep = reps[name]
        customer = app.register_customer(pool.RegisterCustomer(name=f"{name}'s customer", occurred_at=at("2026-07-01")),
                                         ctx()).id
        for n in range(follow_ups):
            app.log_follow_up(sales.LogFollowUp(rep_id=rep, customer_id=customer, kind="call", stage="lead",
                                                occurred_at=at(f"2026-08-{1 + n % 28:02d}")), ctx())
        deals[name] = app.close_deal(sales.CloseDeal(rep_id=rep, customer_id=customer, amount=Decimal(revenue),
                                                     currency="CNY", product="p", customer_type="new",
                                                     closed_on=date(2026, 9, 1), occurred_at=at("2026-09-01")), ctx()).id
        scores[name] = app.record_score(performance.RecordScore(rep_id=rep, indicator="product_knowledge",
                                                                value=Decimal(knowledge), period="2026-Q3",
                                                                occurred_at=at("2026-09-15")), ctx()).id
    return Team(team, reps, scheme, deals, scores)


@pytest.fixture(scope="module")
def queries(ledger_app: Any, settings: Any) -> Any:
    queries = Queries(ledger_app, settings)
    yield queries
    queries.close()


def card(queries: Any, t: Team, name: str, period: str = "2026-Q3", as_of: Any = None) -> dict[str, Any]:
    return dict(queries.scorecards.rep(str(t.reps[name]), period, queries.read_side.moment(as_of)))


def test_cohort_weights_change_the_ranking(ledger_app: Any, queries: Any) -> None:
    t = build_team(ledger_app)
    totals = {name: card(queries, t, name)["total"] for name in "ABCD"}
    assert totals == {"A": "87.00", "B": "88.00", "C": "92.00", "D": "62.50"}
    c = card(queries, t, "C")
    assert c["cohort"] == "new hires" and c["tenure_months"] == 3
    assert [(i["key"], i["actual"], i["target"], i["score"], i["weight"], i["contribution"]) for i in c["indicators"]] == [
        ("revenue", "40000.00", "100000.00", "40.00", "20.00", "8.00"),
        ("follow_ups", "90.00", "60.00", "120.00", "50.00", "60.00"),
        ("product_knowledge", "80.00", "100.00", "80.00", "30.00", "24.00")]
    board = queries.scorecards.leaderboard("2026-Q3", queries.read_side.moment(), team_id=str(t.team))
    names = {str(v): k for k, v in t.reps.items()}
    assert [names[e["rep_id"]] for e in board["entries"]] == ["C", "B", "A", "D"]
    assert [e["percentile"] for e in board["entries"]] == ["100.00", "66.67", "33.33", "0.00"]
    assert c["rank"]["team"] == {"rank": 1, "of": 4, "percentile": "100.00"}
    team = queries.scorecards.team(str(t.team), "2026-Q3", queries.read_side.moment())
    assert (team["mean_total"], team["revenue"], team["revenue_target"], team["attainment"]) == (
        "82.38", "260000.00", "400000.00", "65.00")


def test_reversal_lowers_revenue_and_attainment(ledger_app: Any, queries: Any) -> None:
    t = build_team(ledger_app)
    ledger_app.reverse_deal(sales.ReverseDeal(deal_id=t.deals["A"], kind="refund", reason="downsized",
                                              amount=Decimal(20000), currency="CNY", occurred_at=at("2026-09-20")), ctx())
    a = card(queries, t, "A")
    assert a["actuals"]["revenue"] == "100000.00" and a["actuals"]["attainment"] == "100.00"
    assert a["total"] == "77.00"  # 100*0.5 + 50*0.3 + 60*0.2


def test_scheme_revision_applies_only_from_its_effective_date(ledger_app: Any, queries: Any) -> None:
    t = build_team(ledger_app)
    ledger_app.revise_kpi_scheme(rules.ReviseKpiScheme(
        scheme_id=t.scheme, effective_from=date(2026, 10, 1), occurred_at=at("2026-09-25"), reason="process focus",
        indicators=[{"key": "revenue", "dimension": "result", "weight": Decimal(30)},
                    {"key": "follow_ups", "dimension": "process", "weight": Decimal(50)},
                    {"key": "product_knowledge", "dimension": "capability", "weight": Decimal(20)}]), ctx())
    q3, q4 = card(queries, t, "A", "2026-Q3"), card(queries, t, "A", "2026-Q4")
    assert (q3["scheme"]["version"], q3["total"]) == (1, "87.00")
    assert q4["scheme"]["version"] == 2 and [i["weight"] for i in q4["indicators"]] == ["30.00", "50.00", "20.00"]


def test_as_of_shows_the_score_before_a_back_dated_correction(ledger_app: Any, queries: Any) -> None:
    t = build_team(ledger_app)
    before = ledger_app.head()
    recorded_before = datetime.now(timezone.utc)
    ledger_app.correct_score(performance.CorrectScore(score_id=t.scores["A"], value=Decimal(90), reason="rubric",
                                                      occurred_at=at("2026-09-16")), ctx())
    assert card(queries, t, "A")["total"] == "93.00"  # 60 + 15 + 18
    old = card(queries, t, "A", as_of=before)
    assert old["total"] == "87.00" and old["position"] == before
    assert card(queries, t, "A", as_of=recorded_before.isoformat())["total"] == "87.00"


def test_a_scheme_of_another_team_does_not_apply(ledger_app: Any, queries: Any) -> None:
    t = build_team(ledger_app)
    other = build_team(ledger_app)
    assert card(queries, t, "A")["scheme"]["scheme_id"] == str(t.scheme)
    assert card(queries, other, "A")["scheme"]["scheme_id"] == str(other.scheme)
