"""Scorecard, team, group and leaderboard queries, each answered as of any moment of the ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger.errors import NotFound
from ledger.periods import Period
from projections.readside import Moment, ReadSide
from projections.scorecards import FACTS, FX, GROUP, REP, SCHEME, TARGET, TEAM
from projections.scoring import Rules, eligible, months_of, q, rank, scorecard

NAME = "scorecards"


class Scorecards:
    """Reads the scorecard projection; every answer names the ledger position it reflects."""

    def __init__(self, read_side: ReadSide, base_currency: str = "CNY") -> None:
        self.rs, self.base_currency = read_side, base_currency

    def _rules(self, period: Period, moment: Moment) -> Rules:
        def rows(kind: str, part: str | None = None) -> dict[str, Any]:
            return {key: state for _, key, state in self.rs.rows(NAME, kind, moment, part=part)}

        return Rules(period=period, reps=rows(REP, ""), teams=rows(TEAM, ""), schemes=list(rows(SCHEME, "").values()),
                     targets={k: Decimal(v["value"]) for k, v in rows(TARGET, period.label).items()},
                     fx=rows(FX, ""), base_currency=self.base_currency)

    def _cards(self, period: Period, moment: Moment) -> tuple[Rules, dict[str, dict[str, Any]]]:
        rules = self._rules(period, moment)
        monthly: dict[str, dict[str, Any]] = {}
        for month in months_of(period):
            for _, rep_id, facts in self.rs.rows(NAME, FACTS, moment, part=month):
                monthly.setdefault(rep_id, {})[month] = facts
        cards = {rep_id: scorecard(rules, rep_id, monthly.get(rep_id, {})) for rep_id in eligible(rules)}
        return rules, cards

    def _stamp(self, body: dict[str, Any], moment: Moment, rules: Rules) -> dict[str, Any]:
        body.update(position=moment.position, as_of=moment.at.isoformat(),
                    unconverted_currencies=sorted(rules.unconverted))
        return body

    def rep(self, rep_id: str, period_label: str, moment: Moment) -> dict[str, Any]:
        period = Period.parse(period_label)
        rules, cards = self._cards(period, moment)
        if rep_id not in rules.reps:
            raise NotFound(f"no rep with id {rep_id} at position {moment.position}")
        card = cards.get(rep_id) or scorecard(rules, rep_id, {})
        team = [c for c in cards.values() if c["team_id"] == card["team_id"]]
        card["rank"] = {"company": _place(rank(list(cards.values())), rep_id),
                        "team": _place(rank(team), rep_id)}
        return self._stamp(card, moment, rules)

    def leaderboard(self, period_label: str, moment: Moment, *, team_id: str | None = None,
                    group_id: str | None = None) -> dict[str, Any]:
        period = Period.parse(period_label)
        rules, cards = self._cards(period, moment)
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
        rules, cards = self._cards(period, moment)
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
        rules, cards = self._cards(period, moment)
        group = self._group(group_id, moment)
        members = [cards[m] for m in group["member_ids"] if m in cards]
        body = {"group_id": group_id, "name": group["name"], "period": period.label, **_summary(members, rules)}
        return self._stamp(body, moment, rules)

    def _group(self, group_id: str, moment: Moment) -> dict[str, Any]:
        found = self.rs.rows(NAME, GROUP, moment, part="", key=group_id)
        if not found:
            raise NotFound(f"no group with id {group_id} at position {moment.position}")
        return found[0][2]


def _place(places: list[dict[str, Any]], rep_id: str) -> dict[str, Any] | None:
    return next(({k: p[k] for k in ("rank", "of", "percentile")} for p in places if p["rep_id"] == rep_id), None)


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

