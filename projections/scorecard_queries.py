"""Scorecard, team, group and leaderboard queries, each answered as of any moment of the ledger."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from ledger.errors import NotFound
from ledger.periods import Period
from projections.readside import Moment, ReadSide
from projections.scorecard_totals import META, TOTAL, kept
from projections.scorecards import FACTS, FX, GROUP, REP, SCHEME, TARGET, TEAM
from projections.scoring import Rules, eligible, months_of, q, rank, scorecard, total
from projections.store import read_rows

NAME = "scorecards"


CACHED = 64  # (period, position) answers kept: a period's cards and ranks, computed once per ledger position


Facts = dict[str, dict[str, Any]]  # rep -> month -> facts


@dataclass
class _Period:
    """One period as the ledger stood at one position: its rules, the ranks (company and per team, from the
    totals alone) and, read and worked out on first need, the facts and every full card."""

    rules: Rules
    eligible: list[str]
    company: dict[str, dict[str, Any]]
    teams: dict[str, dict[str, dict[str, Any]]]
    facts: Callable[[str | None], Facts]  # the monthly facts of one rep, or of every rep (None)
    _monthly: Facts | None = None
    _cards: dict[str, dict[str, Any]] | None = None

    def card(self, rep_id: str) -> dict[str, Any]:
        """The rep's own card, fresh (the caller may change it); a rep not employed in the period gets the
        card of no facts."""
        if self._cards is not None and rep_id in self._cards:
            return copy.deepcopy(self._cards[rep_id])
        if rep_id not in self.company:
            return scorecard(self.rules, rep_id, {})
        monthly = self._monthly if self._monthly is not None else self.facts(rep_id)
        return scorecard(self.rules, rep_id, monthly.get(rep_id, {}))

    @property
    def monthly(self) -> Facts:
        if self._monthly is None:
            self._monthly = self.facts(None)
        return self._monthly

    @property
    def cards(self) -> dict[str, dict[str, Any]]:
        if self._cards is None:
            monthly = self.monthly
            self._cards = {r: scorecard(self.rules, r, monthly.get(r, {})) for r in self.eligible}
        return self._cards


class Scorecards:
    """Reads the scorecard projection; every answer names the ledger position it reflects.

    A period's cards and ranks depend only on the projection's rows as they stood at the position asked
    about, and those never change once the projection has passed it: they are computed once per
    (period, position) and kept (the last CACHED of them). A new event is a new position, so a cached
    answer is never stale; tests/integration/test_scorecard_cache.py compares it with the recomputation.
    """

    def __init__(self, read_side: ReadSide, base_currency: str = "CNY", *, cached: int = CACHED) -> None:
        self.rs, self.base_currency, self.cached = read_side, base_currency, cached
        self._cache: OrderedDict[tuple[str, int], _Period] = OrderedDict()
        self._lock = threading.Lock()
        self._complete_from: set[int] = set()  # META totals_from values found to cover the whole ledger

    def _read(self, moment: Moment, wanted: list[tuple[str, str]],
              key: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
        """Rows of several (kind, part) at the moment: one position check and one transaction, not one each."""
        runner = self.rs.runner(NAME)
        position = runner.position()
        if position < moment.position:
            runner.catch_up()
            position = runner.position()
        as_of = None if moment.position >= position else moment.position
        with self.rs.db.transaction(write=False) as cur:
            return {(kind, part): {k: state for _, k, state in read_rows(cur, NAME, kind, part=part, key=key, as_of=as_of)}
                    for kind, part in wanted}

    def _rules(self, period: Period, rows: dict[tuple[str, str], dict[str, Any]]) -> Rules:
        return Rules(period=period, reps=rows[REP, ""], teams=rows[TEAM, ""], schemes=list(rows[SCHEME, ""].values()),
                     targets={k: Decimal(v["value"]) for k, v in rows[TARGET, period.label].items()},
                     fx=rows[FX, ""], base_currency=self.base_currency)

    def _facts(self, period: Period, moment: Moment, rep_id: str | None) -> Facts:
        """Each rep's facts per month at the moment (one rep's, or everyone's)."""
        months = months_of(period)
        rows = self._read(moment, [(FACTS, month) for month in months], key=rep_id)
        monthly: Facts = {}
        for month in months:
            for found, facts in rows[FACTS, month].items():
                monthly.setdefault(found, {})[month] = facts
        return monthly

    def _inputs(self, period: Period, moment: Moment) -> tuple[Rules, Facts]:
        """The period's rules and each rep's facts per month, read from the rows at the moment."""
        rows = self._read(moment, [(REP, ""), (TEAM, ""), (SCHEME, ""), (TARGET, period.label), (FX, "")])
        return self._rules(period, rows), self._facts(period, moment, None)

    def _totals(self, period: Period, moment: Moment) -> tuple[Rules, list[dict[str, Any]]] | None:
        """The rules and every eligible rep's total from the totals the fold keeps (scorecard_totals.py); None
        when it keeps none for this period or the rows were not all folded by code that keeps them."""
        if not kept(period.label):
            return None
        rows = self._read(moment, [(REP, ""), (TEAM, ""), (SCHEME, ""), (TARGET, period.label), (FX, ""), (META, ""),
                                   (TOTAL, period.label)])
        if not self._complete(rows[META, ""].get("")):
            return None
        rules, stored = self._rules(period, rows), rows[TOTAL, period.label]
        totals = []
        for rep_id in eligible(rules):
            row = stored.get(rep_id)
            if row is None:  # no facts in the period: scored as such
                value = total(rules, rep_id, {})
            else:
                value = row["total"]
                rules.unconverted.update(row["unconverted"])
            totals.append({"rep_id": rep_id, "team_id": rules.reps[rep_id]["team_id"], "total": value})
        return rules, totals

    def _complete(self, meta: dict[str, Any] | None) -> bool:
        """Totals are complete when the fold kept them from the first event it reads (a projection folded partly
        by earlier code is not, until rebuilt) and in the currency asked for."""
        if meta is None or meta.get("base_currency") != self.base_currency:
            return False
        since = int(meta["totals_from"])
        if since not in self._complete_from:
            topics = list(self.rs.runner(NAME).projection.topics)
            if since > 1 and self.rs.app.recorder.select_notifications(start=1, limit=1, stop=since - 1, topics=topics):
                return False
            self._complete_from.add(since)
        return True

    def _period(self, period: Period, moment: Moment) -> _Period:
        key = (period.label, moment.position)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        kept_totals = self._totals(period, moment)
        monthly: Facts | None = None
        if kept_totals is None:
            rules, monthly = self._inputs(period, moment)
            totals = [{"rep_id": r, "team_id": rules.reps[r]["team_id"], "total": total(rules, r, monthly.get(r, {}))}
                      for r in eligible(rules)]
        else:
            rules, totals = kept_totals
        by_team: dict[str, list[dict[str, Any]]] = {}
        for entry in totals:
            by_team.setdefault(entry["team_id"], []).append(entry)
        found = _Period(rules, [t["rep_id"] for t in totals], {p["rep_id"]: p for p in rank(totals)},
                        {team: {p["rep_id"]: p for p in rank(members)} for team, members in by_team.items()},
                        lambda rep_id: self._facts(period, moment, rep_id), monthly)
        with self._lock:
            self._cache[key] = found
            while len(self._cache) > self.cached:
                self._cache.popitem(last=False)
        return found

    def period_cards(self, period: Period, moment: Moment) -> tuple[Rules, dict[str, dict[str, Any]]]:
        """Every eligible rep's card for the period as the ledger stood at the moment, and the rules they were
        scored under; cached, so callers must not change them (rep() copies the one it answers with)."""
        found = self._period(period, moment)
        return found.rules, found.cards

    def _stamp(self, body: dict[str, Any], moment: Moment, rules: Rules) -> dict[str, Any]:
        body.update(position=moment.position, as_of=moment.at.isoformat(),
                    unconverted_currencies=sorted(rules.unconverted))
        return body

    def rep(self, rep_id: str, period_label: str, moment: Moment) -> dict[str, Any]:
        period = Period.parse(period_label)
        found = self._period(period, moment)
        rules = found.rules
        if rep_id not in rules.reps:
            raise NotFound(f"no rep with id {rep_id} at position {moment.position}")
        card = found.card(rep_id)
        card["rank"] = {"company": _placed(found.company.get(rep_id)),
                        "team": _placed(found.teams.get(card["team_id"], {}).get(rep_id))}
        return self._stamp(card, moment, rules)

    def leaderboard(self, period_label: str, moment: Moment, *, team_id: str | None = None,
                    group_id: str | None = None) -> dict[str, Any]:
        period = Period.parse(period_label)
        rules, cards = self.period_cards(period, moment)
        chosen = list(cards.values())
        if team_id:
            if team_id not in rules.teams:
                raise NotFound(f"no team with id {team_id} at position {moment.position}")
            chosen = [c for c in chosen if c["team_id"] == team_id]
        if group_id:
            members = self._group(group_id, moment)["member_ids"]
            chosen = [c for c in chosen if c["rep_id"] in members]
        places = {p["rep_id"]: p for p in rank(chosen)}
        entries = sorted(({"rep_id": c["rep_id"], "name": c["name"], "team_id": c["team_id"], "total": c["total"],
                           "cohort": c["cohort"], **{k: places[c["rep_id"]][k] for k in ("rank", "of", "percentile")}}
                          for c in chosen), key=lambda e: e["rank"])
        return self._stamp({"period": period.label, "team_id": team_id, "group_id": group_id, "entries": entries},
                           moment, rules)

    def team(self, team_id: str, period_label: str, moment: Moment) -> dict[str, Any]:
        period = Period.parse(period_label)
        rules, cards = self.period_cards(period, moment)
        if team_id not in rules.teams:
            raise NotFound(f"no team with id {team_id} at position {moment.position}")
        teams = {t: _summary([c for c in cards.values() if c["team_id"] == t], rules) for t in rules.teams}
        ranked = sorted((t for t in teams if teams[t]["mean_total"] is not None),
                        key=lambda t: (-Decimal(teams[t]["mean_total"]), t))
        body = {"team_id": team_id, "name": rules.teams[team_id]["name"], "period": period.label, **teams[team_id],
                "rank": ranked.index(team_id) + 1 if team_id in ranked else None, "of": len(ranked)}
        return self._stamp(body, moment, rules)

    def group(self, group_id: str, period_label: str, moment: Moment) -> dict[str, Any]:
        period = Period.parse(period_label)
        rules, cards = self.period_cards(period, moment)
        group = self._group(group_id, moment)
        members = [cards[m] for m in group["member_ids"] if m in cards]
        body = {"group_id": group_id, "name": group["name"], "period": period.label, **_summary(members, rules)}
        return self._stamp(body, moment, rules)

    def _group(self, group_id: str, moment: Moment) -> dict[str, Any]:
        found = self.rs.rows(NAME, GROUP, moment, part="", key=group_id)
        if not found:
            raise NotFound(f"no group with id {group_id} at position {moment.position}")
        return found[0][2]


def _placed(place: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if place is None else {k: place[k] for k in ("rank", "of", "percentile")}


def _summary(cards: list[dict[str, Any]], rules: Rules) -> dict[str, Any]:
    """Members ranked, the mean of their totals and their summed revenue (and revenue target)."""
    scored = [Decimal(c["total"]) for c in cards if c["total"] is not None]
    revenue = sum((Decimal(c["actuals"]["revenue"] or 0) for c in cards), Decimal(0))
    targets = [rules.target(c["rep_id"], "revenue") for c in cards]
    target = sum((t for t in targets if t), Decimal(0)) or None
    places = {p["rep_id"]: p for p in rank(cards)}
    return {"members": [{"rep_id": c["rep_id"], "name": c["name"], "total": c["total"], "rank": places[c["rep_id"]]["rank"]}
                        for c in sorted(cards, key=lambda c: places[c["rep_id"]]["rank"])],
            "mean_total": q(sum(scored, Decimal(0)) / len(scored)) if scored else None,
            "revenue": q(revenue), "revenue_target": q(target),
            "attainment": q(100 * revenue / target) if target else None}

