"""The web console through Flask's test client: sign-in, session cookie flags, CSRF, scope, headers, catalogue."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from api.console import i18n
from ledger.application import LedgerApplication
from ledger.base import Ctx
from ledger.commands.access import RevokeToken
from ledger.commands.pool import WarnRecycle
from ledger.settings import Settings
from ledger.token import token_hash, token_id
from tests.conftest import issue_token


def csrf_of(client: FlaskClient, path: str = "/console/sign-in") -> str:
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:500]
    return found.group(1)


def signed_in(flask_app: Flask, secret: str) -> FlaskClient:
    client = flask_app.test_client()
    response = client.post("/console/sign-in", data={"token": secret, "csrf_token": csrf_of(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def session_cookie(response: Any) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("ledger_console=")]
    assert cookies, response.headers
    return cookies[-1]


def test_a_post_without_the_csrf_token_is_refused_with_400(flask_app: Flask, admin_token: str) -> None:
    client = flask_app.test_client()
    client.get("/console/sign-in")  # a session exists, but the form does not carry its token
    refused = client.post("/console/sign-in", data={"token": admin_token})
    assert refused.status_code == 400
    assert "console" in refused.get_data(as_text=True) and refused.mimetype == "text/html"
    wrong = client.post("/console/sign-in", data={"token": admin_token, "csrf_token": "forged"})
    assert wrong.status_code == 400
    signed = signed_in(flask_app, admin_token)
    assert signed.post("/console/sign-out", data={}).status_code == 400  # sign-out needs it too
    assert signed.get("/console/").status_code == 200  # ... so the session survived


def test_the_session_cookie_is_httponly_strict_and_scoped_to_the_console(flask_app: Flask, admin_token: str) -> None:
    client = flask_app.test_client()
    response = client.post("/console/sign-in", data={"token": admin_token, "csrf_token": csrf_of(client)})
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
    assert admin_token not in cookie  # the cookie names the token's id, never its secret
    assert "Secure" not in cookie  # development default (`auto`): not Secure


def test_the_session_cookie_is_secure_when_configured(settings: Settings, ledger_app: LedgerApplication,
                                                      admin_token: str) -> None:
    for choice, production in (("yes", False), ("auto", True)):
        app = create_app(replace(settings, console_cookie_secure=choice,
                                 environment="production" if production else "development"), ledger_app)
        client = app.test_client()
        response = client.post("/console/sign-in", data={"token": admin_token, "csrf_token": csrf_of(client)})
        assert "; Secure" in session_cookie(response), choice


def test_an_unknown_cookie_choice_is_refused(settings: Settings, ledger_app: LedgerApplication) -> None:
    with pytest.raises(Exception, match="LEDGER_CONSOLE_COOKIE_SECURE"):
        create_app(replace(settings, console_cookie_secure="maybe"), ledger_app)


def test_a_wrong_token_shows_the_sign_in_page_with_the_reason(flask_app: Flask, ledger_app: LedgerApplication,
                                                              make: Any) -> None:
    client = flask_app.test_client()
    response = client.post("/console/sign-in", data={"token": "spl_not-a-token", "csrf_token": csrf_of(client)})
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert 'id="sign-in-error"' in body and "unknown, expired or revoked" in body
    assert client.get("/console/").status_code == 302  # still signed out
    machine = issue_token(ledger_app, "integration", team_ids=[UUID(make.team()["id"])])
    refused = client.post("/console/sign-in", data={"token": machine, "csrf_token": csrf_of(client)})
    assert refused.status_code == 401 and "Integration tokens" in refused.get_data(as_text=True)


def test_pages_need_a_session_and_signing_out_ends_it(flask_app: Flask, admin_token: str) -> None:
    anonymous = flask_app.test_client()
    response = anonymous.get("/console/leaderboard?period=2026-Q3")
    assert response.status_code == 302 and "/console/sign-in?next=" in response.headers["Location"]
    client = signed_in(flask_app, admin_token)
    assert client.get("/console/").status_code == 200
    out = client.post("/console/sign-out", data={"csrf_token": csrf_of(client, "/console/")})
    assert out.status_code == 302
    assert client.get("/console/").status_code == 302


def test_a_revoked_token_ends_its_console_session(flask_app: Flask, ledger_app: LedgerApplication) -> None:
    secret = issue_token(ledger_app, "hr")
    client = signed_in(flask_app, secret)
    assert client.get("/console/").status_code == 200
    ledger_app.revoke_token(RevokeToken(token_id=token_id(token_hash(secret)), reason="left",
                                        occurred_at=datetime.now(timezone.utc)), Ctx("test", f"revoke-{uuid4()}"))
    assert client.get("/console/").status_code == 302


def test_a_rep_cannot_open_another_reps_scorecard(flask_app: Flask, ledger_app: LedgerApplication, make: Any) -> None:
    team = make.team()["id"]
    mine, theirs = make.rep(team, name="甲"), make.rep(team, name="乙")
    client = signed_in(flask_app, issue_token(ledger_app, "rep", rep_id=UUID(mine["id"])))
    assert client.get(f"/console/reps/{mine['id']}/scorecard?period=2026-Q3").status_code == 200
    other = client.get(f"/console/reps/{theirs['id']}/scorecard?period=2026-Q3")
    assert other.status_code == 404 and 'id="error-status">404' in other.get_data(as_text=True)
    assert client.get("/console/evidence").status_code == 403  # HR and legal only, as on the API
    assert client.get(f"/console/reps/{theirs['id']}/statement?period=2026-09").status_code == 404


def test_a_manager_sees_their_team_and_not_another(flask_app: Flask, ledger_app: LedgerApplication, make: Any) -> None:
    mine, other = make.team()["id"], make.team()["id"]
    rep, stranger = make.rep(mine, name="丙"), make.rep(other, name="丁")
    client = signed_in(flask_app, issue_token(ledger_app, "manager", team_ids=[UUID(mine)]))
    board = client.get("/console/leaderboard?period=2026-Q3")
    assert board.status_code == 200 and "丙" in board.get_data(as_text=True) and "丁" not in board.get_data(as_text=True)
    assert client.get(f"/console/leaderboard?period=2026-Q3&team={other}").status_code == 403  # a listing: 403
    assert client.get(f"/console/reps/{stranger['id']}/scorecard?period=2026-Q3").status_code == 404
    assert client.get(f"/console/reps/{rep['id']}/scorecard?period=2026-Q3").status_code == 200


def test_console_pages_get_their_own_csp_and_the_api_keeps_its_own(flask_app: Flask, admin_token: str,
                                                                   client: FlaskClient) -> None:
    page = signed_in(flask_app, admin_token).get("/console/")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'; script-src 'self'; style-src 'self'")
    assert page.headers["Cache-Control"] == "no-store" and page.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in page.get_data(as_text=True)  # no inline scripts: the CSP would block them
    api = client.get("/api/v1/pool")
    assert api.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "Set-Cookie" not in api.headers  # the API keeps no session


def test_a_bad_as_of_is_a_422_page_and_a_good_one_is_carried_through_links(flask_app: Flask, admin_token: str) -> None:
    client = signed_in(flask_app, admin_token)
    bad = client.get("/console/pool?as_of=yesterday")
    assert bad.status_code == 422 and "neither a position nor an ISO timestamp" in bad.get_data(as_text=True)
    good = client.get("/console/pool?as_of=5").get_data(as_text=True)
    assert 'href="/console/leaderboard?as_of=5"' in good and 'id="as-of-banner"' in good


def test_language_comes_from_the_query_then_the_cookie_then_accept_language(flask_app: Flask, admin_token: str) -> None:
    client = signed_in(flask_app, admin_token)
    assert "排行榜" in client.get("/console/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    english = client.get("/console/?lang=en", headers={"Accept-Language": "zh-CN"})
    assert "Leaderboard" in english.get_data(as_text=True)
    assert "Leaderboard" in client.get("/console/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "排行榜" in client.get("/console/?lang=zh").get_data(as_text=True)


def test_every_catalogue_entry_has_english_and_chinese() -> None:
    for key, (english, chinese) in i18n.CATALOGUE.items():
        assert english.strip() and chinese.strip(), key
    assert i18n.translate("nav.pool", "zh") == "客户公海" and i18n.translate("nav.pool", "en") == "Customer pool"


def test_warnings_contract_calendar_recycles_and_statements_show_what_the_api_holds(
        flask_app: Flask, ledger_app: LedgerApplication, make: Any, post: Any, client: FlaskClient) -> None:
    team = make.team()["id"]
    assert post("/api/v1/pool-policy", {"team_id": team, "effective_from": "2026-01-01", "idle_days": 30,
                                        "warning_days": 3, "protection_days": 7, "cooloff_days": 30,
                                        "distribution": "open", "max_customers": 5}).status_code == 200
    rep = make.rep(team, name="戊")
    today = datetime.now(timezone.utc).date()
    assert post("/api/v1/warnings", {"rep_id": rep["id"], "level": "written", "reason": "late"}).status_code == 201
    assert post("/api/v1/contracts", {"rep_id": rep["id"], "kind": "fixed_term", "starts_on": "2025-03-01",
                                      "ends_on": (today + timedelta(days=45)).isoformat(), "post": "sales",
                                      "base_pay_amount": "9000.00", "currency": "CNY"}).status_code == 201
    customer = make.customer(name=f"客户-{uuid4().hex[:6]}")
    now = datetime.now(timezone.utc)
    claimed = post(f"/api/v1/customers/{customer['id']}/claim", {"rep_id": rep["id"], "occurred_at": now.isoformat()})
    assert claimed.status_code == 200, claimed.json
    ledger_app.warn_recycle(WarnRecycle(customer_id=UUID(customer["id"]), occurred_at=now, rule="idle", days_idle=27,
                                        recycle_on=today + timedelta(days=3)), Ctx("t", f"k-{uuid4()}"))
    mine = signed_in(flask_app, issue_token(ledger_app, "rep", rep_id=UUID(rep["id"])))
    notes = mine.get("/console/notifications", follow_redirects=True)
    assert notes.status_code == 200 and "Warning issued" in notes.get_data(as_text=True)
    pool = mine.get("/console/pool").get_data(as_text=True)
    recycles = pool[pool.index('id="recycles"'):pool.index("</table>", pool.index('id="recycles"'))]
    assert customer["name"] in recycles and (today + timedelta(days=3)).isoformat() in recycles
    hr = signed_in(flask_app, issue_token(ledger_app, "hr"))
    calendar = hr.get("/console/contracts?within=60").get_data(as_text=True)
    assert "戊" in calendar and (today + timedelta(days=45)).isoformat() in calendar
    assert "戊" not in hr.get("/console/contracts?within=30").get_data(as_text=True)
    head = ledger_app.head()
    period = f"{today.year}-{today.month:02d}"
    assert hr.get(f"/console/reps/{rep['id']}/statement?period={period}").status_code == 200
    reads = client.get(f"/api/v1/access-log?after={head}").json["events"]
    assert any(e["payload"]["resource"] == f"/console/reps/{rep['id']}/statement?period={period}"
               and e["payload"]["subject_ids"] == [rep["id"]] for e in reads), reads  # recorded like the API's reads


def test_the_analytics_page_shows_the_api_report_and_its_weights_chart(
        flask_app: Flask, ledger_app: LedgerApplication, make: Any, client: FlaskClient) -> None:
    team = make.team()["id"]
    make.rep(team, name="己")
    query = f"period_from=2026-01&period_to=2026-09&team={team}"
    report = client.get(f"/api/v1/analytics/indicators?{query}").json
    page = signed_in(flask_app, issue_token(ledger_app, "manager", team_ids=[UUID(team)]))
    body = page.get(f"/console/analytics?{query}").get_data(as_text=True)
    config = json.loads(re.search(r'<script type="application/json" id="weights-chart-data">(.*?)</script>', body,
                                  re.S).group(1))
    assert config["type"] == "bar" and [d["label"] for d in config["data"]["datasets"]] == ["Current weight",
                                                                                          "Suggested weight"]
    keys = list(report["weights"]["current"])
    assert config["data"]["datasets"][1]["data"] == [report["weights"]["suggested"].get(k) for k in keys]
    assert 'id="correlations"' in body and f"n = {report['observations']['count']}" in body
    other = make.team()["id"]
    assert page.get(f"/console/analytics?period_from=2026-01&period_to=2026-09&team={other}").status_code == 403
    rep = signed_in(flask_app, issue_token(ledger_app, "rep", rep_id=UUID(make.rep(team)["id"])))
    assert rep.get("/console/analytics").status_code == 403  # as on the API: reps may not


def test_sign_in_returns_to_console_pages_only(flask_app: Flask, admin_token: str) -> None:
    client = flask_app.test_client()
    for target, expected in (("/console/pool", "/console/pool"), ("//evil.example/x", "/console/"),
                             ("https://evil.example/", "/console/")):
        response = client.post(f"/console/sign-in?next={target}", data={"token": admin_token,
                                                                          "csrf_token": csrf_of(client)})
        assert response.status_code == 302 and response.headers["Location"] == expected


def test_an_unknown_console_address_is_a_console_page_and_an_unknown_api_address_problem_json(
        flask_app: Flask, admin_token: str) -> None:
    client = signed_in(flask_app, admin_token)
    page = client.get("/console/no-such-page?lang=zh")
    assert page.status_code == 404 and page.mimetype == "text/html"
    body = page.get_data(as_text=True)
    assert 'id="error-status">404<' in body and 'lang="zh-CN"' in body
    anonymous = flask_app.test_client().get("/console/nothing/here")
    assert anonymous.status_code == 404 and anonymous.mimetype == "text/html"
    api = client.get("/api/v1/no-such-resource")
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
    assert api.get_json()["status"] == 404
