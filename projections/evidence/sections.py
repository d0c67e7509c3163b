"""The bundle's readable sections, each a pure function of the collected events: scorecards, allocation, contract."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.contract import Contract
from ledger.kpi_scheme import KpiScheme
from ledger.periods import Period
from ledger.published_scorecard import PublishedScorecard
from ledger.target import Target
from projections.evidence.collect import Collected, Item
from projections.evidence.records import payload, when
from projections.feed import plain

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def quantile(values: list[Decimal], share: Decimal) -> Decimal:
    """Linear interpolation between closest ranks (the "inclusive" method), exact in decimals."""
    ordered = sorted(values)
    h = (len(ordered) - 1) * share
    low = int(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (h - low)


def spread(values: list[Decimal]) -> dict[str, Any]:
    """Count, minimum, quartiles, median, maximum and mean, as decimal strings to the cent."""
    if not values:
        return {"n": 0, "min": None, "q1": None, "median": None, "q3": None, "max": None, "mean": None}
    q = {name: str(quantile(values, Decimal(share)).quantize(CENT))
         for name, share in (("q1", "0.25"), ("median", "0.5"), ("q3", "0.75"))}
    return {"n": len(values), "min": str(min(values).quantize(CENT)), **q, "max": str(max(values).quantize(CENT)),
            "mean": str((sum(values, Decimal(0)) / len(values)).quantize(CENT))}


def _streams(items: list[Item], *kinds: type) -> dict[UUID, list[Item]]:
    found: dict[UUID, list[Item]] = {}
    for item in items:
        if isinstance(item.event, kinds):
            stream: UUID = item.event.originator_id  # type: ignore[attr-defined]  # every ledger event has one
            found.setdefault(stream, []).append(item)
    return found


def targets_for(c: Collected, period: str, team: str | None) -> list[dict[str, Any]]:
    """Targets (set and changed) of the rep or of their team for exactly this period, with when the rep was told."""
    bounds, found = Period.parse(period), []
    for stream in _streams(c.items, Target.Set, Target.Changed).values():
        first = stream[0].event
        if not isinstance(first, Target.Set) or first.period != period:
            continue
        if (first.scope, str(first.scope_id)) not in (("rep", str(c.rep_id)), ("team", team)):
            continue
        for item in stream:
            told = item.event.occurred_at.date()
            found.append({**when(item), "scope": first.scope, "indicator": first.indicator,
                          "value": str(item.event.value), "reason": item.event.reason,
                          "told_before_period_start": told <= bounds.start, "told_before_period_end": told <= bounds.end})
    return sorted(found, key=lambda t: t["position"])


def scheme_for(c: Collected, reference: dict[str, Any] | None, period: str) -> dict[str, Any] | None:
    """The KPI scheme version a published scorecard names, with when it was recorded."""
    if not reference:
        return None
    for item in c.items:
        e = item.event
        if isinstance(e, (KpiScheme.Defined, KpiScheme.Revised)) and str(e.originator_id) == reference["scheme_id"] \
                and e.originator_version == reference["version"]:
            told = e.occurred_at.date() <= Period.parse(period).end
            return {**when(item), "scheme_id": reference["scheme_id"], "version": reference["version"], "name": e.name,
                    "effective_from": plain(e.effective_from), "indicators": plain(e.indicators),
                    "told_before_period_end": told}
    return {"scheme_id": reference["scheme_id"], "version": reference["version"], "position": None}


def _rank(c: Collected, period: str, team: str | None) -> tuple[int | None, int]:
    scored = [(Decimal(str(p["total"])), rep) for rep, p in c.published.get(period, {}).items()
              if p["team_id"] == team and p["total"] is not None]
    ordered = [rep for _, rep in sorted(scored, key=lambda t: (-t[0], t[1]))]
    return (ordered.index(str(c.rep_id)) + 1 if str(c.rep_id) in ordered else None), len(ordered)


def scorecards(c: Collected) -> dict[str, Any]:
    """Each period's scorecard as published (and any republication), the team's spread, scheme and targets."""
    periods = []
    for stream in _streams(c.items, PublishedScorecard.Published, PublishedScorecard.Republished).values():
        first, latest = stream[0].event, stream[-1].event
        if not isinstance(first, PublishedScorecard.Published):
            continue
        team = latest.figures.get("team_id")
        totals = [Decimal(str(p["total"])) for p in c.published.get(first.period, {}).values()
                  if p["team_id"] == team and p["total"] is not None]
        rank, of = _rank(c, first.period, team)
        periods.append({
            "period": first.period, "team_id": team,
            "published": {**when(stream[0]), "total": plain(first.total), "figures": plain(first.figures)},
            "republished": [{**when(i), "total": plain(i.event.total), "previous_total": plain(i.event.previous_total),
                             "reason": i.event.reason} for i in stream[1:]],
            "total": plain(latest.total), "below_target": None if latest.total is None else latest.total < HUNDRED,
            "team_distribution": spread(totals), "rank": rank, "of": of,
            "scheme": scheme_for(c, latest.figures.get("scheme"), first.period),
            "targets": targets_for(c, first.period, team),
        })
    periods.sort(key=lambda p: (Period.parse(p["period"]).start, p["period"]))
    return {"rep_id": str(c.rep_id), "threshold": "100 (a total below 100 means below target)", "periods": periods}


def allocation(c: Collected) -> dict[str, Any]:
    """Customers the rep received from the pool in the range, beside the other members of their team."""
    rep = str(c.rep_id)
    peers = sorted(r for r, team in c.members.items() if team == c.team and r != rep
                   and not (r in c.left_on and c.left_on[r] < c.start))
    mine = c.received.get(rep, [])
    others = [Decimal(len(c.received.get(r, []))) for r in peers]
    spread_of_others = spread(others)
    median = spread_of_others["median"]
    by_level: dict[str, int] = {}
    for received in mine:
        by_level[received["level"] or "?"] = by_level.get(received["level"] or "?", 0) + 1
    won = [p for p in c.candidacies.get(rep, []) if any(r["position"] == p for r in mine)]
    return {
        "from": c.start.isoformat(), "to": c.end.isoformat(), "team_id": c.team,
        "rep": {"received": len(mine), "claimed": sum(r["how"] == "claimed" for r in mine),
                "assigned": sum(r["how"] == "assigned" for r in mine), "by_level": dict(sorted(by_level.items())),
                "rule_candidacies": len(c.candidacies.get(rep, [])), "rule_assignments_won": len(won),
                "customers": mine},
        "team_others": {**spread_of_others, "per_member": {r: len(c.received.get(r, [])) for r in peers}},
        "difference_from_median": None if median is None else str((Decimal(len(mine)) - Decimal(median)).quantize(CENT)),
        "below_team_median": None if median is None else Decimal(len(mine)) < Decimal(median),
    }


def contracts(c: Collected) -> dict[str, Any]:
    """Each contract of the rep: terms as signed, amendments with both signatures, renewals and termination."""
    found = []
    kinds = (Contract.Signed, Contract.AmendmentProposed, Contract.AmendmentSigned, Contract.Renewed, Contract.Terminated)
    for stream in _streams(c.items, *kinds).values():
        signed = stream[0]
        entry: dict[str, Any] = {"contract_id": str(signed.event.originator_id),
                                 "signed": {**when(signed), "terms": payload(signed.event, c.rep_id)},
                                 "amendments": [], "renewals": [], "termination": None}
        amendments: dict[str, dict[str, Any]] = {}
        for item in stream[1:]:
            e, fact = item.event, {**when(item), **payload(item.event, c.rep_id)}
            if isinstance(e, Contract.AmendmentProposed):
                amendments[str(e.amendment_id)] = {"amendment_id": str(e.amendment_id), "proposed": fact,
                                                   "signatures": [], "in_force": False}
                entry["amendments"].append(amendments[str(e.amendment_id)])
            elif isinstance(e, Contract.AmendmentSigned) and str(e.amendment_id) in amendments:
                amendment = amendments[str(e.amendment_id)]
                amendment["signatures"].append(fact)
                amendment["in_force"] = {s["party"] for s in amendment["signatures"]} == {"employer", "employee"}
            elif isinstance(e, Contract.Renewed):
                entry["renewals"].append(fact)
            elif isinstance(e, Contract.Terminated):
                entry["termination"] = fact
        found.append(entry)
    return {"rep_id": str(c.rep_id), "contracts": found}
