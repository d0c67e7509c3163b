"""The web console in a real browser: pages per role, charts drawn, language switch, a bundle download, as-of."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PERIOD, Console, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

EVERY_PAGE = {"leaderboard", "scorecard", "pool", "notifications", "contracts", "payouts", "evidence", "events",
              "integrity", "analytics"}
PAGES = {  # what each role's menu offers: the API's rules for the endpoint behind each page
    "admin": EVERY_PAGE,
    "hr": EVERY_PAGE - {"events"},
    "legal": EVERY_PAGE - {"notifications", "analytics"},
    "auditor": EVERY_PAGE - {"evidence"},
    "manager": {"leaderboard", "scorecard", "pool", "notifications", "contracts", "payouts", "analytics"},
    "rep": {"leaderboard", "scorecard", "pool", "notifications", "contracts", "payouts"},
}


def menu(page: Any) -> set[str]:
    return {name.removeprefix("console.") for name in page.eval_on_selector_all(
        "nav.menu a", "links => links.map(a => a.dataset.page)")}


def chart_drawn(page: Any, canvas_id: str) -> bool:
    """A Chart.js instance owns the canvas, and its pixels differ from a blank canvas of the same size."""
    page.wait_for_selector(f"#{canvas_id}[data-drawn='true']")
    return bool(page.evaluate("""id => {
        const canvas = document.getElementById(id);
        const blank = document.createElement('canvas');
        blank.width = canvas.width; blank.height = canvas.height;
        return Chart.getChart(canvas) !== undefined && canvas.width > 0 && canvas.toDataURL() !== blank.toDataURL();
    }""", canvas_id))


@pytest.mark.parametrize("role", sorted(PAGES))
def test_each_role_sees_its_pages_and_is_refused_the_others(sign_in: Any, console: Console, role: str) -> None:
    page = sign_in(role)
    assert menu(page) == PAGES[role]
    for name in sorted(EVERY_PAGE - PAGES[role]):  # the page's own request (its session cookie), not rendered
        response = page.request.get(f"{console.url}/console/{name}")
        assert response.status == 403, name
        assert '<h1 id="error-status">403</h1>' in response.text()
    for name in sorted(PAGES[role] - {"integrity"}):  # integrity recomputes the chain: opened by its own test
        response = page.request.get(f"{console.url}/console/{name}")
        assert response.status == 200, (name, response.text()[:500])


def test_leaderboard_draws_its_chart_and_ranks_the_reps(sign_in: Any, console: Console) -> None:
    page = sign_in("admin")
    page.goto(f"{console.url}/console/leaderboard?period={PERIOD}")
    assert chart_drawn(page, "leaderboard-chart")
    rows = page.eval_on_selector_all("#leaderboard tbody tr", "rows => rows.map(r => r.cells[1].innerText)")
    board = console.api(f"/api/v1/leaderboard?period={PERIOD}")
    assert rows == [e["name"] for e in sorted(board["entries"], key=lambda e: e["rank"])]
    assert chart_drawn(page, "race-chart")
    race = page.eval_on_selector_all("#race tbody tr", "rows => rows.map(r => [r.cells[0].innerText, r.cells[1].innerText])")
    assert {name for name, _ in race} == {"Alpha 甲组", "Beta 乙组"}
    assert float(race[0][1]) >= float(race[1][1])  # the leader first
    screenshot(page, "leaderboard")


def test_a_rep_sees_their_scorecard_with_radar_and_trend_but_not_a_colleagues(sign_in: Any, console: Console) -> None:
    page = sign_in("rep")
    page.click("nav.menu a[data-page='console.scorecard']")
    page.wait_for_load_state()  # the click navigates: read the new page, not the old one
    page.goto(page.url.split("?")[0] + f"?period={PERIOD}")
    assert page.inner_text("#rep-name") == console.rep["name"]
    assert chart_drawn(page, "radar-chart") and chart_drawn(page, "trend-chart")
    assert page.evaluate("() => Chart.getChart(document.getElementById('radar-chart')).config.type") == "radar"
    card = console.api(f"/api/v1/reps/{console.rep['id']}/scorecard?period={PERIOD}", "rep")
    assert page.inner_text("#total") == card["total"]
    screenshot(page, "scorecard")
    colleague = next(e["rep_id"] for e in console.reps.values() if e["rep_id"] != console.rep["id"])
    response = page.goto(f"{console.url}/console/reps/{colleague}/scorecard")
    assert response is not None and response.status == 404


def test_the_pool_page_shows_the_pool_and_the_team_holdings(sign_in: Any, console: Console) -> None:
    page = sign_in("manager")
    page.click("nav.menu a[data-page='console.pool']")
    page.wait_for_load_state()  # the click navigates: read the new page, not the old one
    pool = console.api("/api/v1/pool", "manager")
    assert int(page.inner_text("#pool-count")) == len(pool["customers"])
    assert page.locator("table.holdings").count() >= 1
    screenshot(page, "pool")


def test_the_language_switch_turns_the_ui_chinese_and_back(sign_in: Any, console: Console) -> None:
    page = sign_in("manager")
    assert "Leaderboard" in page.inner_text("nav.menu")
    page.click("#lang-switch")
    page.wait_for_load_state()  # the click navigates: read the new page, not the old one
    assert "排行榜" in page.inner_text("nav.menu") and page.get_attribute("html", "lang") == "zh-CN"
    page.click("nav.menu a[data-page='console.leaderboard']")
    page.wait_for_load_state()  # the click navigates: read the new page, not the old one
    assert "排行榜" in page.inner_text("h1")  # the choice is kept (cookie) from page to page
    page.click("#lang-switch")
    page.wait_for_load_state()  # the click navigates: read the new page, not the old one
    assert "Leaderboard" in page.inner_text("h1") and page.get_attribute("html", "lang") == "en"


def test_hr_reads_the_readiness_checklist_and_downloads_the_bundle(sign_in: Any, console: Console) -> None:
    page = sign_in("hr")
    rep = console.rep["id"]
    page.goto(f"{console.url}/console/evidence?rep={rep}")
    assert page.locator("#readiness tbody tr").count() >= 3
    with page.expect_download() as started:
        page.click("#evidence-download")
    download = started.value
    assert download.suggested_filename.endswith(".zip")
    with open(download.path(), "rb") as data:
        archive = zipfile.ZipFile(io.BytesIO(data.read()))
    names = set(archive.namelist())
    assert {"events.jsonl", "scorecards.json", "readiness.json", "summary.pdf", "manifest.json"} <= names
    assert archive.read("summary.pdf").startswith(b"%PDF")
    assert rep in archive.read("readiness.json").decode()


def test_the_as_of_picker_shows_the_ledger_as_it_stood_then_on_every_page(sign_in: Any, console: Console) -> None:
    page = sign_in("auditor")
    page.click("nav.menu a[data-page='console.events']")
    page.wait_for_load_state()  # the click navigates: read the new page, not the old one
    head = int(page.inner_text("#feed-head"))
    page.fill("#as_of", "40")
    page.click("#as-of-apply")
    page.wait_for_load_state()  # the click navigates: read the new page, not the old one
    assert "as_of=40" in page.url and page.is_visible("#as-of-banner")
    assert page.inner_text("#feed-until") == "40"
    positions = [int(p) for p in page.eval_on_selector_all("#events tbody tr", "rows => rows.map(r => r.cells[0].innerText)")]
    assert positions and max(positions) <= 40 < head
    page.click("nav.menu a[data-page='console.pool']")  # the menu carries as_of to the next page
    page.wait_for_load_state()  # the click navigates: read the new page, not the old one
    assert "as_of=40" in page.url
    then = int(page.inner_text("#pool-count"))
    now = len(console.api("/api/v1/pool", "auditor")["customers"])
    assert then == len(console.api("/api/v1/pool?as_of=40", "auditor")["customers"]) and then != now


def test_the_auditor_sees_the_chain_verify_and_the_analytics_weights_chart(sign_in: Any, console: Console) -> None:
    page = sign_in("auditor")
    page.click("nav.menu a[data-page='console.integrity']")
    page.wait_for_load_state()  # the click navigates: read the new page, not the old one
    assert page.inner_text("#verify-status").startswith("✓")
    page.goto(f"{console.url}/console/analytics?period_from=2026-01&period_to=2026-09")
    assert chart_drawn(page, "weights-chart")
    report = console.api("/api/v1/analytics/indicators?period_from=2026-01&period_to=2026-09", "auditor")
    assert page.locator("#correlations tbody tr").count() == len(report["indicators"])


def test_pages_fit_a_phone_screen(sign_in: Any, console: Console) -> None:
    page = sign_in("rep", viewport={"width": 390, "height": 844}, is_mobile=True)
    page.click("#lang-switch")  # and in Chinese
    page.wait_for_load_state()  # the click navigates: read the new page, not the old one
    for name in ("leaderboard", "scorecard", "pool"):
        page.goto(f"{console.url}/console/{name}?period={PERIOD}")
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (name, width)
    screenshot(page, "pool-phone")
    assert re.search(r"width=device-width", page.inner_html("head"))


def test_a_manager_opens_their_teams_payout_run_and_its_lines(sign_in: Any, console: Console) -> None:
    page = sign_in("manager")
    page.click("nav.menu a[data-page='console.payouts']")
    page.wait_for_load_state()  # the click navigates: read the new page, not the old one
    runs = page.locator("#runs tbody tr a")
    expect(runs).to_have_count(1)  # the generated history pays each of its two teams: the manager sees their own
    runs.first.click()
    page.wait_for_load_state()  # the click navigates: read the new page, not the old one
    run_id = page.url.rsplit("/", 1)[-1]
    run = console.api(f"/api/v1/payout-runs/{run_id}", "manager")
    assert run["team_id"] == console.rep["team_id"]
    assert page.locator("#run-lines tbody tr").count() == max(len(run["lines"]), 1)
