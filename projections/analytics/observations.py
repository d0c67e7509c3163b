"""(rep, month) observations read from the scorecard projection, exactly as the scorecards compute them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ledger.errors import Invalid, NotFound
from ledger.periods import Period
from projections.readside import Moment
from projections.scorecard_queries import Scorecards
from projections.scoring import Rules

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_MONTHS = 36


def months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    found = []
    while f"{year}-{month:02d}" <= last:
        found.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def check_range(period_from: str, period_to: str) -> list[str]:
    """The months of the range; 422 naming the field when a month is malformed, reversed or too long."""
    for name, value in (("period_from", period_from), ("period_to", period_to)):
        if not isinstance(value, str) or not MONTH.match(value):
            raise Invalid(f"{name} {value!r} is not a month", errors={name: ["use a month, YYYY-MM"]})
        if not 1970 <= int(value[:4]) <= 2200:
            raise Invalid(f"{name} {value!r} is out of range", errors={name: ["a year from 1970 to 2200"]})
    if period_to < period_from:
        raise Invalid("period_to is before period_from", errors={"period_to": ["not before period_from"]})
    months = months_between(period_from, period_to)
    if len(months) > MAX_MONTHS:
        raise Invalid(f"analyse at most {MAX_MONTHS} months at a time",
                      errors={"period_to": [f"at most {MAX_MONTHS} months after period_from"]})
    return months


def num(text: Any) -> float | None:
    return None if text is None else float(text)


@dataclass
class Observation:
    """One rep in one month: revenue, every indicator's value and score, and the card they come from."""

    rep_id: str
    month: str
    card: dict[str, Any]
    revenue: float
    values: dict[str, float | None] = field(default_factory=dict)
    scores: dict[str, float | None] = field(default_factory=dict)

    @property
    def actual(self) -> dict[str, Any]:
        return dict(self.card["actuals"])


@dataclass
class Panel:
    """Every observation of the range, the rules as of the range's last month, and the scheme analysed."""

    months: list[str]
    moment: Moment
    team_id: str | None
    rules: Rules
    scheme: dict[str, Any] | None
    rows: list[Observation]

    def by_month(self) -> dict[str, dict[str, Observation]]:
        found: dict[str, dict[str, Observation]] = {m: {} for m in self.months}
        for row in self.rows:
            found[row.month][row.rep_id] = row
        return found

    def reps(self) -> dict[str, dict[str, Any]]:
        """rep id -> the rep's last card of the range (name, team, tenure, cohort)."""
        return {row.rep_id: row.card for row in sorted(self.rows, key=lambda r: r.month)}


def load(scorecards: Scorecards, months: list[str], moment: Moment, team_id: str | None) -> Panel:
    """Each month's scorecards (the same computation as GET /reps/<id>/scorecard?period=YYYY-MM), for the
    team's reps (by their team as of the moment) or for everyone."""
    rules: Rules | None = None
    rows: list[Observation] = []
    for month in months:
        rules, cards = scorecards.period_cards(Period.parse(month), moment)
        if team_id and team_id not in rules.teams:
            raise NotFound(f"no team with id {team_id} at position {moment.position}", errors={"team": ["unknown team"]})
        for rep_id, card in sorted(cards.items()):
            if team_id and card["team_id"] != team_id:
                continue
            revenue = num(card["actuals"].get("revenue"))
            if revenue is None:
                continue
            row = Observation(rep_id, month, card, revenue)
            for indicator in card["indicators"]:
                row.values[indicator["key"]] = num(indicator["actual"])
                row.scores[indicator["key"]] = num(indicator["score"])
            rows.append(row)
    if rules is None:
        raise Invalid("no months to analyse", errors={"period_from": ["no months in the range"]})
    # the last month's rules: the scheme in force on its last day (the team's own, else the company's)
    scheme = rules.scheme(team_id or "")
    basis = "team" if team_id else "company"
    if scheme is None and not team_id:
        scheme, basis = _most_applied(rules, [r.card for r in rows if r.month == months[-1]])
    if scheme is not None:
        scheme = {**scheme, "applies": basis}
    return Panel(months, moment, team_id, rules, scheme, rows)


def _most_applied(rules: Rules, cards: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, str]:
    """Without a company scheme: the team scheme version that scored the most reps in the last month."""
    counts: dict[tuple[str, int], int] = {}
    for card in cards:
        if card["scheme"]:
            applied = (card["scheme"]["scheme_id"], card["scheme"]["version"])
            counts[applied] = counts.get(applied, 0) + 1
    if not counts:
        return None, "none"
    (scheme_id, version), count = max(counts.items(), key=lambda item: (item[1], item[0]))
    found = next(s for s in rules.schemes if s["scheme_id"] == scheme_id and s["version"] == version)
    return found, f"most reps ({count} of {len(cards)})"


def value_of(row: Observation, key: str) -> float | None:
    """The indicator's actual: from the rep's scorecard row, else from the scorecard's actuals."""
    if key in row.values:
        return row.values[key]
    return num(row.card["actuals"].get(key))
