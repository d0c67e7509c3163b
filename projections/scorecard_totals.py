"""Each rep's total per month and quarter, kept by the scorecard fold at every position it changes.

Ranking a period needs every rep's total. Worked out at query time that is every rep's facts read and scored
(~450 reps x 3 months at 1M events: ~50 ms, and as of a past position every query is a new one). The fold
keeps the totals instead, as versioned rows like any other state, so a rank as of any position reads one small
row per rep. A total depends on the rep's facts in the period's months, the rep's team, the schemes, the
period's targets for the rep and its team and the exchange rates of the currencies in its facts; each of those
changes refreshes the totals it can change, at the position of the change, so the row valid at a position is
the total worked out from the rules and facts as they stood there (tests/integration/test_scorecard_totals.py
compares it with the query-time computation at every position of a generated history).

Kept for months (YYYY-MM) and quarters (YYYY-Qn); halves and years are worked out at query time. A total row
exists for a rep with facts in the period; an eligible rep without facts is scored at query time (no facts).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson

from ledger.periods import Period
from projections.base import State, View
from projections.scoring import BUILT_IN, PERCENT_INDICATORS, Rules, months_of, total

TOTAL, PERIODS, ROSTER, META, TARGETS_OF = "total", "periods", "roster", "meta", "targets_of"
FACTS, REP, SCHEME, TARGET, FX = "facts", "rep", "scheme", "target", "fx"  # as in projections/scorecards.py
ALL = "all"  # (SCHEME, ALL, ""): the keys of every scheme version, so the fold can list them
KEPT = re.compile(r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$")


def kept(label: str) -> bool:
    """Whether the fold keeps totals for this period label (months and quarters)."""
    return KEPT.match(label) is not None


@lru_cache(maxsize=1024)
def periods_of_month(month: str) -> tuple[str, str]:
    year, number = month.split("-")
    return month, f"{year}-Q{(int(number) - 1) // 3 + 1}"


@lru_cache(maxsize=1024)
def _period(label: str) -> tuple[Period, tuple[str, ...]]:
    period = Period.parse(label)
    return period, tuple(months_of(period))


class Totals:
    """The fold's half that keeps TOTAL rows; the scorecard projection calls it after each change."""

    def __init__(self, base_currency: str = "CNY") -> None:
        self.base = base_currency
        # Rule states (schemes, reps, rates) parsed once per stored text: a text is immutable, so what was
        # parsed from it is valid whatever view it came from; the parsed states are only read, never changed.
        self._parsed: dict[str, Any] = {}
        self._in_force: dict[tuple[str | None, str, str], tuple[list[State], State | None]] = {}

    def started(self, view: View, position: int) -> None:
        """Mark where this fold began keeping totals: a projection folded from its first event by this code
        has every total; one folded partly by earlier code has not (queries then work them out)."""
        if view.get(META, "", "") is None:
            view.put(META, "", "", {"totals_from": position, "base_currency": self.base})

    # what changed -> which totals to refresh
    def facts_changed(self, view: View, month: str, rep: str, indicators: frozenset[str] | None = None) -> None:
        for label in periods_of_month(month):
            self._note(view, label)
            self.refresh(view, label, rep, indicators)

    def rep_changed(self, view: View, rep: str, team: str | None, old_team: str | None = None) -> None:
        roster = view.get(ROSTER, "", "") or {"reps": {}}
        if team is not None and roster["reps"].get(rep) != team:
            roster["reps"][rep] = team
            view.put(ROSTER, "", "", roster)
        if team != old_team:
            for label in self._labels(view):
                self.refresh(view, label, rep)

    def schemes_changed(self, view: View, scheme_key: str) -> None:
        known = view.get(SCHEME, ALL, "") or {"keys": []}
        if scheme_key not in known["keys"]:
            known["keys"].append(scheme_key)
            view.put(SCHEME, ALL, "", known)
        self._refresh_all(view, self._labels(view))

    def target_changed(self, view: View, label: str, address: str) -> None:
        scope, scope_id, indicator = address.split(":", 2)
        if kept(label):  # which indicators have a target, per rep or team: the fold reads only those
            found = view.get(TARGETS_OF, label, f"{scope}:{scope_id}") or {"indicators": []}
            if indicator not in found["indicators"]:
                found["indicators"] = sorted([*found["indicators"], indicator])
                view.put(TARGETS_OF, label, f"{scope}:{scope_id}", found)
        if not kept(label) or label not in self._labels(view):
            return
        if scope == "rep":
            self.refresh(view, label, scope_id)
        elif scope == "team":
            roster = (view.get(ROSTER, "", "") or {"reps": {}})["reps"]
            for rep, team in sorted(roster.items()):
                if team == scope_id:
                    self.refresh(view, label, rep)

    def rate_changed(self, view: View, pair: str, on: date) -> None:
        if self.base not in pair.split("/"):
            return  # only rates to or from the base currency convert anything
        labels = [label for label in self._labels(view) if _period(label)[0].end >= on]
        self._refresh_all(view, labels)

    # the work
    def refresh(self, view: View, label: str, rep: str, indicators: frozenset[str] | None = None) -> None:
        """Work out the rep's total for the period from the states as they are now; write it if it changed.
        `indicators`: a change of facts that can move only these (None: any); when none of them can be
        scored (not in the scheme, or no target), a total already kept stays as it is."""
        period, months = _period(label)
        rep_state = self._rule(view, REP, "", rep)
        if rep_state is None:
            return  # an unknown rep is never ranked (refreshed when onboarded)
        team = rep_state["team_id"]
        schemes, scheme = self._schemes(view, label, team)
        targeted = {owner: (self._rule(view, TARGETS_OF, label, owner) or {"indicators": []})["indicators"]
                    for owner in (f"rep:{rep}", f"team:{team}")}
        if indicators is not None and view.text(TOTAL, label, rep) is not None:
            scored = indicators & {i["key"] for i in scheme["indicators"]} if scheme else set()
            if not any(i in PERCENT_INDICATORS or i not in BUILT_IN or any(i in found for found in targeted.values())
                       for i in scored):
                return  # as Rules.target: no target for any indicator the change can move, so no score moves
        rules = Rules(period=period, reps={rep: rep_state}, teams={}, schemes=schemes, targets={}, fx={},
                      base_currency=self.base)
        for owner, found_indicators in targeted.items():
            for indicator in found_indicators:
                found = view.get(TARGET, label, f"{owner}:{indicator}")
                if found is not None:
                    rules.targets[f"{owner}:{indicator}"] = Decimal(found["value"])
        monthly = {m: f for m in months if (f := view.get(FACTS, m, rep)) is not None}
        if not monthly:
            return  # no facts: scored at query time
        currencies = {c for f in monthly.values() for money in (f["revenue"], f["new_customer_revenue"]) for c in money}
        currencies.discard(self.base)
        for currency in sorted(currencies):
            for pair in (f"{currency}/{self.base}", f"{self.base}/{currency}"):
                rates = self._rule(view, FX, "", pair)
                if rates is not None:
                    rules.fx[pair] = rates
        value: State = {"total": total(rules, rep, monthly), "unconverted": sorted(rules.unconverted)}
        if view.get(TOTAL, label, rep) != value:
            view.put(TOTAL, label, rep, value)

    def _schemes(self, view: View, label: str, team: str) -> tuple[list[State], State | None]:
        """Every scheme version and the one in force for the team in the period. Scheme versions are immutable
        rows named in the list row, so its text identifies them all and the answer is kept per text."""
        listed = view.text(SCHEME, ALL, "")
        key = (listed, label, team)
        found = self._in_force.get(key)
        if found is None:
            keys = orjson.loads(listed)["keys"] if listed is not None else []
            schemes = [s for k in keys if (s := self._rule(view, SCHEME, "", k))]
            scheme = Rules(period=_period(label)[0], reps={}, teams={}, schemes=schemes, targets={}, fx={}).scheme(team)
            if len(self._in_force) > 4096:
                self._in_force.clear()
            found = self._in_force[key] = (schemes, scheme)
        return found

    def _rule(self, view: View, kind: str, part: str, key: str) -> Any:
        """A rule state, parsed once per stored text (read only)."""
        text = view.text(kind, part, key)
        if text is None:
            return None
        parsed = self._parsed.get(text)
        if parsed is None:
            if len(self._parsed) > 4096:
                self._parsed.clear()
            parsed = self._parsed[text] = orjson.loads(text)
        return parsed

    def _refresh_all(self, view: View, labels: list[str]) -> None:
        if not labels:
            return
        reps = sorted((view.get(ROSTER, "", "") or {"reps": {}})["reps"])
        for label in labels:
            for rep in reps:
                self.refresh(view, label, rep)

    @staticmethod
    def _labels(view: View) -> list[str]:
        return list((view.get(PERIODS, "", "") or {"labels": []})["labels"])

    @staticmethod
    def _note(view: View, label: str) -> None:
        found: dict[str, Any] = view.get(PERIODS, "", "") or {"labels": []}
        if label not in found["labels"]:
            found["labels"] = sorted([*found["labels"], label])
            view.put(PERIODS, "", "", found)
