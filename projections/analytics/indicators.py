"""Which indicators move revenue: correlations per indicator, the suggested weights, and the what-if ranking."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from projections.analytics import stats, weights
from projections.analytics.observations import Observation, Panel, value_of
from projections.scoring import LOWER_IS_BETTER, q, rank

WHAT_IF_MONTHS = 6  # the what-if replays the range's last six months at most


def pairs(rows: list[Observation], key: str, use_score: bool) -> tuple[list[float], list[float]]:
    """(indicator, revenue) over the observations where the indicator has a value (or a score)."""
    xs, ys = [], []
    for row in rows:
        x = row.scores.get(key) if use_score else value_of(row, key)
        if x is not None:
            xs.append(x)
            ys.append(row.revenue)
    return xs, ys


def correlations(panel: Panel) -> list[dict[str, Any]]:
    """For every indicator of the scheme: Pearson and Spearman of its value and of its score with revenue."""
    if panel.scheme is None:
        return []
    found = []
    for indicator in panel.scheme["indicators"]:
        key = indicator["key"]
        found.append({"key": key, "dimension": indicator["dimension"], "lower_is_better": key in LOWER_IS_BETTER,
                      "current_weight": indicator["weight"],
                      "value": stats.both(*pairs(panel.rows, key, use_score=False)),
                      "score": stats.both(*pairs(panel.rows, key, use_score=True))})
    return found


def basis(rows: list[dict[str, Any]]) -> dict[str, float]:
    """The weight basis: Pearson r of the indicator's value with revenue, sign-flipped where lower is better;
    an indicator without a correlation counts 0 (and so gets the minimum)."""
    found = {}
    for row in rows:
        r = row["value"]["pearson"]["r"]
        found[row["key"]] = 0.0 if r is None else (-r if row["lower_is_better"] else r)
    return found


def suggested_weights(panel: Panel, rows: list[dict[str, Any]]) -> dict[str, Any]:
    base = basis(rows)
    low, high = weights.bounds_for(len(base))
    suggested = weights.suggest(base)
    for row in rows:
        row["suggested_weight"] = suggested.get(row["key"])
    scheme = panel.scheme
    return {"min": low, "max": high, "basis": base, "suggested": suggested,
            "current": {i["key"]: i["weight"] for i in scheme["indicators"]} if scheme else {},
            "scheme": {k: scheme[k] for k in ("scheme_id", "version", "name", "effective_from", "applies")}
            if scheme else None,
            "cohorts": [c["name"] for c in scheme["cohorts"]] if scheme else []}


def reweighed_total(card: dict[str, Any], suggested: dict[str, int]) -> str | None:
    """The card's total under other weights: the weight-average of the indicators that could be scored."""
    weighted, used = Decimal(0), Decimal(0)
    for indicator in card["indicators"]:
        weight = Decimal(suggested.get(indicator["key"], 0))
        if indicator["score"] is not None and weight:
            weighted += Decimal(indicator["score"]) * weight
            used += weight
    return q(weighted / used) if used else None


def what_if(panel: Panel, suggested: dict[str, int]) -> list[dict[str, Any]]:
    """Each of the last months ranked as recorded and again under the suggested weights; nothing is written."""
    if not suggested:
        return []
    by_month = panel.by_month()
    found = []
    for month in panel.months[-WHAT_IF_MONTHS:]:
        cards = [row.card for row in by_month[month].values()]
        now = {p["rep_id"]: p["rank"] for p in rank(cards)}
        totals = {c["rep_id"]: reweighed_total(c, suggested) for c in cards}
        then = {p["rep_id"]: p["rank"] for p in rank([{"rep_id": r, "total": t} for r, t in totals.items()])}
        reps = sorted(now, key=lambda r: now[r])
        entries = [{"rep_id": r, "name": by_month[month][r].card["name"], "total_current": by_month[month][r].card["total"],
                    "total_suggested": totals[r], "rank_current": now[r], "rank_suggested": then[r],
                    "change": now[r] - then[r]} for r in reps]
        found.append({"period": month, "reps": len(reps), "moved": sum(1 for e in entries if e["change"]),
                      "kendall_tau": stats.kendall_tau([now[r] for r in reps], [then[r] for r in reps]),
                      "entries": entries})
    return found


def training_growth(panel: Panel) -> dict[str, Any]:
    """Training hours in a month against the rep's revenue growth the next month, (next - this) / this;
    pairs whose first month has no positive revenue are left out (growth is undefined)."""
    by_month = panel.by_month()
    hours, growth, excluded = [], [], 0
    for this, following in zip(panel.months, panel.months[1:], strict=False):
        for rep_id, row in by_month[this].items():
            later = by_month[following].get(rep_id)
            if later is None:
                continue
            if row.revenue <= 0:
                excluded += 1
                continue
            hours.append(float(row.card["actuals"]["training_hours"]))
            growth.append((later.revenue - row.revenue) / row.revenue)
    return {"definition": "training hours in month m vs (revenue m+1 - revenue m) / revenue m, per rep",
            "excluded_pairs": excluded, **stats.both(hours, growth)}
