"""Performance pages: the leaderboard and group race, a rep's scorecard with its trend, the customer pool."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from flask import redirect, render_template, request
from werkzeug.exceptions import NotFound as HttpNotFound

from api.console import pages
from api.console.access import allows, permit, principal
from api.console.blueprint import bp, label, link, t
from api.resources.reads import queries
from projections import outbox, pool

POOL_ROWS = 50


@bp.get("/leaderboard")
def leaderboard() -> Any:
    """Reps ranked for a period (company, team or group) and the race between competition groups."""
    all_reps, period, group = pages.reps(), pages.period_arg(), pages.uuid_arg("group")
    team = pages.uuid_arg("team") or pages.own_team(all_reps)
    permit("reads.leaderboard", team=team)
    q, moment = queries(), pages.moment()
    board = q.scorecards.leaderboard(period, moment, team_id=str(team) if team else None,
                                     group_id=str(group) if group else None)
    race = [q.scorecards.group(gid, period, moment) for gid, found in sorted(pages.groups().items())
            if found.get("period") == period and allows("reads.group_scorecard", group_id=UUID(gid))]
    race.sort(key=lambda r: (r["mean_total"] is None, -float(r["mean_total"] or 0), r["name"]))  # leader first
    board_chart = pages.chart("bar", [e["name"] for e in board["entries"]],
                              [{"label": t("leaderboard.chart"), "data": [pages.number(e["total"]) for e in board["entries"]]}],
                              indexAxis="y")
    race_chart = pages.chart("bar", [r["name"] for r in race],
                             [{"label": t("race.mean"), "data": [pages.number(r["mean_total"]) for r in race]}])
    return render_template("console/leaderboard.html", board=board, race=race, board_chart=board_chart, race_chart=race_chart,
                           teams=_teams_in_scope(all_reps), team=str(team) if team else "", period=period)


def _teams_in_scope(all_reps: dict[str, dict[str, Any]]) -> dict[str, str]:
    names = {k: v["name"] for k, v in pages.teams().items()}
    if principal().role in ("manager", "rep"):
        mine = {r["team_id"] for r in pages.reps_in_scope(all_reps).values()}
        mine |= {str(t) for t in principal().team_ids}
        return {k: v for k, v in names.items() if k in mine}
    return names


@bp.get("/scorecard")
def scorecard() -> Any:
    """A rep opens their own scorecard; other roles the first rep in their scope (then pick another)."""
    who = principal()
    in_scope = pages.reps_in_scope(pages.reps())
    rep_id = who.rep_id or next(iter(sorted(in_scope, key=lambda r: in_scope[r]["name"])), None)
    if rep_id is None:
        raise HttpNotFound("no rep in scope")
    values = {k: v for k, v in request.args.items() if k != "as_of"}
    return redirect(link("console.rep_scorecard", rep_id=rep_id, **values))


@bp.get("/reps/<uuid:rep_id>/scorecard")
def rep_scorecard(rep_id: UUID) -> Any:
    """Every indicator's actual, target, score and weight (radar chart), ranks, and the total over periods."""
    permit("reads.rep_scorecard", rep_id=rep_id)
    q, moment, period = queries(), pages.moment(), pages.period_arg()
    card = q.scorecards.rep(str(rep_id), period, moment)
    trend = [(label, q.scorecards.rep(str(rep_id), label, moment)["total"])
             for label in pages.previous_periods(period, 4)]
    scored = [i for i in card["indicators"] if i["score"] is not None]
    radar = pages.chart("radar" if len(scored) >= 3 else "bar", [label("indicator", i["key"]) for i in scored],
                        [{"label": t("scorecard.score"), "data": [pages.number(i["score"]) for i in scored]}])
    line = pages.chart("line", [p for p, _ in trend],
                       [{"label": t("common.total"), "data": [pages.number(v) for _, v in trend]}])
    return render_template("console/scorecard.html", card=card, trend=trend, radar=radar, line=line, period=period,
                           reps=pages.reps_in_scope(pages.reps()), rep_id=str(rep_id))


@bp.get("/pool", endpoint="pool")
def pool_page() -> Any:
    """Customers in the pool, each rep's held customers by idle days, and the recycles already announced."""
    permit("reads.pool_customers")
    q, moment = queries(), pages.moment()
    unowned = pool.pool_customers(q.read_side.rows("pool", pool.CUSTOMER, moment, part=""))
    chosen = pages.uuid_arg("rep")
    candidates = pages.reps_in_scope(pages.reps())
    shown = [r for r in sorted(candidates, key=lambda r: candidates[r]["name"]) if chosen is None or r == str(chosen)]
    holdings = {r: pool.holdings(q.read_side.rows("pool", pool.HOLDING, moment, part=r), moment.at)
                for r in shown if allows("reads.holdings", rep_id=UUID(r))}
    recycles = [n for r, held in holdings.items() for n in _announced_recycles(r, held, moment.at.date())]
    return render_template("console/pool.html", unowned=unowned[:POOL_ROWS], unowned_count=len(unowned), holdings=holdings,
                           reps=candidates, recycles=sorted(recycles, key=lambda n: n["recycle_on"]), rep=str(chosen or ""))


def _announced_recycles(rep_id: str, held: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Recycle warnings sent to the rep for customers they still hold, due today or later."""
    names = {h["customer_id"]: h["name"] for h in held}
    rows = queries().read_side.rows(outbox.NAME, outbox.NOTE, pages.moment(), part=f"rep:{rep_id}")
    found = []
    for _, _, note in rows:
        data = note.get("data") or {}
        due = str(data.get("recycle_on") or "")[:10]
        if note["kind"] == "recycle-warning" and data.get("customer_id") in names and due >= today.isoformat():
            found.append({"rep_id": rep_id, "customer_id": data["customer_id"], "name": names[data["customer_id"]],
                          "recycle_on": due, "rule": data.get("rule"), "days_idle": data.get("days_idle")})
    return found
