"""The read side over HTTP: scorecards, teams, groups, leaderboards, targets, the pool, ownership, projections.

The scorecard tests read the worked example of tests/integration/test_scorecards.py (four reps, a
team-scoped scheme with a new-hires cohort) through the API; its hand-worked totals are
A 87.00, B 88.00, C 92.00, D 62.50, ranked C, B, A, D.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator
from uuid import UUID, uuid4

import pytest
from flask import Flask

from api import create_app
from ledger.application import LedgerApplication, build_application
from ledger.settings import Settings
from ledger.target import target_id
from tests.api.helpers import assert_recorded, problem
from tests.conftest import authenticated, fresh_store, issue_token, poster
from tests.integration.test_scorecards import Team, build_team

Q3 = "2026-Q3"
V1 = "/api/v1"


def scorecard(client: Any, rep_id: Any, **query: Any) -> Any:
    return client.get(f"{V1}/reps/{rep_id}/scorecard", query_string={"period": Q3, **query})


def totals(client: Any, t: Team, **query: Any) -> dict[str, str]:
    return {name: scorecard(client, rep_id, **query).json["total"] for name, rep_id in t.reps.items()}


def at_head(ledger_app: Any, read: Callable[[], Any]) -> dict[str, Any]:
    """A read answered at the ledger's head: its `position` is the head (on a shared PostgreSQL another
    writer may move the head meanwhile, so it lies between the heads before and after the read)."""
    before = ledger_app.head()
    response = read()
    assert response.status_code == 200, response.json
    assert before <= response.json["position"] <= ledger_app.head()
    return dict(response.json)


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    """A problem+json refusal with that status and code. (Nothing recorded is checked on the streams
    concerned: the global head is not steady when other writers share a PostgreSQL.)"""
    assert response.status_code == status, response.json
    assert (response.mimetype, response.json["code"]) == ("application/problem+json", code)
    return dict(response.json)


def names_of(t: Team) -> dict[str, str]:
    return {str(rep_id): name for name, rep_id in t.reps.items()}


# -- rep scorecards ----------------------------------------------------------------------------------

def test_rep_scorecard_over_http_is_the_worked_example(client: Any, ledger_app: Any) -> None:
    t = build_team(ledger_app)
    c = at_head(ledger_app, lambda: scorecard(client, t.reps["C"]))
    assert (c["rep_id"], c["name"], c["team_id"], c["period"]) == (str(t.reps["C"]), "C", str(t.team), Q3)
    assert (c["total"], c["cohort"], c["tenure_months"], c["unscored"]) == ("92.00", "new hires", 3, [])
    assert (c["base_currency"], c["unconverted_currencies"]) == ("CNY", [])
    assert c["scheme"] == {"scheme_id": str(t.scheme), "version": 1, "name": "Q3", "effective_from": "2026-01-01",
                           "cap": "120"}
    assert c["indicators"] == [
        {"key": "revenue", "dimension": "result", "lower_is_better": False, "actual": "40000.00",
         "target": "100000.00", "score": "40.00", "weight": "20.00", "contribution": "8.00"},
        {"key": "follow_ups", "dimension": "process", "lower_is_better": False, "actual": "90.00",
         "target": "60.00", "score": "120.00", "weight": "50.00", "contribution": "60.00"},
        {"key": "product_knowledge", "dimension": "capability", "lower_is_better": False, "actual": "80.00",
         "target": "100.00", "score": "80.00", "weight": "30.00", "contribution": "24.00"}]
    assert c["rank"]["team"] == {"rank": 1, "of": 4, "percentile": "100.00"}
    company = c["rank"]["company"]
    assert company["of"] >= 4 and 1 <= company["rank"] <= company["of"]
    a = scorecard(client, t.reps["A"]).json
    assert (a["cohort"], a["rank"]["team"]) == (None, {"rank": 3, "of": 4, "percentile": "33.33"})
    assert [i["weight"] for i in a["indicators"]] == ["50.00", "30.00", "20.00"]
    assert totals(client, t) == {"A": "87.00", "B": "88.00", "C": "92.00", "D": "62.50"}


def test_as_of_echoes_and_shows_the_total_before_a_back_dated_correction(client: Any, post: Any,
                                                                         ledger_app: Any) -> None:
    t = build_team(ledger_app)
    before = ledger_app.head()
    recorded_before = datetime.now(timezone.utc)
    corrected = post(f"{V1}/scores/{t.scores['A']}/correct",
                     {"value": "90", "reason": "rubric", "occurred_at": "2026-09-16T10:00:00+00:00"})
    assert corrected.status_code == 200, corrected.json
    now = at_head(ledger_app, lambda: scorecard(client, t.reps["A"]))
    assert now["total"] == "93.00"  # 60 + 15 + 18
    assert now["indicators"][2]["actual"] == "90.00"
    by_position = scorecard(client, t.reps["A"], as_of=before).json
    assert (by_position["total"], by_position["position"]) == ("87.00", before)
    assert by_position["indicators"][2]["actual"] == "60.00"
    by_time = scorecard(client, t.reps["A"], as_of=recorded_before.isoformat()).json
    assert (by_time["total"], by_time["as_of"]) == ("87.00", recorded_before.isoformat())
    assert before <= by_time["position"] < now["position"]  # == before unless another writer shares the database
    zulu = recorded_before.isoformat().replace("+00:00", "Z")
    assert scorecard(client, t.reps["A"], as_of=zulu).json["as_of"] == recorded_before.isoformat()
    board = client.get(f"{V1}/leaderboard", query_string={"period": Q3, "team": str(t.team), "as_of": before}).json
    assert [e["total"] for e in board["entries"]] == ["92.00", "88.00", "87.00", "62.50"]


def test_bad_scorecard_inputs_are_refused_naming_the_field(client: Any, ledger_app: Any) -> None:
    t = build_team(ledger_app)
    rep = t.reps["A"]
    problem(scorecard(client, rep, period="2026-Q9"), 422, "period", "invalid")
    problem(scorecard(client, rep, as_of="yesterday"), 422, "as_of", "invalid")
    problem(scorecard(client, rep, as_of="2026-09-16T10:00:00"), 422, "as_of", "invalid")
    missing = client.get(f"{V1}/reps/{rep}/scorecard")
    assert missing.status_code == 422 and missing.json["errors"] == {"query.period": ["Missing data for required field."]}
    unknown = scorecard(client, uuid4())
    assert (unknown.status_code, unknown.mimetype, unknown.json["code"]) == (404, "application/problem+json", "not-found")
    assert client.get(f"{V1}/teams/{uuid4()}/scorecard", query_string={"period": Q3}).status_code == 404
    assert client.get(f"{V1}/groups/{uuid4()}/scorecard", query_string={"period": Q3}).status_code == 404


# -- teams, groups, leaderboards --------------------------------------------------------------------

def test_team_scorecard_ranks_members_and_sums_revenue(client: Any, ledger_app: Any) -> None:
    t = build_team(ledger_app)
    names = names_of(t)
    team = at_head(ledger_app, lambda: client.get(f"{V1}/teams/{t.team}/scorecard", query_string={"period": Q3}))
    assert (team["team_id"], team["name"], team["period"]) == (str(t.team), "Q3 team", Q3)
    assert [(names[m["rep_id"]], m["name"], m["total"], m["rank"]) for m in team["members"]] == [
        ("C", "C", "92.00", 1), ("B", "B", "88.00", 2), ("A", "A", "87.00", 3), ("D", "D", "62.50", 4)]
    assert (team["mean_total"], team["revenue"], team["revenue_target"], team["attainment"]) == (
        "82.38", "260000.00", "400000.00", "65.00")
    assert team["of"] >= team["rank"] >= 1  # its place among every team in the (shared) test ledger


def test_group_scorecard_is_the_mean_of_its_members_and_their_summed_revenue(client: Any, post: Any,
                                                                             ledger_app: Any) -> None:
    t = build_team(ledger_app)
    names = names_of(t)
    formed = post(f"{V1}/groups", {"name": "A and C", "period": Q3, "member_ids": [str(t.reps["A"]), str(t.reps["C"])]})
    assert formed.status_code == 201, formed.json
    response = client.get(f"{V1}/groups/{formed.json['id']}/scorecard", query_string={"period": Q3})
    assert response.status_code == 200, response.json
    group = response.json
    assert (group["group_id"], group["name"], group["period"]) == (formed.json["id"], "A and C", Q3)
    assert [(names[m["rep_id"]], m["total"], m["rank"]) for m in group["members"]] == [("C", "92.00", 1), ("A", "87.00", 2)]
    assert (group["mean_total"], group["revenue"], group["revenue_target"], group["attainment"]) == (
        "89.50", "160000.00", "200000.00", "80.00")  # (92 + 87) / 2; 120000 + 40000 of 2 * 100000
    board = client.get(f"{V1}/leaderboard", query_string={"period": Q3, "group": formed.json["id"]}).json
    assert board["group_id"] == formed.json["id"]
    assert [(names[e["rep_id"]], e["rank"], e["of"], e["percentile"]) for e in board["entries"]] == [
        ("C", 1, 2, "100.00"), ("A", 2, 2, "0.00")]


def test_leaderboard_orders_a_team_by_total_with_percentiles(client: Any, ledger_app: Any) -> None:
    t = build_team(ledger_app)
    names = names_of(t)
    board = at_head(ledger_app, lambda: client.get(f"{V1}/leaderboard", query_string={"period": Q3, "team": str(t.team)}))
    assert (board["period"], board["team_id"], board["group_id"]) == (Q3, str(t.team), None)
    assert [(names[e["rep_id"]], e["total"], e["rank"], e["of"], e["percentile"], e["cohort"]) for e in board["entries"]] == [
        ("C", "92.00", 1, 4, "100.00", "new hires"), ("B", "88.00", 2, 4, "66.67", None),
        ("A", "87.00", 3, 4, "33.33", None), ("D", "62.50", 4, 4, "0.00", "new hires")]
    everyone = client.get(f"{V1}/leaderboard", query_string={"period": Q3}).json["entries"]
    assert [e["rank"] for e in everyone] == list(range(1, len(everyone) + 1))
    assert [names[e["rep_id"]] for e in everyone if e["rep_id"] in names] == ["C", "B", "A", "D"]
    problem(client.get(f"{V1}/leaderboard", query_string={"period": Q3, "team": "not-a-uuid"}), 422, "query.team")
    for unknown in ({"team": str(uuid4())}, {"group": str(uuid4())}):
        response = client.get(f"{V1}/leaderboard", query_string={"period": Q3, **unknown})
        assert (response.status_code, response.json["code"]) == (404, "not-found")


# -- targets -------------------------------------------------------------------------------------------

def test_setting_a_target_again_records_a_change_the_scorecard_uses(client: Any, post: Any, ledger_app: Any) -> None:
    t = build_team(ledger_app)
    rep = str(t.reps["A"])
    head = ledger_app.head()
    body = {"scope": "rep", "scope_id": rep, "period": Q3, "indicator": "revenue", "value": "150000"}
    created = post(f"{V1}/targets", body)
    assert created.status_code == 201, created.json
    target = created.json
    assert {k: target[k] for k in body} == {**body, "value": "150000"}
    assert_recorded(client, "targets", target["id"], head, "Target.Set", value="150000", scope="rep", scope_id=rep)
    card = scorecard(client, rep).json
    assert (card["indicators"][0]["target"], card["indicators"][0]["score"], card["total"]) == ("150000.00", "80.00", "67.00")
    set_at = ledger_app.head()

    changed = post(f"{V1}/targets", {**body, "value": "120000", "reason": "re-planned"})
    assert changed.status_code == 201, changed.json
    assert (changed.json["id"], changed.json["value"], changed.json["reason"]) == (target["id"], "120000", "re-planned")
    assert_recorded(client, "targets", target["id"], set_at, "Target.Changed", value="120000", previous_value="150000",
                    reason="re-planned")
    assert scorecard(client, rep).json["total"] == "77.00"  # 100 * 0.5 + 15 + 12
    assert scorecard(client, rep, as_of=set_at).json["total"] == "67.00"
    assert scorecard(client, t.reps["B"]).json["total"] == "88.00"  # B keeps the team's target
    current = client.get(f"{V1}/targets/{target['id']}").json
    assert (current["value"], current["reason"], current["version"]) == ("120000", "re-planned", 2)
    history = client.get(f"{V1}/targets/{target['id']}/history").json["events"]
    assert [(e["type"], e["payload"]["value"]) for e in history] == [("Target.Set", "150000"), ("Target.Changed", "120000")]

    refused(post(f"{V1}/targets", {**body, "value": "120000"}), 409, "no-change")
    assert client.get(f"{V1}/targets/{target['id']}").json["version"] == 2
    nobody = uuid4()
    unknown = post(f"{V1}/targets", {**body, "scope_id": str(nobody)})
    assert refused(unknown, 409, "unknown-reference")["errors"] == {"rep_id": ["unknown rep"]}  # not "scope_id"
    unknown_team = post(f"{V1}/targets", {**body, "scope": "team", "scope_id": rep})
    assert refused(unknown_team, 409, "unknown-reference")["errors"] == {"team_id": ["unknown team"]}
    for never in (target_id("rep", nobody, Q3, "revenue"), target_id("team", t.reps["A"], Q3, "revenue")):
        assert client.get(f"{V1}/targets/{never}").status_code == 404


def test_bad_targets_are_refused_naming_the_field(client: Any, post: Any, ledger_app: Any) -> None:
    t = build_team(ledger_app)
    body = {"scope": "rep", "scope_id": str(t.reps["B"]), "period": Q3, "indicator": "revenue", "value": "1000"}
    problem(post(f"{V1}/targets", {**body, "period": "2026-Q9"}), 422, "period")
    problem(post(f"{V1}/targets", {**body, "scope": "company"}), 422, "scope")
    problem(post(f"{V1}/targets", {**body, "value": "0"}), 422, "value")
    problem(post(f"{V1}/targets", {**body, "value": "-5"}), 422, "value")
    for period in (Q3, "2026-Q9"):  # nothing recorded
        assert client.get(f"{V1}/targets/{target_id('rep', t.reps['B'], period, 'revenue')}").status_code == 404


# -- the pool, ownership and holdings ---------------------------------------------------------------

def test_pool_ownership_and_holdings_follow_claims_releases_and_follow_ups(client: Any, post: Any, make: Any,
                                                                           ledger_app: Any) -> None:
    start = datetime.now(timezone.utc).replace(microsecond=0)

    def ago(days: int) -> str:
        return (start - timedelta(days=days)).isoformat()

    def ok(response: Any, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, response.json
        return dict(response.json)

    region = f"region-{uuid4().hex[:8]}"
    team = make.team()["id"]
    first, second = make.rep(team)["id"], make.rep(team)["id"]
    kept, released, untouched, handed, recent = (
        make.customer(name=name, level=level, region=region, occurred_at=ago(days))["id"]
        for name, level, days in (("kept", "A", 40), ("released", "B", 39), ("untouched", "A", 38),
                                  ("handed", "B", 37), ("recent", "C", 36)))
    for customer, days in ((kept, 20), (released, 30), (handed, 25), (recent, 10)):
        ok(post(f"{V1}/customers/{customer}/claim", {"rep_id": first, "occurred_at": ago(days)}))
    all_claimed = ledger_app.head()
    ok(post(f"{V1}/customers/{released}/release", {"reason": "too far", "occurred_at": ago(15)}))
    before_handover = ledger_app.head()
    ok(post(f"{V1}/customers/{handed}/release", {"reason": "handover", "occurred_at": ago(12)}))
    ok(post(f"{V1}/customers/{handed}/assign", {"rep_id": second, "reason": "territory", "occurred_at": ago(11)}))
    ok(post(f"{V1}/follow-ups", {"rep_id": first, "customer_id": kept, "kind": "call", "stage": "lead",
                                 "occurred_at": ago(3)}), 201)

    in_pool = at_head(ledger_app, lambda: client.get(f"{V1}/pool", query_string={"region": region}))
    assert [(c["customer_id"], c["name"], c["level"], c["region"], c["registered_at"], c["in_pool_since"])
            for c in in_pool["customers"]] == [(released, "released", "B", region, ago(39), ago(15)),
                                              (untouched, "untouched", "A", region, ago(38), ago(38))]
    by_level = {level: [c["name"] for c in ok(client.get(f"{V1}/pool", query_string={"region": region, "level": level}))["customers"]]
                for level in "ABCD"}
    assert by_level == {"A": ["untouched"], "B": ["released"], "C": [], "D": []}
    then = ok(client.get(f"{V1}/pool", query_string={"region": region, "as_of": all_claimed}))
    assert ([c["name"] for c in then["customers"]], then["position"]) == (["untouched"], all_claimed)
    problem(client.get(f"{V1}/pool", query_string={"level": "E"}), 422, "query.level")

    owner = ok(client.get(f"{V1}/customers/{handed}/ownership"))
    assert (owner["customer_id"], owner["name"], owner["owner_id"], owner["since"]) == (handed, "handed", second, ago(11))
    assert [(h["event"], h["rep_id"], h["previous_owner_id"], h["reason"], h["occurred_at"]) for h in owner["history"]] == [
        ("claimed", first, None, "", ago(25)), ("released", first, first, "handover", ago(12)),
        ("assigned", second, None, "territory", ago(11))]
    positions = [h["position"] for h in owner["history"]]
    assert positions == sorted(positions) and positions[-1] <= owner["position"]
    earlier = ok(client.get(f"{V1}/customers/{handed}/ownership", query_string={"as_of": before_handover}))
    assert (earlier["owner_id"], earlier["since"], len(earlier["history"])) == (first, ago(25), 1)
    assert client.get(f"{V1}/customers/{uuid4()}/ownership").status_code == 404

    held = ok(client.get(f"{V1}/reps/{first}/holdings"))
    as_of = datetime.fromisoformat(held["as_of"])

    def days_since(days: int) -> int:
        return (as_of - (start - timedelta(days=days))).days

    assert held["rep_id"] == first
    assert [(h["customer_id"], h["name"], h["level"], h["since"], h["last_follow_up_at"],
             h["idle_days_since_follow_up"], h["idle_days_since_deal"]) for h in held["holdings"]] == [
        (recent, "recent", "C", ago(10), None, days_since(10), days_since(10)),
        (kept, "kept", "A", ago(20), ago(3), days_since(3), days_since(20))]
    assert [h["idle_days_since_follow_up"] for h in held["holdings"]] == [10, 3]  # the request is well within a day
    second_held = ok(client.get(f"{V1}/reps/{second}/holdings"))["holdings"]
    assert [(h["customer_id"], h["since"], h["idle_days_since_deal"]) for h in second_held] == [(handed, ago(11), days_since(11))]
    unknown = client.get(f"{V1}/reps/{uuid4()}/holdings")
    assert (unknown.status_code, unknown.json["code"]) == (404, "not-found")
    assert client.get(f"{V1}/reps/{first}/holdings", query_string={"as_of": 0}).status_code == 404  # not hired yet
    moment = (start + timedelta(days=2)).isoformat()
    later = ok(client.get(f"{V1}/reps/{first}/holdings", query_string={"as_of": moment}))
    assert later["as_of"] == moment
    assert [h["idle_days_since_follow_up"] for h in later["holdings"]] == [12, 5]


# -- projections ---------------------------------------------------------------------------------------

@pytest.fixture()
def fresh_api(settings: Settings, tmp_path: Path) -> Iterator[tuple[Flask, LedgerApplication]]:
    """An API over a brand-new store, so that a rebuild folds a known, small ledger."""
    with fresh_store(settings, tmp_path) as fresh:
        application = build_application(fresh)
        app = create_app(fresh, application)
        try:
            yield app, application
        finally:
            app.extensions["ledger"].queries.close()
            application.close()


def test_projection_status_and_rebuild_are_for_admins(fresh_api: tuple[Flask, LedgerApplication]) -> None:
    app, application = fresh_api
    admin: Any = authenticated(app, issue_token(application, "admin"))
    post = poster(admin)
    team = post(f"{V1}/teams", {"name": "fresh"}).json["id"]
    rep = post(f"{V1}/reps", {"name": "R", "team_id": team, "hired_on": "2025-03-01"}).json["id"]
    customers = [post(f"{V1}/customers", {"name": f"c{n}", "level": "AB"[n]}).json["id"] for n in range(2)]
    assert post(f"{V1}/customers/{customers[0]}/claim", {"rep_id": rep}).status_code == 200
    pool_before = admin.get(f"{V1}/pool").json["customers"]
    assert [c["customer_id"] for c in pool_before] == [customers[1]]
    status = admin.get(f"{V1}/projections")
    assert status.status_code == 200, status.json
    head = application.head()
    rows = {r["name"]: r for r in status.json["projections"]}
    assert {"scorecards", "pool"} <= set(rows)
    assert all(r["head"] == head and r["behind"] == head - r["position"] for r in rows.values())
    assert rows["pool"]["position"] == head  # the pool query caught it up

    rebuilt = post(f"{V1}/projections/pool/rebuild")
    assert rebuilt.status_code == 200, rebuilt.json
    assert (rebuilt.json["name"], rebuilt.json["events"], rebuilt.json["position"]) == ("pool", 3, head)  # 2 registered, 1 claimed
    assert rebuilt.json["events_per_second"] > 0
    after = {r["name"]: r for r in admin.get(f"{V1}/projections").json["projections"]}
    assert after["pool"] == {"name": "pool", "position": head, "head": head, "behind": 0}
    assert admin.get(f"{V1}/pool").json["customers"] == pool_before
    problem(post(f"{V1}/projections/nothing/rebuild"), 422, "name")

    manager: Any = authenticated(app, issue_token(application, "manager", team_ids=[UUID(team)]))
    head = application.head()
    refused = poster(manager)(f"{V1}/projections/pool/rebuild")
    assert (refused.status_code, refused.mimetype) == (403, "application/problem+json")
    assert manager.get(f"{V1}/projections").status_code == 403
    assert application.head() == head
