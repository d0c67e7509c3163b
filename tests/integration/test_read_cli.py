"""`ledger projections|scorecard|leaderboard` as a user runs them, and the scheduler's projection jobs.

Each test reads one brand-new store holding the deterministic demo organisation (scripts/demo.py),
through a real `python -m scripts.cli` process, and checks what it prints against the Scorecards
object answering the same question in-process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator
from uuid import UUID, uuid4

import pytest

from api import create_app
from ledger.application import LedgerApplication, build_application
from ledger.base import Ctx
from ledger.commands import pool, sales
from ledger.settings import Settings
from projections.registry import Queries, all_projections
from scripts.demo import REP_NAMES, build_demo
from scripts.scheduler import catch_up_all, rebuild_all
from tests.conftest import authenticated, fresh_store, issue_token

ROOT = Path(__file__).resolve().parents[2]
Q2 = "2026-Q2"
REBUILT = re.compile(r"^(?P<name>\w+): (?P<events>\d+) events to position (?P<position>\d+) in \d+\.\d\ds "
                     r"\((?P<rate>[\d,]+) events/s\)$")


@dataclass
class Demo:
    app: LedgerApplication
    queries: Queries
    env: dict[str, str]
    settings: Settings


@pytest.fixture(scope="module")
def demo(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """A fresh store with a year of the demo organisation, and the environment that points the CLI at it."""
    with fresh_store(settings, tmp_path_factory.mktemp("readcli")) as fresh:
        app = build_application(fresh)
        queries = Queries(app, fresh)
        build_demo(app, uuid4().int % 10**9, date(2026, 10, 31), lambda _: None, queries)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        env.update({"LEDGER_MASTER_KEY": fresh.master_key, "PYTHONIOENCODING": "utf-8"})
        env.update({"LEDGER_DATABASE_URL": fresh.database_url} if fresh.database_url else {"LEDGER_DB": fresh.db_path})
        try:
            yield Demo(app, queries, env, fresh)
        finally:
            queries.close()
            app.close()


def ledger(demo: Demo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scripts.cli", *args], env=demo.env, cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


def ok(demo: Demo, *args: str) -> list[str]:
    done = ledger(demo, *args)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout.splitlines()


def refused(demo: Demo, *args: str) -> str:
    """A non-zero exit with one line on stderr and no traceback; returns that line."""
    done = ledger(demo, *args)
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def table(lines: list[str], columns: int) -> list[list[str]]:
    """The rows under a header and its dashes, split into cells (no cell holds a space here)."""
    start = next(i for i, line in enumerate(lines) if line.startswith("----"))
    assert len(lines[start - 1].split()) == columns
    rows = []
    for line in lines[start + 1:]:
        if len(line.split()) != columns:
            break
        rows.append(line.split())
    return rows


def rep_id(demo: Demo, name: str) -> str:
    rows = demo.queries.read_side.rows("scorecards", "rep", demo.queries.read_side.moment(), part="")
    matches = [key for _, key, state in rows if state["name"] == name]
    assert len(matches) == 1
    return matches[0]


def test_rebuild_all_prints_events_per_second_and_leaves_nothing_behind(demo: Demo) -> None:
    head = demo.app.head()
    lines = ok(demo, "projections", "rebuild", "--all")
    assert lines[-1].startswith(f"all {len(all_projections())} projections in one pass: "), lines
    printed = [REBUILT.match(line) for line in lines[:-1]]
    assert all(printed), printed
    found = {m["name"]: m for m in printed if m}
    assert set(found) == {p.name for p in all_projections()}
    assert all(int(m["position"]) == head and int(m["events"]) > 0 and int(m["rate"].replace(",", "")) > 0
               for m in found.values())
    assert int(found["pool"]["events"]) > 200  # 200 customers registered, then claimed and followed up
    status = [line.split() for line in ok(demo, "projections", "status")]
    assert {row[0]: (int(row[2]), int(row[4]), int(row[6])) for row in status} == {
        name: (head, head, 0) for name in found}


def columns_at(line: str) -> list[int]:
    """Terminal columns where each cell after the first starts (wide characters such as 王 take two)."""
    starts, width, previous = [], 0, " "
    for char in line:
        if previous == " " and char != " " and width:
            starts.append(width)
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        previous = char
    return starts


def test_leaderboard_prints_the_ranked_table_the_read_side_answers(demo: Demo) -> None:
    lines = ok(demo, "leaderboard", "--period", Q2)
    rows = table(lines, 5)
    assert len({tuple(columns_at(line)) for line in lines}) == 1  # names in Chinese keep the columns aligned
    board = demo.queries.scorecards.leaderboard(Q2, demo.queries.read_side.moment())
    assert rows[0][0] == "1"
    assert rows == [[str(e["rank"]), e["name"], e["total"] or "-", e["percentile"], e["cohort"] or "-"]
                    for e in board["entries"]]
    assert len(rows) >= 2 and rows[-1][3] == "0.00" and rows[0][3] == "100.00"
    assert table(ok(demo, "leaderboard", "--period", Q2, "--as-of", "1"), 5) == []  # nobody had been hired yet


def test_scorecard_prints_the_indicators_and_the_total_of_the_read_side(demo: Demo) -> None:
    name = REP_NAMES[0]
    api = create_app(demo.settings, demo.app)
    over_http: Any = authenticated(api, issue_token(demo.app, "admin"))
    try:
        served = over_http.get(f"/api/v1/reps/{rep_id(demo, name)}/scorecard", query_string={"period": Q2}).json
    finally:
        api.extensions["ledger"].queries.close()
    lines = ok(demo, "scorecard", name, "--period", Q2)
    card = demo.queries.scorecards.rep(rep_id(demo, name), Q2, demo.queries.read_side.moment())
    assert card["total"] is not None and card["total"] == served["total"]
    assert card["indicators"] == served["indicators"] and card["position"] == served["position"]
    assert lines[0].split() == [name, Q2, "total", card["total"], "cohort", card["cohort"] or "-", "as", "of", "position",
                                str(demo.app.head())]
    assert table(lines, 7) == [[i["key"], i["dimension"], i["actual"] or "-", i["target"] or "-", i["score"] or "-",
                                i["weight"], i["contribution"] or "-"] for i in card["indicators"]]
    company, team = card["rank"]["company"], card["rank"]["team"]
    assert lines[-1] == (f"rank {company['rank']}/{company['of']} in the company (percentile {company['percentile']}), "
                         f"{team['rank']}/{team['of']} in the team")
    by_id = ok(demo, "scorecard", card["rep_id"], "--period", Q2)
    assert by_id == lines


def test_scorecard_as_of_answers_as_the_ledger_stood_then(demo: Demo) -> None:
    name, head = REP_NAMES[0], demo.app.head()
    rep = rep_id(demo, name)
    middle = head // 2
    then = demo.queries.scorecards.rep(rep, Q2, demo.queries.read_side.moment(middle))
    lines = ok(demo, "scorecard", name, "--period", Q2, "--as-of", str(middle))
    assert lines[0].split()[3] == (then["total"] or "-") and lines[0].endswith(f"as of position {middle}")
    assert table(lines, 7) == [[i["key"], i["dimension"], i["actual"] or "-", i["target"] or "-", i["score"] or "-",
                                i["weight"], i["contribution"] or "-"] for i in then["indicators"]]
    # position 1 is the first event: the rep did not exist yet, which is said in one line
    assert refused(demo, "scorecard", name, "--period", Q2, "--as-of", "1").endswith(f"no rep with id {rep} at position 1")


def test_bad_input_is_one_line_without_a_traceback(demo: Demo) -> None:
    assert refused(demo, "scorecard", REP_NAMES[0], "--period", "2026-Q9").endswith("'2026-Q9' is not a period")
    assert refused(demo, "leaderboard", "--period", "2026-Q9").endswith("'2026-Q9' is not a period")
    assert "neither a position nor an ISO timestamp" in refused(demo, "leaderboard", "--period", Q2, "--as-of", "yesterday")
    assert refused(demo, "leaderboard", "--period", Q2, "--as-of", "2026-06-30T00:00:00").endswith(
        "as_of timestamps need an offset")
    assert "no projection named 'nothing'" in refused(demo, "projections", "rebuild", "nothing")
    assert "0 reps match 'Nobody'" in ledger(demo, "scorecard", "Nobody", "--period", Q2).stderr


def dump(queries: Queries) -> tuple[list[Any], list[Any]]:
    with queries.db.transaction(write=False) as cur:
        cur.execute("SELECT projection, kind, part, key, valid_from, valid_to, state FROM projection_rows "
                    "ORDER BY projection, kind, part, key, valid_from")
        rows = cur.fetchall()
        cur.execute("SELECT name, position FROM projection_tracking ORDER BY name")
        return [tuple(r) for r in rows], [tuple(r) for r in cur.fetchall()]


def test_scheduled_catch_up_brings_every_projection_to_the_head_once(demo: Demo) -> None:
    app, queries = demo.app, demo.queries
    catch_up_all(queries)
    rep = UUID(rep_id(demo, REP_NAMES[0]))
    ctx = Ctx("test", f"k-{uuid4()}", "fp")
    customer = app.register_customer(pool.RegisterCustomer(name=f"new-{uuid4().hex[:6]}", occurred_at=datetime.now(timezone.utc)),
                                     ctx).id
    app.log_follow_up(sales.LogFollowUp(rep_id=rep, customer_id=customer, kind="call", stage="lead",
                                        occurred_at=datetime.now(timezone.utc)), Ctx("test", f"k-{uuid4()}", "fp"))
    runners = queries.read_side.runners.values()
    assert {r.name: r.lag() > 0 for r in runners}["pool"]
    catch_up_all(queries)
    assert {r.name: r.lag() for r in runners} == {r.name: 0 for r in runners}
    caught_up = dump(queries)
    assert {name: position for name, position in caught_up[1]} == {r.name: app.head() for r in runners}
    catch_up_all(queries)
    assert dump(queries) == caught_up  # nothing new: nothing written, positions unchanged
    rebuild_all(queries)
    assert dump(queries) == caught_up  # a fold of the whole ledger equals the incremental one
