"""What every console page shares: the moment asked for (as_of), the people in scope, periods, charts."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from flask import abort, g, request

from api.console.access import principal
from api.resources.reads import queries
from ledger.periods import Period
from projections.readside import Moment
from projections.scorecards import GROUP, REP, TEAM

SCORECARDS = "scorecards"


def moment() -> Moment:
    """The ledger as it stood at ?as_of= (a position or an ISO time), or now; one per request."""
    if "moment" not in g:
        g.moment = queries().read_side.moment(g.get("as_of"))
    found: Moment = g.moment
    return found


def rows(kind: str) -> dict[str, dict[str, Any]]:
    """Reps, teams or groups of the scorecard read model, by id, as of the moment."""
    return {key: state for _, key, state in queries().read_side.rows(SCORECARDS, kind, moment(), part="")}


def reps() -> dict[str, dict[str, Any]]:
    return rows(REP)


def teams() -> dict[str, dict[str, Any]]:
    return rows(TEAM)


def groups() -> dict[str, dict[str, Any]]:
    return rows(GROUP)


def own_team(all_reps: dict[str, dict[str, Any]]) -> str | None:
    """The team a manager (first of theirs) or a rep (their own) sees by default; None for staff."""
    who = principal()
    if who.role == "manager":
        return str(sorted(who.team_ids)[0]) if who.team_ids else None
    if who.role == "rep" and who.rep_id:
        return all_reps.get(str(who.rep_id), {}).get("team_id")
    return None


def reps_in_scope(all_reps: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Reps a picker offers: a rep only themself, a manager their teams' reps, staff everyone."""
    who = principal()
    if who.role == "rep":
        return {k: v for k, v in all_reps.items() if who.rep_id and k == str(who.rep_id)}
    if who.role == "manager":
        mine = {str(t) for t in who.team_ids}
        return {k: v for k, v in all_reps.items() if v.get("team_id") in mine}
    return all_reps


def uuid_arg(name: str) -> UUID | None:
    """An optional id from the query string; anything else than a UUID is a 404, as on the API."""
    value = request.args.get(name) or ""
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        abort(404)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def period_arg() -> str:
    """?period= (checked like the API's), else the quarter of the moment shown."""
    text = request.args.get("period") or quarter_of(moment().at.date())
    return Period.parse(text).label


def month_arg() -> str:
    text = request.args.get("period") or ""
    if len(text) == 7 and text[4] == "-":
        return Period.parse(text).label
    day = moment().at.date()
    return f"{day.year}-{day.month:02d}"


def previous_periods(label: str, count: int) -> list[str]:
    """`count` periods of the same kind ending with `label`, oldest first (2026-Q3 -> 2025-Q4 .. 2026-Q3)."""
    period = Period.parse(label)
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    found = []
    for back in range(count - 1, -1, -1):
        index = period.start.year * 12 + period.start.month - 1 - back * months
        year, month = divmod(index, 12)
        found.append(_label(year, month + 1, months))
    return found


def _label(year: int, month: int, months: int) -> str:
    if months == 12:
        return str(year)
    if months == 6:
        return f"{year}-H{(month - 1) // 6 + 1}"
    if months == 3:
        return f"{year}-Q{(month - 1) // 3 + 1}"
    return f"{year}-{month:02d}"


def number(value: Any) -> float | None:
    """A decimal string as a chart number (charts only draw; tables show the exact strings)."""
    return None if value is None else float(value)


def chart(kind: str, labels: list[str], datasets: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    """A Chart.js configuration, passed to the page as JSON and drawn by static/console.js."""
    return {"type": kind, "data": {"labels": labels, "datasets": datasets},
            "options": {"animation": False, "responsive": True, "maintainAspectRatio": False, **options}}
