"""GET /api/v1/analytics/indicators: hand-worked numbers on a small team, validation, and who may ask.

The team is the worked example of tests/integration/test_scorecards.py: in 2026-09 reps A, B, C, D sell
120000, 80000, 40000 and 20000 and are scored 60, 90, 80, 70 on product knowledge; their follow-ups
were all in August. C and D were hired in 2026 (the new-hires cohort).
"""

from __future__ import annotations

import math
from typing import Any
from uuid import UUID, uuid4

import pytest
from flask import Flask

from tests.api.helpers import problem
from tests.conftest import authenticated, issue_token
from tests.integration.test_scorecards import Team, build_team

URL = "/api/v1/analytics/indicators"


@pytest.fixture(scope="module")
def team(ledger_app: Any) -> Team:
    return build_team(ledger_app)


def ask(client: Any, **query: Any) -> Any:
    return client.get(URL, query_string={"period_from": "2026-09", "period_to": "2026-09", **query})


def test_a_thin_month_gives_the_hand_worked_correlations_and_weights(client: Any, team: Team) -> None:
    body = ask(client, team=str(team.team)).json
    assert body["observations"] == {"count": 4, "reps": 4, "months": 1}
    rows = {i["key"]: i for i in body["indicators"]}
    assert rows["revenue"]["value"]["pearson"] == {"n": 4, "r": pytest.approx(1.0), "ci95": [pytest.approx(1.0)] * 2,
                                                   "reason": None}
    assert rows["follow_ups"]["value"]["pearson"] == {"n": 4, "r": None, "ci95": None,
                                                      "reason": "zero variance in the indicator"}
    # product knowledge: dx = [-15, 15, 5, -5], dy = [55, 15, -25, -45] thousand: r = -500 / sqrt(500 * 5900)
    knowledge = rows["product_knowledge"]["value"]
    r = -500 / math.sqrt(500 * 5900)
    assert knowledge["pearson"]["r"] == pytest.approx(r, abs=1e-12)
    assert knowledge["pearson"]["ci95"] == pytest.approx([math.tanh(math.atanh(r) - 1.959963984540054),
                                                          math.tanh(math.atanh(r) + 1.959963984540054)], abs=1e-12)
    assert knowledge["spearman"]["r"] == pytest.approx(-0.2, abs=1e-12)  # ranks [1,4,3,2] against [4,3,2,1]
    assert rows["product_knowledge"]["score"]["pearson"]["r"] == pytest.approx(r, abs=1e-12)  # target 100: score = value
    # revenue capped at 40; the two without positive correlation share the other 60
    assert body["weights"]["suggested"] == {"revenue": 40, "follow_ups": 30, "product_knowledge": 30}
    assert body["weights"]["current"] == {"revenue": "50", "follow_ups": "30", "product_knowledge": "20"}
    assert body["what_if"][0]["moved"] == 0 and body["what_if"][0]["kendall_tau"] == 1.0  # only knowledge is scored
    assert body["training"]["n"] == 0 and body["training"]["pearson"]["reason"] == "n = 0 < 3"
    names = {str(v): k for k, v in team.reps.items()}
    assert [names[r] for r in body["top_performers"]["top_rep_ids"]] == ["A"]
    placed = {r["name"]: r["quadrant"] for r in body["incentives"]["reps"]}
    assert placed["C"] == placed["D"] == "new_hire"


def test_reading_analytics_records_nothing(client: Any, team: Team, ledger_app: Any) -> None:
    head = ledger_app.head()
    assert ask(client, team=str(team.team)).status_code == 200
    assert ask(client, period_from="2026-13").status_code == 422
    assert ledger_app.head() == head


def test_bad_ranges_are_422_naming_the_field(client: Any, team: Team) -> None:
    problem(ask(client, period_from="2026-13"), 422, "query.period_from")
    problem(ask(client, period_to="2026-Q3"), 422, "query.period_to")
    problem(ask(client, period_from="2026-10", period_to="2026-09"), 422, "period_to", "invalid")
    problem(ask(client, period_from="2020-01", period_to="2026-09"), 422, "period_to", "invalid")
    problem(ask(client, period_from="0001-01", period_to="0001-02"), 422, "period_from", "invalid")
    problem(ask(client, as_of="yesterday"), 422, "as_of", "invalid")
    problem(ask(client, team="not-a-uuid"), 422, "query.team")
    missing = client.get(URL)
    assert missing.status_code == 422 and set(missing.json["errors"]) == {"query.period_from", "query.period_to"}


def test_an_unknown_team_is_404_naming_the_field(client: Any) -> None:
    problem(ask(client, team=str(uuid4())), 404, "team", "not-found")


@pytest.mark.parametrize(("role", "own", "status"), [
    ("admin", None, 200), ("hr", None, 200), ("auditor", None, 200), ("manager", True, 200),
    ("manager", False, 403), ("rep", True, 403), ("legal", None, 403), ("integration", True, 403),
])
def test_managers_see_their_teams_and_reps_see_none(flask_app: Flask, ledger_app: Any, make: Any, team: Team,
                                                     role: str, own: bool | None, status: int) -> None:
    scope: dict[str, Any] = {}
    if role in ("manager", "integration"):
        scope["team_ids"] = [team.team if own else UUID(make.team()["id"])]
    if role == "rep":
        scope["rep_id"] = team.reps["A"]
    client = authenticated(flask_app, issue_token(ledger_app, role, **scope))
    response = ask(client, team=str(team.team))
    assert response.status_code == status, response.json
    if status == 403:
        assert response.mimetype == "application/problem+json"


def test_a_manager_must_name_a_team(flask_app: Flask, ledger_app: Any, team: Team) -> None:
    client = authenticated(flask_app, issue_token(ledger_app, "manager", team_ids=[team.team]))
    assert ask(client).status_code == 403
