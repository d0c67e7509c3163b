"""Scoring: turns facts, rules and targets (as they stood at one moment) into scorecards and ranks.

An indicator scores `100 * actual / target` (lower-is-better ones `100 * target / actual`), floored at
0 and capped at the scheme's cap (120); the total is the weight-averaged score over the indicators
that could be scored; ranks are by total, descending, ties broken by rep id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Any

from ledger.periods import Period
from projections.base import State

CAP = Decimal(120)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
LOWER_IS_BETTER = {"sales_cycle_days", "complaints"}
PERCENT_INDICATORS = {"attainment"}  # default target 100 (%); manager-scored indicators too
BUILT_IN = {"revenue", "attainment", "new_customer_revenue", "repurchase_rate", "deal_count", "follow_ups", "visits",
            "proposals", "win_rate", "sales_cycle_days", "training_hours", "complaints"}


def q(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(CENT, rounding=ROUND_HALF_EVEN))


def months_of(period: Period) -> list[str]:
    months, year, month = [], period.start.year, period.start.month
    while date(year, month, 1) <= period.end:
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@dataclass
class Rules:
    """Everything a scorecard depends on besides facts, as recorded up to the moment asked about."""

    period: Period
    reps: dict[str, State]
    teams: dict[str, State]
    schemes: list[State]
    targets: dict[str, Decimal]
    fx: dict[str, State]
    base_currency: str = "CNY"
    unconverted: set[str] = field(default_factory=set)
    # answers already worked out for this period's cards (the rules never change under a Rules object)
    _schemes: dict[str, State | None] = field(default_factory=dict, repr=False, compare=False)
    _rates: dict[tuple[str, date], Decimal | None] = field(default_factory=dict, repr=False, compare=False)
    _month_ends: dict[str, date] = field(default_factory=dict, repr=False, compare=False)

    def scheme(self, team_id: str) -> State | None:
        """The version in force on the period's last day of the team's own scheme, else of a company scheme
        (latest effective date first, then latest recorded)."""
        if team_id not in self._schemes:
            self._schemes[team_id] = self._scheme(team_id)
        return self._schemes[team_id]

    def _scheme(self, team_id: str) -> State | None:
        in_force = [s for s in self.schemes if date.fromisoformat(s["effective_from"]) <= self.period.end]
        for candidates in ([s for s in in_force if team_id in s["team_ids"]], [s for s in in_force if not s["team_ids"]]):
            if candidates:
                return max(candidates, key=lambda s: (s["effective_from"], s["position"]))
        return None

    def target(self, rep_id: str, indicator: str) -> Decimal | None:
        """The rep's own target, else the team's per-rep target, else 100 for percentage indicators."""
        rep = self.reps.get(rep_id, {})
        for key in (f"rep:{rep_id}:{indicator}", f"team:{rep.get('team_id')}:{indicator}"):
            if key in self.targets:
                return self.targets[key]
        return HUNDRED if indicator in PERCENT_INDICATORS or indicator not in BUILT_IN else None

    def convert(self, money: dict[str, str], month: str) -> Decimal:
        """Sum in the base currency at each pair's latest rate on or before the month's last day."""
        total = Decimal(0)
        month_end = self._month_ends.get(month)
        if month_end is None:
            month_end = self._month_ends[month] = months_end(month)
        for currency, amount in money.items():
            rate = Decimal(1) if currency == self.base_currency else self.rate(currency, month_end)
            if rate is None:
                self.unconverted.add(currency)
                continue
            total += Decimal(amount) * rate
        return total

    def rate(self, currency: str, on: date) -> Decimal | None:
        if (currency, on) not in self._rates:
            self._rates[currency, on] = self._rate(currency, on)
        return self._rates[currency, on]

    def _rate(self, currency: str, on: date) -> Decimal | None:
        direct, inverse = self.fx.get(f"{currency}/{self.base_currency}"), self.fx.get(f"{self.base_currency}/{currency}")
        for pair, invert in ((direct, False), (inverse, True)):
            if pair:
                known = [d for d in pair["rates"] if date.fromisoformat(d) <= on]
                if known:
                    rate = Decimal(pair["rates"][max(known)])
                    return 1 / rate if invert else rate
        return None


@lru_cache(maxsize=4096)
def months_end(month: str) -> date:
    return Period.parse(month).end


def tenure_months(hired_on: date, on: date) -> int:
    return (on.year - hired_on.year) * 12 + on.month - hired_on.month - (1 if on.day < hired_on.day else 0)


def actuals(rules: Rules, monthly: dict[str, State]) -> dict[str, Decimal | None]:
    """Every built-in indicator's actual value, plus the average of each manager-scored indicator (in %)."""
    revenue = sum((rules.convert(f["revenue"], m) for m, f in monthly.items()), Decimal(0))
    new_revenue = sum((rules.convert(f["new_customer_revenue"], m) for m, f in monthly.items()), Decimal(0))
    buyers: dict[str, int] = {}
    scores: dict[str, list[Decimal]] = {}
    total = {k: 0 for k in ("deal_count", "follow_ups", "visits", "proposals", "cycle_deals", "complaints")}
    cycle_days, training = Decimal(0), Decimal(0)
    for facts in monthly.values():
        for customer, count in facts["buyers"].items():
            buyers[customer] = buyers.get(customer, 0) + count
        for indicator, (value_sum, count) in facts["scores"].items():
            acc = scores.setdefault(indicator, [Decimal(0), Decimal(0)])
            acc[0] += Decimal(value_sum)
            acc[1] += count
        for key in total:
            total[key] += int(facts[key])
        cycle_days += Decimal(facts["cycle_days"])
        training += Decimal(facts["training_hours"])
    values: dict[str, Decimal | None] = {
        "revenue": revenue, "new_customer_revenue": new_revenue, "deal_count": Decimal(total["deal_count"]),
        "repurchase_rate": HUNDRED * sum(1 for n in buyers.values() if n >= 2) / len(buyers) if buyers else Decimal(0),
        "follow_ups": Decimal(total["follow_ups"]), "visits": Decimal(total["visits"]),
        "proposals": Decimal(total["proposals"]),
        "win_rate": HUNDRED * total["deal_count"] / total["proposals"] if total["proposals"] else None,
        "sales_cycle_days": cycle_days / total["cycle_deals"] if total["cycle_deals"] else None,
        "training_hours": training, "complaints": Decimal(total["complaints"]),
    }
    for indicator, (value_sum, count) in scores.items():
        values[indicator] = value_sum / count if count else None
    return values


def score(actual: Decimal | None, target: Decimal | None, lower_is_better: bool, cap: Decimal = CAP) -> Decimal | None:
    if actual is None or target is None or target <= 0:
        return None
    if lower_is_better:
        raw = cap if actual <= 0 else HUNDRED * target / actual
    else:
        raw = HUNDRED * actual / target
    return min(max(raw, Decimal(0)), cap)


def scorecard(rules: Rules, rep_id: str, monthly: dict[str, State]) -> dict[str, Any]:
    """One rep's scorecard for the period, without ranks."""
    rep = rules.reps[rep_id]
    scheme = rules.scheme(rep["team_id"])
    values = actuals(rules, monthly)
    revenue_target = rules.target(rep_id, "revenue")
    if revenue_target:
        values["attainment"] = HUNDRED * (values["revenue"] or Decimal(0)) / revenue_target
    else:
        values["attainment"] = None
    hired = date.fromisoformat(rep["hired_on"])
    tenure = tenure_months(hired, rules.period.end)
    card: dict[str, Any] = {"rep_id": rep_id, "name": rep["name"], "team_id": rep["team_id"], "period": rules.period.label,
                            "tenure_months": tenure, "scheme": None, "cohort": None, "indicators": [], "total": None,
                            "unscored": [], "base_currency": rules.base_currency,
                            "actuals": {key: q(value) for key, value in sorted(values.items())}}
    if scheme is None:
        return card
    cohort = next((c for c in scheme["cohorts"] if tenure < c["max_tenure_months"]), None)
    weights = {i["key"]: Decimal(i["weight"]) for i in scheme["indicators"]}
    if cohort and cohort["weights"]:
        weights = {key: Decimal(cohort["weights"].get(key, "0")) for key in weights}
    card["scheme"] = {k: scheme[k] for k in ("scheme_id", "version", "name", "effective_from", "cap")}
    card["cohort"] = cohort["name"] if cohort else None
    weighted, weight_used = Decimal(0), Decimal(0)
    rows = []
    for indicator in scheme["indicators"]:
        key = indicator["key"]
        lower = key in LOWER_IS_BETTER
        actual, target = values.get(key), rules.target(rep_id, key)
        points = score(actual, target, lower, Decimal(scheme["cap"]))
        weight = weights[key]
        if points is not None:
            weighted += points * weight
            weight_used += weight
        elif weight:
            card["unscored"].append(key)
        rows.append({"key": key, "dimension": indicator["dimension"], "lower_is_better": lower, "actual": q(actual),
                     "target": q(target), "score": q(points), "weight": q(weight), "_points": points})
    total = weighted / weight_used if weight_used else None
    for row in rows:
        points = row.pop("_points")
        share = Decimal(row["weight"]) / weight_used if weight_used and points is not None else Decimal(0)
        row["contribution"] = q(points * share) if points is not None else None
    card["indicators"], card["total"] = rows, q(total)
    return card


def total(rules: Rules, rep_id: str, monthly: dict[str, State]) -> str | None:
    """scorecard(...)["total"] alone, what ranks need: the same arithmetic without the card's rows and
    formatting (tests/integration/test_scorecard_cache.py compares the two for every rep and period)."""
    rep = rules.reps[rep_id]
    values = actuals(rules, monthly)  # first, as scorecard() does: it notes the currencies it cannot convert
    scheme = rules.scheme(rep["team_id"])
    if scheme is None:
        return None
    revenue_target = rules.target(rep_id, "revenue")
    values["attainment"] = HUNDRED * (values["revenue"] or Decimal(0)) / revenue_target if revenue_target else None
    tenure = tenure_months(date.fromisoformat(rep["hired_on"]), rules.period.end)
    cohort = next((c for c in scheme["cohorts"] if tenure < c["max_tenure_months"]), None)
    weights = {i["key"]: Decimal(i["weight"]) for i in scheme["indicators"]}
    if cohort and cohort["weights"]:
        weights = {key: Decimal(cohort["weights"].get(key, "0")) for key in weights}
    weighted, weight_used, cap = Decimal(0), Decimal(0), Decimal(scheme["cap"])
    for indicator in scheme["indicators"]:
        key = indicator["key"]
        points = score(values.get(key), rules.target(rep_id, key), key in LOWER_IS_BETTER, cap)
        if points is not None:
            weighted += points * weights[key]
            weight_used += weights[key]
    return q(weighted / weight_used) if weight_used else None


def eligible(rules: Rules) -> list[str]:
    """Reps employed at some point of the period (hired by its end, not gone before its start)."""
    found = []
    for rep_id, rep in rules.reps.items():
        if date.fromisoformat(rep["hired_on"]) > rules.period.end:
            continue
        if not rep["active"] and rep.get("left_on") and date.fromisoformat(rep["left_on"]) < rules.period.start:
            continue
        found.append(rep_id)
    return sorted(found)


def rank(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order by total descending (unscored last), ties by rep id; returns rank, of, percentile per card."""
    ordered = sorted(cards, key=lambda c: (c["total"] is None, -Decimal(c["total"] or 0), c["rep_id"]))
    n = len(ordered)
    placed = []
    for index, card in enumerate(ordered, start=1):
        percentile = HUNDRED if n == 1 else HUNDRED * (n - index) / (n - 1)
        placed.append({"rep_id": card["rep_id"], "rank": index, "of": n, "percentile": q(percentile)})
    return placed
