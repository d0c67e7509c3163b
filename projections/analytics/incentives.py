"""Personalised incentive suggestions by quadrant of result score against capability score.

A rep's dimension score for a month is the weight-average of the scores of the scheme's indicators of that
dimension that could be scored (as the scorecard does for the total); over the range it is the mean of the
months that have one. Unless every established rep has such a score for a dimension (targets missing,
say), that dimension falls back, for everyone, to the mean percentile (0-100, among the reps compared)
of the dimension's indicator values over the range (lower-is-better indicators reversed). The medians of the established reps
split the quadrants; new hires (in a scheme cohort, or under NEW_HIRE_MONTHS) get their own suggestion.
"""

from __future__ import annotations

import math
from typing import Any

from projections import pool
from projections.analytics import stats
from projections.analytics.observations import Panel, value_of
from projections.readside import ReadSide
from projections.scoring import LOWER_IS_BETTER

NEW_HIRE_MONTHS = 6
SUGGESTIONS = {
    "new_hire": ("target_bonus_and_mentor", "new hire: a target bonus on ramp quotas and a named mentor"),
    "results_over_capability": ("advanced_training", "strong results, weaker capability: advanced training"),
    "capability_over_results": ("more_pool_customers", "strong capability, weaker results: more customers from the pool"),
    "strong_both": ("stretch_targets", "strong on both: stretch targets and a role in the playbook"),
    "weaker_both": ("coaching_plan", "weaker on both: a coaching plan on follow-up habits"),
}


def _scored(panel: Panel, dimension: str) -> dict[str, float | None]:
    """Mean over the range of each rep's weight-averaged score on the dimension (None: never scorable)."""
    monthly: dict[str, list[float]] = {}
    for row in panel.rows:
        weighted = used = 0.0
        for indicator in row.card["indicators"]:
            if indicator["dimension"] == dimension and indicator["score"] is not None and float(indicator["weight"]):
                weighted += float(indicator["score"]) * float(indicator["weight"])
                used += float(indicator["weight"])
        found = monthly.setdefault(row.rep_id, [])
        if used:
            found.append(weighted / used)
    return {rep: (math.fsum(v) / len(v) if v else None) for rep, v in monthly.items()}


def _percentiles(panel: Panel, dimension: str) -> dict[str, float | None]:
    """Mean percentile of each rep's range-average value of the dimension's indicators (those of the
    scheme analysed, and any other its reps' scorecards show in that dimension)."""
    keys = {i["key"] for i in (panel.scheme or {}).get("indicators", []) if i["dimension"] == dimension}
    keys |= {i["key"] for row in panel.rows for i in row.card["indicators"] if i["dimension"] == dimension}
    reps = sorted({row.rep_id for row in panel.rows})
    marks: dict[str, list[float]] = {rep: [] for rep in reps}
    for key in sorted(keys):
        averages: dict[str, float] = {}
        for rep in reps:
            values = [v for row in panel.rows if row.rep_id == rep and (v := value_of(row, key)) is not None]
            if values:
                averages[rep] = math.fsum(values) / len(values) * (-1 if key in LOWER_IS_BETTER else 1)
        if len(averages) < 2:
            continue
        ranked = dict(zip(averages, stats.ranks(list(averages.values())), strict=True))
        for rep, place in ranked.items():
            marks[rep].append(100 * (place - 1) / (len(ranked) - 1))
    return {rep: (math.fsum(m) / len(m) if m else None) for rep, m in marks.items()}


def dimension_scores(panel: Panel, dimension: str, established: set[str]) -> tuple[str, dict[str, float | None]]:
    """Scores when every established rep has one on the dimension, else percentiles for everyone."""
    scored = _scored(panel, dimension)
    if established and all(scored.get(rep) is not None for rep in established):
        return "scores", scored
    return "percentiles", _percentiles(panel, dimension)


def holdings(read_side: ReadSide, panel: Panel) -> dict[str, int]:
    """Customers each rep holds at the moment (pool projection), read at once."""
    held: dict[str, int] = {}
    for rep_id, _, state in read_side.rows("pool", pool.HOLDING, panel.moment):
        if state.get("held"):
            held[rep_id] = held.get(rep_id, 0) + 1
    return held


def quadrant(result: float, capability: float, medians: tuple[float, float]) -> str:
    strong_result, strong_capability = result >= medians[0], capability >= medians[1]
    if strong_result and not strong_capability:
        return "results_over_capability"
    if strong_capability and not strong_result:
        return "capability_over_results"
    return "strong_both" if strong_result else "weaker_both"


def suggestions(read_side: ReadSide, panel: Panel) -> dict[str, Any]:
    """Every rep of the range with the quadrant, the suggestion and the figures that put them there."""
    cards = panel.reps()
    new = {r for r, c in cards.items() if c["cohort"] is not None or c["tenure_months"] < NEW_HIRE_MONTHS}
    result_basis, results = dimension_scores(panel, "result", set(cards) - new)
    capability_basis, capabilities = dimension_scores(panel, "capability", set(cards) - new)
    revenue: dict[str, float] = {}
    training: dict[str, float] = {}
    for row in panel.rows:
        revenue[row.rep_id] = revenue.get(row.rep_id, 0.0) + row.revenue
        training[row.rep_id] = training.get(row.rep_id, 0.0) + float(row.card["actuals"]["training_hours"])
    placed = [(x, y) for r in cards if r not in new
              if (x := results.get(r)) is not None and (y := capabilities.get(r)) is not None]
    medians = (stats.median([x for x, _ in placed]), stats.median([y for _, y in placed]))
    held, reps = holdings(read_side, panel), []
    for rep_id, card in sorted(cards.items(), key=lambda item: item[1]["name"]):
        result, capability = results.get(rep_id), capabilities.get(rep_id)
        if rep_id in new:
            where: str | None = "new_hire"
        elif result is None or capability is None or medians[0] is None or medians[1] is None:
            where = None
        else:
            where = quadrant(result, capability, (medians[0], medians[1]))
        code, text = SUGGESTIONS[where] if where else (None, "not enough scores to place this rep")
        reps.append({"rep_id": rep_id, "name": card["name"], "team_id": card["team_id"], "quadrant": where,
                     "suggestion": code, "text": text,
                     "figures": {"result_score": result, "capability_score": capability,
                                 "tenure_months": card["tenure_months"], "cohort": card["cohort"],
                                 "revenue": round(revenue[rep_id], 2), "training_hours": training[rep_id],
                                 "customers_held": held.get(rep_id, 0)}})
    return {"result_basis": result_basis, "capability_basis": capability_basis,
            "median_result": medians[0], "median_capability": medians[1],
            "new_hire_months": NEW_HIRE_MONTHS, "reps": reps}
