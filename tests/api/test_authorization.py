"""Every operation of the OpenAPI document, called by every role, in and out of its scope.

The expectations below are written independently of api/policy.py: they are the product's access
rules as its users would state them. "own" calls concern a rep in the token's team (or the rep
token's own rep); "other" calls concern a rep of another team.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable
from uuid import uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import authenticated, issue_token, poster

# Who may call what. A: any rep; T: reps of the token's teams; S: the token's own rep only.
EVERYONE_READS = {"admin": "A", "hr": "A", "legal": "A", "auditor": "A", "manager": "A", "rep": "A"}
PERSONAL_READS = {"admin": "A", "hr": "A", "legal": "A", "auditor": "A", "manager": "T", "rep": "S"}
COACHING = {"admin": "A", "hr": "A", "manager": "T"}
PEOPLE = {"admin": "A", "hr": "A"}
ADMIN = {"admin": "A"}
LEGAL = {"admin": "A", "hr": "A", "legal": "A"}
STAFF_READS = {"admin": "A", "hr": "A", "legal": "A", "auditor": "A"}

EXPECT: dict[str, dict[str, str]] = {
    "POST /teams": PEOPLE,
    "GET /teams/{id}": EVERYONE_READS, "GET /teams/{id}/history": EVERYONE_READS,
    "POST /groups": {"admin": "A", "manager": "T"},
    "POST /groups/{group_id}/members": {"admin": "A", "manager": "T"},
    "GET /groups/{id}": PERSONAL_READS, "GET /groups/{id}/history": PERSONAL_READS,
    "POST /reps": PEOPLE, "POST /reps/{rep_id}/transfer": PEOPLE, "POST /reps/{rep_id}/leave": PEOPLE,
    "POST /reps/{rep_id}/personal-details": PEOPLE,
    "GET /reps/{id}": PERSONAL_READS, "GET /reps/{id}/history": PERSONAL_READS,
    "POST /customers": {"admin": "A", "manager": "A", "integration": "A"},
    "POST /customers/{customer_id}/contacts": {"admin": "A", "manager": "A", "integration": "A"},
    "POST /customers/{customer_id}/claim": {"admin": "A", "manager": "T", "rep": "S"},
    "POST /customers/{customer_id}/assign": {"admin": "A", "manager": "T"},
    "POST /customers/{customer_id}/release": {"admin": "A", "manager": "T", "rep": "S"},
    "GET /customers/{id}": PERSONAL_READS, "GET /customers/{id}/history": PERSONAL_READS,
    "POST /follow-ups": {"admin": "A", "manager": "T", "rep": "S", "integration": "T"},
    "GET /follow-ups/{id}": PERSONAL_READS, "GET /follow-ups/{id}/history": PERSONAL_READS,
    "POST /deals": {"admin": "A", "manager": "T", "integration": "T"},
    "POST /deals/{deal_id}/reverse": {"admin": "A", "manager": "T", "integration": "T"},
    "GET /deals/{id}": PERSONAL_READS, "GET /deals/{id}/history": PERSONAL_READS,
    "POST /scores": COACHING, "POST /scores/{score_id}/correct": COACHING,
    "GET /scores/{id}": PERSONAL_READS, "GET /scores/{id}/history": PERSONAL_READS,
    "POST /trainings": COACHING,
    "GET /trainings/{id}": PERSONAL_READS, "GET /trainings/{id}/history": PERSONAL_READS,
    "POST /complaints": COACHING,
    "GET /complaints/{id}": PERSONAL_READS, "GET /complaints/{id}/history": PERSONAL_READS,
    "POST /warnings": COACHING, "POST /warnings/{warning_id}/acknowledge": {**COACHING, "rep": "S"},
    "GET /warnings/{id}": PERSONAL_READS, "GET /warnings/{id}/history": PERSONAL_READS,
    "POST /improvement-plans": COACHING, "POST /improvement-plans/{plan_id}/conclude": COACHING,
    "GET /improvement-plans/{id}": PERSONAL_READS, "GET /improvement-plans/{id}/history": PERSONAL_READS,
    "POST /contracts": PEOPLE, "POST /contracts/{contract_id}/amendments": PEOPLE,
    "POST /contracts/{contract_id}/amendments/{amendment_id}/sign": {**PEOPLE, "rep": "S"},
    "POST /contracts/{contract_id}/renew": PEOPLE, "POST /contracts/{contract_id}/terminate": PEOPLE,
    "GET /contracts/{id}": PERSONAL_READS, "GET /contracts/{id}/history": PERSONAL_READS,
    "GET /reps/{rep_id}/contract": PERSONAL_READS,
    "POST /kpi-schemes": ADMIN, "POST /kpi-schemes/{scheme_id}/revise": ADMIN,
    "GET /kpi-schemes/{id}": EVERYONE_READS, "GET /kpi-schemes/{id}/history": EVERYONE_READS,
    "POST /commission-plans": ADMIN, "POST /commission-plans/{plan_id}/revise": ADMIN,
    "GET /commission-plans/{id}": EVERYONE_READS, "GET /commission-plans/{id}/history": EVERYONE_READS,
    "POST /pool-policy": ADMIN, "GET /pool-policy": EVERYONE_READS,
    "GET /pool-policy/{id}": EVERYONE_READS, "GET /pool-policy/{id}/history": EVERYONE_READS,
    "POST /fx-rates": ADMIN, "GET /fx-rates/{id}": EVERYONE_READS, "GET /fx-rates/{id}/history": EVERYONE_READS,
    "POST /commission-plans/{plan_id}/assignments": ADMIN,
    "GET /reps/{rep_id}/statement": PERSONAL_READS,
    "POST /payout-runs/{run_id}/recalculate": PEOPLE,
    "GET /payout-runs/{run_id}/payroll": {"admin": "A", "hr": "A", "auditor": "A", "integration": "T"},
    "POST /plans/simulate": PEOPLE,
    "POST /disputes": {"admin": "A", "hr": "A", "manager": "T", "rep": "S"},
    "POST /disputes/{dispute_id}/resolve": PEOPLE,
    "GET /disputes/{id}": PERSONAL_READS, "GET /disputes/{id}/history": PERSONAL_READS,
    "POST /payout-runs": PEOPLE, "POST /payout-runs/{run_id}/pay": PEOPLE, "POST /payout-runs/{run_id}/adjust": PEOPLE,
    "POST /payout-runs/{run_id}/approve": {**PEOPLE, "manager": "T"},
    "GET /payout-runs/{id}": {"admin": "A", "hr": "A", "legal": "A", "auditor": "A", "manager": "T"},
    "GET /payout-runs/{id}/history": {"admin": "A", "hr": "A", "legal": "A", "auditor": "A", "manager": "T"},
    "GET /reps/{rep_id}/scorecard": PERSONAL_READS, "GET /reps/{rep_id}/holdings": PERSONAL_READS,
    "GET /teams/{team_id}/scorecard": PERSONAL_READS, "GET /groups/{group_id}/scorecard": PERSONAL_READS,
    "GET /leaderboard": PERSONAL_READS, "GET /pool": EVERYONE_READS,
    "GET /customers/{customer_id}/ownership": PERSONAL_READS,
    "POST /targets": COACHING, "GET /targets/{id}": PERSONAL_READS, "GET /targets/{id}/history": PERSONAL_READS,
    "GET /projections": {"admin": "A", "auditor": "A"}, "POST /projections/{name}/rebuild": ADMIN,
    "GET /events": {"admin": "A", "legal": "A", "auditor": "A"},
    "GET /access-log": {"admin": "A", "auditor": "A"},
    "GET /integrity/verify": STAFF_READS, "GET /integrity/checkpoints": STAFF_READS,
    "POST /integrity/checkpoints": {"admin": "A", "auditor": "A"},
    "POST /data-subjects/{subject_id}/legal-holds": LEGAL,
    "POST /data-subjects/{subject_id}/legal-holds/release": LEGAL,
    "POST /data-subjects/{subject_id}/erase": PEOPLE,
    "GET /data-subjects/{id}": STAFF_READS, "GET /data-subjects/{id}/history": STAFF_READS,
    "GET /notifications": {"admin": "A", "hr": "A", "auditor": "A", "manager": "T", "rep": "S"},
    "POST /notifications/{notification_id}/read": {"admin": "A", "hr": "A", "manager": "T", "rep": "S"},
    "POST /protected-statuses": PEOPLE, "POST /protected-statuses/{status_id}/end": PEOPLE,
    "GET /protected-statuses/{id}": LEGAL, "GET /protected-statuses/{id}/history": LEGAL,
    "GET /reps/{rep_id}/evidence": LEGAL,
    "POST /imports": ADMIN,
    "GET /analytics/indicators": {"admin": "A", "hr": "A", "auditor": "A", "manager": "T"},
}

LISTINGS = {"GET /leaderboard", "GET /notifications"}  # outside the scope a listing is 403: there is no record whose existence to hide
LISTINGS.add("GET /analytics/indicators")  # a team's figures: outside the token's teams 403

# Each caller: its role, and whether its calls concern its own scope.
CALLERS = [("admin", "own"), ("hr", "own"), ("legal", "own"), ("auditor", "own"), ("manager", "own"),
           ("manager", "other"), ("rep", "own"), ("rep", "other"), ("integration", "own"), ("integration", "other")]


@dataclass
class World:
    """Two teams; the scoped tokens belong to team A and to rep A; `admin` builds what each call needs."""

    post: Callable[..., Any]
    team_a: str
    team_b: str
    rep_a: str
    rep_b: str

    def created(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post(url, body)
        assert response.status_code in (200, 201), (url, response.json)
        return response.json

    def rep_in(self, team: str) -> str:
        return self.created("/api/v1/reps", {"name": "extra", "team_id": team, "hired_on": "2025-01-02"})["id"]

    def customer(self, owner: str | None = None) -> str:
        customer = self.created("/api/v1/customers", {"name": f"c-{uuid4().hex[:6]}"})["id"]
        if owner:
            self.created(f"/api/v1/customers/{customer}/claim", {"rep_id": owner})
        return customer


def contract_body(rep: str) -> dict[str, Any]:
    return {"rep_id": rep, "kind": "fixed_term", "starts_on": "2025-03-01", "ends_on": "2028-02-28", "post": "sales",
            "base_pay_amount": "9000.00", "currency": "CNY"}


def deal_body(rep: str, customer: str) -> dict[str, Any]:
    return {"rep_id": rep, "customer_id": customer, "amount": "100.00", "currency": "CNY", "product": "p",
            "customer_type": "new", "closed_on": "2026-07-01"}


TODAY = datetime.now(timezone.utc).date().isoformat()
INDICATORS = [{"key": "revenue", "dimension": "result", "weight": "100"}]
RECORDS = {
    "scores": lambda rep: {"rep_id": rep, "indicator": "skill", "value": "80", "period": "2026-Q3"},
    "trainings": lambda rep: {"rep_id": rep, "course": "c", "hours": "2", "completed_on": "2026-06-30"},
    "complaints": lambda rep: {"rep_id": rep, "description": "d", "severity": "low"},
    "warnings": lambda rep: {"rep_id": rep, "level": "verbal", "reason": "r"},
    "improvement-plans": lambda rep: {"rep_id": rep, "goals": ["g"], "starts_on": "2026-07-01", "ends_on": "2026-09-30"},
}


def build(w: World, operation: str, rep: str, team: str) -> tuple[str, str, dict[str, Any] | None]:
    """A valid request for the operation about `rep` of `team`: (method, path, body)."""
    method, template = operation.split(" ")
    path, body = template, None
    collection = template.split("/")[1]
    if template.endswith("/history"):
        method, path, _ = build(w, f"GET {template.removesuffix('/history')}", rep, team)
        return method, path + "/history", None
    made: dict[str, Callable[[], str]] = {
        "teams": lambda: team,
        "groups": lambda: w.created("/api/v1/groups", {"name": "g", "period": "2026-Q3", "member_ids": [rep]})["id"],
        "reps": lambda: rep,
        "data-subjects": lambda: _held(w, w.rep_in(team)),
        "customers": lambda: w.customer(owner=rep),
        "follow-ups": lambda: w.created("/api/v1/follow-ups", {"rep_id": rep, "customer_id": w.customer(), "kind": "call",
                                                                "stage": "lead"})["id"],
        "deals": lambda: w.created("/api/v1/deals", deal_body(rep, w.customer()))["id"],
        "contracts": lambda: w.created("/api/v1/contracts", contract_body(rep))["id"],
        "kpi-schemes": lambda: w.created("/api/v1/kpi-schemes", {"name": "k", "effective_from": "2026-01-01",
                                                                  "indicators": INDICATORS})["id"],
        "commission-plans": lambda: w.created("/api/v1/commission-plans", {
            "name": "p", "currency": "CNY", "effective_from": "2026-01-01", "rules": {"base_rate": "0.05"}})["id"],
        "pool-policy": lambda: w.created("/api/v1/pool-policy", {"team_id": team, "effective_from": "2026-01-01",
                                                                  "max_customers": 10000})["id"],
        "targets": lambda: w.created("/api/v1/targets", _target(rep))["id"],
        "fx-rates": lambda: w.created("/api/v1/fx-rates", {"base": "USD", "quote": "CNY", "rate": "7.1",
                                                            "on": "2026-01-02"})["id"],
        "payout-runs": lambda: _run(w, team)["id"],
        "disputes": lambda: _dispute(w, rep),
        "protected-statuses": lambda: w.created("/api/v1/protected-statuses", _protection(rep))["id"],
        **{name: (lambda name=name: w.created(f"/api/v1/{name}", RECORDS[name](rep))["id"]) for name in RECORDS},
    }
    reads: dict[str, Callable[[], str]] = {
        "GET /reps/{rep_id}/scorecard": lambda: f"/reps/{rep}/scorecard?period=2026-Q3",
        "GET /reps/{rep_id}/holdings": lambda: f"/reps/{rep}/holdings",
        "GET /reps/{rep_id}/contract": lambda: (made["contracts"](), f"/reps/{rep}/contract?on=2026-06-01")[1],
        "GET /teams/{team_id}/scorecard": lambda: f"/teams/{team}/scorecard?period=2026-Q3",
        "GET /groups/{group_id}/scorecard": lambda: f"/groups/{made['groups']()}/scorecard?period=2026-Q3",
        "GET /leaderboard": lambda: f"/leaderboard?period=2026-Q3&team={team}",
        "GET /customers/{customer_id}/ownership": lambda: f"/customers/{made['customers']()}/ownership",
        "GET /notifications": lambda: f"/notifications?recipient=rep:{rep}&unread=true",
        "GET /reps/{rep_id}/statement": lambda: f"/reps/{rep}/statement?period={w.base_month}",
        "GET /payout-runs/{run_id}/payroll": lambda: f"/payout-runs/{_approved_run(w, team)}/payroll",
        "GET /reps/{rep_id}/evidence": lambda: f"/reps/{rep}/evidence?from=2026-01-01&to=2026-12-31",
        "GET /analytics/indicators": lambda: f"/analytics/indicators?period_from=2026-07&period_to=2026-09&team={team}",
    }
    if operation in reads:
        return method, reads[operation](), None
    if method == "GET":
        if "{id}" in template:
            path = template.replace("{id}", made[collection]())
        elif collection == "pool-policy":
            made["pool-policy"]()
            path = f"{template}?team_id={team}"
        return method, path, None
    actions: dict[str, Callable[[], tuple[str, dict[str, Any]]]] = {
        "POST /teams": lambda: (template, {"name": "t"}),
        "POST /groups": lambda: (template, {"name": "g", "period": "2026-Q3", "member_ids": [rep]}),
        "POST /groups/{group_id}/members": lambda: (template.replace("{group_id}", made["groups"]()),
                                                    {"added": [w.rep_in(team)]}),
        "POST /reps": lambda: (template, {"name": "n", "team_id": team, "hired_on": "2025-01-02"}),
        "POST /reps/{rep_id}/transfer": lambda: (template.replace("{rep_id}", w.rep_in(team)), {"team_id": team, "post": "lead"}),
        "POST /reps/{rep_id}/leave": lambda: (template.replace("{rep_id}", w.rep_in(team)), {"left_on": "2026-10-01"}),
        "POST /reps/{rep_id}/personal-details": lambda: (template.replace("{rep_id}", w.rep_in(team)),
                                                         {"phone": "+86 139 0000 0000"}),
        "POST /customers": lambda: (template, {"name": "c"}),
        "POST /customers/{customer_id}/contacts": lambda: (template.replace("{customer_id}", w.customer(owner=rep)),
                                                           {"name": "联系人", "phone": "+86 138 0000 0000"}),
        "POST /data-subjects/{subject_id}/legal-holds": lambda: (template.replace("{subject_id}", w.rep_in(team)),
                                                                 {"reason": "dispute", "case_ref": "LAB-1"}),
        "POST /data-subjects/{subject_id}/legal-holds/release": lambda: (
            template.replace("{subject_id}", _held(w, w.rep_in(team))), {"reason": "settled"}),
        "POST /data-subjects/{subject_id}/erase": lambda: (template.replace("{subject_id}", w.rep_in(team)),
                                                           {"reason": "erasure request"}),
        "POST /customers/{customer_id}/claim": lambda: (template.replace("{customer_id}", w.customer()), {"rep_id": rep}),
        "POST /customers/{customer_id}/assign": lambda: (template.replace("{customer_id}", w.customer()),
                                                         {"rep_id": rep, "reason": "r"}),
        "POST /customers/{customer_id}/release": lambda: (template.replace("{customer_id}", w.customer(owner=rep)), {}),
        "POST /follow-ups": lambda: (template, {"rep_id": rep, "customer_id": w.customer(), "kind": "call", "stage": "lead"}),
        "POST /deals": lambda: (template, deal_body(rep, w.customer())),
        "POST /deals/{deal_id}/reverse": lambda: (template.replace("{deal_id}", made["deals"]()),
                                                  {"kind": "refund", "reason": "r", "amount": "1.00", "currency": "CNY"}),
        "POST /scores/{score_id}/correct": lambda: (template.replace("{score_id}", made["scores"]()),
                                                    {"value": "70", "reason": "r"}),
        "POST /warnings/{warning_id}/acknowledge": lambda: (template.replace("{warning_id}", made["warnings"]()),
                                                            {"acknowledged_on": TODAY}),
        "POST /improvement-plans/{plan_id}/conclude": lambda: (template.replace("{plan_id}", made["improvement-plans"]()),
                                                               {"outcome": "met", "concluded_on": "2026-09-30"}),
        "POST /contracts": lambda: (template, contract_body(rep)),
        "POST /contracts/{contract_id}/amendments": lambda: (template.replace("{contract_id}", made["contracts"]()), {
            "changes": {"post": "lead"}, "effective_on": "2026-12-01", "proposed_by": "employer"}),
        "POST /contracts/{contract_id}/amendments/{amendment_id}/sign": lambda: _amendment(w, rep),
        "POST /contracts/{contract_id}/renew": lambda: (template.replace("{contract_id}", made["contracts"]()),
                                                        {"new_ends_on": "2030-02-28", "renewed_on": "2026-11-01"}),
        "POST /contracts/{contract_id}/terminate": lambda: (template.replace("{contract_id}", made["contracts"]()),
                                                            {"terminated_on": "2026-11-01", "ground": "mutual", "notice": "none"}),
        "POST /kpi-schemes": lambda: (template, {"name": "k", "effective_from": "2026-01-01", "indicators": INDICATORS}),
        "POST /kpi-schemes/{scheme_id}/revise": lambda: (template.replace("{scheme_id}", made["kpi-schemes"]()),
                                                         {"effective_from": "2026-07-01", "indicators": INDICATORS}),
        "POST /commission-plans": lambda: (template, {"name": "p", "currency": "CNY", "effective_from": "2026-01-01",
                                                      "rules": {"base_rate": "0.05"}}),
        "POST /commission-plans/{plan_id}/revise": lambda: (template.replace("{plan_id}", made["commission-plans"]()),
                                                            {"rules": {"base_rate": "0.06"}, "effective_from": "2026-07-01"}),
        "POST /pool-policy": lambda: (template, {"team_id": w.created("/api/v1/teams", {"name": "pp"})["id"],
                                                 "effective_from": "2026-01-01", "max_customers": 10000}),
        "POST /targets": lambda: (template, _target(rep)),
        "POST /projections/{name}/rebuild": lambda: ("/projections/pool/rebuild", {}),
        "POST /integrity/checkpoints": lambda: (template, {}),
        "POST /notifications/{notification_id}/read": lambda: (
            template.replace("{notification_id}", _notification(w, rep, made["warnings"]())), {}),
        "POST /fx-rates": lambda: (template, {"base": "EUR", "quote": "CNY", "rate": "7.8", "on": "2026-01-02"}),
        "POST /imports": lambda: (template, [{"type": "team", "data": {"name": f"imported-{uuid4().hex[:8]}"}}]),
        "POST /payout-runs": lambda: (template, {"period": _next_month(w, team), "team_id": team}),
        "POST /payout-runs/{run_id}/recalculate": lambda: (template.replace("{run_id}", made["payout-runs"]()), {}),
        "POST /commission-plans/{plan_id}/assignments": lambda: (
            template.replace("{plan_id}", made["commission-plans"]()),
            {"scope": "rep", "scope_id": rep, "starts_on": "2026-01-01"}),
        "POST /plans/simulate": lambda: (template, {"currency": "CNY", "rules": {"base_rate": "0.05"}, "team_id": team,
                                                    "period_from": w.base_month, "period_to": w.base_month}),
        "POST /disputes": lambda: (template, _dispute_body(w, rep)),
        "POST /disputes/{dispute_id}/resolve": lambda: (template.replace("{dispute_id}", made["disputes"]()),
                                                        {"outcome": "approve", "amount": "5.00"}),
        "POST /payout-runs/{run_id}/approve": lambda: (template.replace("{run_id}", made["payout-runs"]()), {}),
        "POST /payout-runs/{run_id}/pay": lambda: (template.replace("{run_id}", _approved_run(w, team)),
                                                   {"paid_on": "2026-08-01", "reference": "r"}),
        "POST /payout-runs/{run_id}/adjust": lambda: (template.replace("{run_id}", made["payout-runs"]()),
                                                      {"rep_id": rep, "amount": "1.00", "reason": "r"}),
        "POST /protected-statuses": lambda: (template, _protection(rep)),
        "POST /protected-statuses/{status_id}/end": lambda: (
            template.replace("{status_id}", made["protected-statuses"]()), {"ended_on": "2026-03-01"}),
        **{f"POST /{name}": (lambda name=name: (f"/{name}", RECORDS[name](rep))) for name in RECORDS},
    }
    path, body = actions[operation]()
    return method, path, body


def _protection(rep: str) -> dict[str, Any]:
    return {"rep_id": rep, "category": "medical_treatment_period", "starts_on": "2026-01-05", "basis": "certificate"}


def _target(rep: str) -> dict[str, Any]:
    return {"scope": "rep", "scope_id": rep, "period": "2026-Q3", "indicator": "revenue",
            "value": f"{uuid4().int % 10**6 + 1}.00"}


def _amendment(w: World, rep: str) -> tuple[str, dict[str, Any]]:
    contract = w.created("/api/v1/contracts", contract_body(rep))
    amended = w.created(f"/api/v1/contracts/{contract['id']}/amendments", {
        "changes": {"post": "lead"}, "effective_on": "2026-12-01", "proposed_by": "employer"})
    amendment = amended["amendments"][-1]["id"]
    return f"/contracts/{contract['id']}/amendments/{amendment}/sign", {"party": "employee", "signer": "me"}


def _notification(w: World, rep: str, warning: str) -> str:
    """The outbox notification telling a rep about a warning just issued to them."""
    listing = w.reader.get(f"/api/v1/notifications?recipient=rep:{rep}&limit=1000").json  # type: ignore[attr-defined]
    return next(n["id"] for n in listing["notifications"] if n["source"]["stream_id"] == warning)


def _held(w: World, subject: str) -> str:
    w.created(f"/api/v1/data-subjects/{subject}/legal-holds", {"reason": "dispute", "case_ref": "LAB-1"})
    return subject


def _next_month(w: World, team: str) -> str:
    """A month no run of the team has used yet (one run per team and month)."""
    w.months += 1  # type: ignore[attr-defined]
    year, month = divmod(w.months, 12)  # type: ignore[attr-defined]
    return f"{2031 + year}-{month + 1:02d}"


def _run(w: World, team: str) -> dict[str, Any]:
    return w.created("/api/v1/payout-runs", {"period": _next_month(w, team), "team_id": team})


def _approved_run(w: World, team: str) -> str:
    run = _run(w, team)
    w.second_approver(f"/api/v1/payout-runs/{run['id']}/approve")  # type: ignore[attr-defined]
    return str(run["id"])


def _dispute_body(w: World, rep: str) -> dict[str, Any]:
    statement = w.reader.get(f"/api/v1/reps/{rep}/statement?period={w.base_month}").json  # type: ignore[attr-defined]
    return {"rep_id": rep, "period": w.base_month, "line_id": statement["lines"][0]["line_id"], "reason": "other"}


def _dispute(w: World, rep: str) -> str:
    """A dispute opened by another admin, so that every resolver passes the four-eyes check."""
    response = w.opener("/api/v1/disputes", _dispute_body(w, rep))  # type: ignore[attr-defined]
    assert response.status_code == 201, response.json
    return str(response.json["id"])


@pytest.fixture(scope="module")
def world(flask_app: Flask, ledger_app: Any, admin_token: str, hr_token: str) -> World:
    post = poster(authenticated(flask_app, admin_token))
    hr = poster(authenticated(flask_app, hr_token))
    w = World(post, "", "", "", "")
    w.team_a = w.created("/api/v1/teams", {"name": "A"})["id"]
    w.team_b = w.created("/api/v1/teams", {"name": "B"})["id"]
    w.rep_a, w.rep_b = w.rep_in(w.team_a), w.rep_in(w.team_b)
    w.second_approver = lambda url: hr(url, {})  # type: ignore[attr-defined]
    w.reader = authenticated(flask_app, admin_token)  # type: ignore[attr-defined]
    w.opener = poster(authenticated(flask_app, issue_token(ledger_app, "admin")))  # type: ignore[attr-defined]
    w.months, w.base_month = 0, "2026-07"  # type: ignore[attr-defined]
    plan = w.created("/api/v1/commission-plans", {"name": "matrix", "currency": "CNY", "effective_from": "2025-01-01",
                                                  "rules": {"base_rate": "0.05", "draw": {"amount": "100.00"}}})
    for team in (w.team_a, w.team_b):
        w.created(f"/api/v1/commission-plans/{plan['id']}/assignments",
                  {"scope": "team", "scope_id": team, "starts_on": "2025-01-01"})
    return w


@pytest.fixture(scope="module")
def callers(ledger_app: Any, world: World) -> dict[str, str]:
    scoped = {"manager": {"team_ids": [world.team_a]}, "integration": {"team_ids": [world.team_a]},
              "rep": {"rep_id": world.rep_a}}
    from uuid import UUID

    def ids(scope: dict[str, Any]) -> dict[str, Any]:
        return {k: [UUID(x) for x in v] if isinstance(v, list) else UUID(v) for k, v in scope.items()}

    return {role: issue_token(ledger_app, role, **ids(scoped.get(role, {}))) for role, _ in CALLERS}


def operations(flask_app: Flask) -> list[str]:
    spec = flask_app.test_client().get("/api/v1/openapi.json").json
    return sorted(f"{method.upper()} {path.removeprefix('/api/v1')}" for path, item in spec["paths"].items()
                  for method in item if method in ("get", "post"))


def test_every_documented_operation_has_an_expectation(flask_app: Flask) -> None:
    assert set(operations(flask_app)) == set(EXPECT)


def expected_status(operation: str, role: str, scope: str) -> set[int]:
    rule = EXPECT[operation].get(role)
    reads = operation.startswith("GET")
    if rule is None:
        return {403}
    if rule == "A" or scope == "own":
        return {200} if reads else {200, 201}
    return {404} if reads and operation not in LISTINGS else {403}


@pytest.mark.parametrize(("role", "scope"), CALLERS, ids=[f"{r}-{s}" for r, s in CALLERS])
def test_each_role_gets_what_its_rules_allow_for_every_operation(
    flask_app: Flask, world: World, callers: dict[str, str], role: str, scope: str,
) -> None:
    client: FlaskClient = authenticated(flask_app, callers[role])
    rep, team = (world.rep_a, world.team_a) if scope == "own" else (world.rep_b, world.team_b)
    wrong: list[str] = []
    for operation in EXPECT:
        method, path, body = build(world, operation, rep, team)
        headers = {"Idempotency-Key": str(uuid4())}
        response = client.open(f"/api/v1{path}", method=method, json=body, headers=headers) if body is not None \
            else client.open(f"/api/v1{path}", method=method)
        expected = expected_status(operation, role, scope)
        if response.status_code not in expected:
            wrong.append(f"{operation}: {response.status_code} not in {sorted(expected)}: {response.get_data(as_text=True)[:200]}")
        elif response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("header", [None, "Bearer", "Basic abc", "Bearer spl_not-a-real-token", "Bearer " + "x" * 300])
def test_missing_malformed_and_unknown_tokens_are_401_everywhere(flask_app: Flask, header: str | None) -> None:
    client = flask_app.test_client()
    for operation in EXPECT:
        method, template = operation.split(" ")
        path = re.sub(r"\{[a-z_]+\}", lambda _: str(uuid4()), template)
        headers = {"Authorization": header} if header else {}
        response = client.open(f"/api/v1{path}", method=method, headers=headers, json={} if method == "POST" else None)
        assert response.status_code == 401, (operation, response.status_code)
        assert response.mimetype == "application/problem+json" and response.json["code"] == "unauthorized"


def test_revoked_token_is_401(flask_app: Flask, ledger_app: Any) -> None:
    from ledger.base import Ctx
    from ledger.commands.access import RevokeToken

    secret = issue_token(ledger_app, "auditor")
    client = authenticated(flask_app, secret)
    assert client.get("/api/v1/events?limit=1").status_code == 200
    token = ledger_app.authenticate(secret)
    ledger_app.revoke_token(RevokeToken(token_id=token.id, occurred_at=datetime.now(timezone.utc)), Ctx("t", ""))
    response = client.get("/api/v1/events?limit=1")
    assert response.status_code == 401 and response.json["code"] == "unauthorized"


def test_public_endpoints_need_no_token(flask_app: Flask) -> None:
    client = flask_app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
