"""Scorecard facts: per rep and month, the raw numbers every indicator is computed from.

The fold only accumulates facts (revenue per currency, follow-ups, scores, ...), in the month of each
event's business time; weights, targets, cohorts and exchange rates are applied when a scorecard is
asked for (projections/scoring.py), under the rules recorded up to the moment asked about.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ledger.complaint import Complaint
from ledger.deal import Deal
from ledger.followup import FollowUp
from ledger.fx_rate import FxRate
from ledger.group import Group
from ledger.kpi_scheme import KpiScheme
from ledger.rep import Rep
from ledger.score import Score
from ledger.target import Target
from ledger.team import Team
from ledger.training import Training
from projections.base import Projection, State, View, text, topic_of
from projections.scorecard_totals import Totals

FACTS, REP, TEAM, GROUP, SCHEME, TARGET, FX, DEAL, CONTACT, SCORE = (
    "facts", "rep", "team", "group", "scheme", "target", "fx", "deal", "contact", "score")
EVENTS = (Rep.Onboarded, Rep.Transferred, Rep.Left, Team.Created, Group.Formed, Group.MembersChanged,
          KpiScheme.Defined, KpiScheme.Revised, Target.Set, Target.Changed, FxRate.Recorded, Deal.Closed,
          Deal.Reversed, FollowUp.Logged, Score.Recorded, Score.Corrected, Training.Completed, Complaint.Recorded)


FOLLOW_UP_INDICATORS = frozenset({"follow_ups", "visits", "proposals", "win_rate"})


def month_of(moment: datetime) -> str:
    return f"{moment.year}-{moment.month:02d}"


def empty_facts() -> State:
    return {"revenue": {}, "new_customer_revenue": {}, "deal_count": 0, "buyers": {}, "follow_ups": 0, "visits": 0,
            "proposals": 0, "cycle_days": "0", "cycle_deals": 0, "scores": {}, "training_hours": "0", "complaints": 0}


def _add(money: dict[str, str], currency: str, amount: Decimal) -> None:
    money[currency] = str(Decimal(money.get(currency, "0")) + amount)


class ScorecardProjection(Projection):
    """Facts per (month, rep), plus the organisation, the rules and the targets, all versioned by position."""

    name = "scorecards"
    topics = tuple(topic_of(e) for e in EVENTS)

    def __init__(self, base_currency: str = "CNY") -> None:
        self.totals = Totals(base_currency)  # each rep's total per month and quarter (scorecard_totals.py)

    def fold(self, view: View, position: int, event: Any) -> None:
        handler = getattr(self, f"_{type(event).__qualname__.replace('.', '_')}", None)
        if handler is not None:
            self.totals.started(view, position)
            handler(view, position, event)

    def _facts(self, view: View, month: str, rep: str, facts: State, indicators: frozenset[str] | None = None) -> None:
        """Put a rep's facts of a month; `indicators`: the only indicators the change can move (None: any)."""
        view.put(FACTS, month, rep, facts)
        self.totals.facts_changed(view, month, rep, indicators)

    # organisation
    def _Rep_Onboarded(self, view: View, position: int, e: Any) -> None:
        view.put(REP, "", str(e.originator_id), {"name": e.name, "team_id": str(e.team_id),
                                                  "hired_on": text(e.hired_on), "active": True})
        self.totals.rep_changed(view, str(e.originator_id), str(e.team_id))

    def _Rep_Transferred(self, view: View, position: int, e: Any) -> None:
        rep = view.get(REP, "", str(e.originator_id))
        self._update(view, REP, "", str(e.originator_id), team_id=str(e.team_id))
        if rep is not None:
            self.totals.rep_changed(view, str(e.originator_id), str(e.team_id), rep["team_id"])

    def _Rep_Left(self, view: View, position: int, e: Any) -> None:
        self._update(view, REP, "", str(e.originator_id), active=False, left_on=text(e.left_on))

    def _Team_Created(self, view: View, position: int, e: Any) -> None:
        view.put(TEAM, "", str(e.originator_id), {"name": e.name})

    def _Group_Formed(self, view: View, position: int, e: Any) -> None:
        view.put(GROUP, "", str(e.originator_id), {"name": e.name, "period": e.period,
                                                    "member_ids": [str(m) for m in e.member_ids]})

    def _Group_MembersChanged(self, view: View, position: int, e: Any) -> None:
        group = view.get(GROUP, "", str(e.originator_id))
        if group is not None:
            removed = {str(m) for m in e.removed}
            kept = [m for m in group["member_ids"] if m not in removed]
            group["member_ids"] = kept + [str(m) for m in e.added if str(m) not in kept]
            view.put(GROUP, "", str(e.originator_id), group)

    # rules and targets
    def _KpiScheme_Defined(self, view: View, position: int, e: Any) -> None:
        view.put(SCHEME, "scope", str(e.originator_id), {"team_ids": [str(t) for t in e.team_ids]})
        self._scheme(view, position, e, [str(t) for t in e.team_ids])

    def _KpiScheme_Revised(self, view: View, position: int, e: Any) -> None:
        scope = view.get(SCHEME, "scope", str(e.originator_id)) or {"team_ids": []}
        self._scheme(view, position, e, scope["team_ids"])

    def _scheme(self, view: View, position: int, e: Any, team_ids: list[str]) -> None:
        view.put(SCHEME, "", f"{e.originator_id}@{e.originator_version}", {
            "scheme_id": str(e.originator_id), "version": e.originator_version, "name": e.name,
            "team_ids": team_ids, "cap": str(e.cap),
            "effective_from": text(e.effective_from), "position": position,
            "indicators": [{"key": i["key"], "dimension": i["dimension"], "weight": str(i["weight"])} for i in e.indicators],
            "cohorts": [{"name": c["name"], "max_tenure_months": c["max_tenure_months"],
                         "weights": {k: str(v) for k, v in c["weights"].items()}} for c in e.cohorts]})
        self.totals.schemes_changed(view, f"{e.originator_id}@{e.originator_version}")

    def _Target_Set(self, view: View, position: int, e: Any) -> None:
        view.put(TARGET, e.period, f"{e.scope}:{e.scope_id}:{e.indicator}", {"value": str(e.value)})
        view.put(TARGET, "@", str(e.originator_id), {"address": [e.period, f"{e.scope}:{e.scope_id}:{e.indicator}"]})
        self.totals.target_changed(view, e.period, f"{e.scope}:{e.scope_id}:{e.indicator}")

    def _Target_Changed(self, view: View, position: int, e: Any) -> None:
        where = view.get(TARGET, "@", str(e.originator_id))
        if where is not None:
            view.put(TARGET, where["address"][0], where["address"][1], {"value": str(e.value)})
            self.totals.target_changed(view, where["address"][0], where["address"][1])

    def _FxRate_Recorded(self, view: View, position: int, e: Any) -> None:
        pair = f"{e.base}/{e.quote}"
        rates = view.get(FX, "", pair) or {"rates": {}}
        rates["rates"][text(e.on)] = str(e.rate)
        view.put(FX, "", pair, rates)
        self.totals.rate_changed(view, pair, e.on)

    # facts
    def _Deal_Closed(self, view: View, position: int, e: Any) -> None:
        shares = [[str(s["rep_id"]), str(s["share"])] for s in e.splits] or [[str(e.rep_id), "100"]]
        view.put(DEAL, "", str(e.originator_id), {"shares": shares, "currency": e.currency,
                                                   "customer_id": str(e.customer_id), "customer_type": e.customer_type})
        month = month_of(e.occurred_at)
        for rep, share in shares:
            facts = view.get(FACTS, month, rep) or empty_facts()
            amount = e.amount * Decimal(share) / 100
            _add(facts["revenue"], e.currency, amount)
            if e.customer_type == "new":
                _add(facts["new_customer_revenue"], e.currency, amount)
            facts["deal_count"] += 1
            customer = str(e.customer_id)
            facts["buyers"][customer] = facts["buyers"].get(customer, 0) + 1
            contact = view.get(CONTACT, "", f"{rep}|{customer}")
            if contact is not None:
                days = (e.occurred_at - datetime.fromisoformat(contact["first_at"])).days
                facts["cycle_days"] = str(Decimal(facts["cycle_days"]) + max(days, 0))
                facts["cycle_deals"] += 1
            self._facts(view, month, rep, facts)

    def _Deal_Reversed(self, view: View, position: int, e: Any) -> None:
        deal = view.get(DEAL, "", str(e.originator_id))
        if deal is None:
            return
        month = month_of(e.occurred_at)
        for rep, share in deal["shares"]:
            facts = view.get(FACTS, month, rep) or empty_facts()
            amount = e.amount * Decimal(share) / 100
            _add(facts["revenue"], e.currency, -amount)
            if deal["customer_type"] == "new":
                _add(facts["new_customer_revenue"], e.currency, -amount)
            self._facts(view, month, rep, facts)

    def _FollowUp_Logged(self, view: View, position: int, e: Any) -> None:
        rep, month = str(e.rep_id), month_of(e.occurred_at)
        facts = view.get(FACTS, month, rep) or empty_facts()
        facts["follow_ups"] += 1
        facts["visits"] += e.kind == "visit"
        facts["proposals"] += e.kind == "proposal"
        self._facts(view, month, rep, facts, FOLLOW_UP_INDICATORS)
        contact_key = f"{rep}|{e.customer_id}"
        contact = view.get(CONTACT, "", contact_key)
        if contact is None or datetime.fromisoformat(contact["first_at"]) > e.occurred_at:
            view.put(CONTACT, "", contact_key, {"first_at": text(e.occurred_at)})

    def _Score_Recorded(self, view: View, position: int, e: Any) -> None:
        percent = e.value * 100 / e.scale
        month = month_of(e.occurred_at)
        view.put(SCORE, "", str(e.originator_id), {"rep": str(e.rep_id), "indicator": e.indicator, "month": month,
                                                    "scale": str(e.scale), "percent": str(percent)})
        self._score_delta(view, month, str(e.rep_id), e.indicator, percent, 1)

    def _Score_Corrected(self, view: View, position: int, e: Any) -> None:
        score = view.get(SCORE, "", str(e.originator_id))
        if score is None:
            return
        percent = e.value * 100 / Decimal(score["scale"])
        self._score_delta(view, score["month"], score["rep"], score["indicator"], percent - Decimal(score["percent"]), 0)
        score["percent"] = str(percent)
        view.put(SCORE, "", str(e.originator_id), score)

    def _score_delta(self, view: View, month: str, rep: str, indicator: str, delta: Decimal, count: int) -> None:
        facts = view.get(FACTS, month, rep) or empty_facts()
        total, n = facts["scores"].get(indicator, ["0", 0])
        facts["scores"][indicator] = [str(Decimal(total) + delta), n + count]
        self._facts(view, month, rep, facts)

    def _Training_Completed(self, view: View, position: int, e: Any) -> None:
        rep, month = str(e.rep_id), month_of(e.occurred_at)
        facts = view.get(FACTS, month, rep) or empty_facts()
        facts["training_hours"] = str(Decimal(facts["training_hours"]) + e.hours)
        self._facts(view, month, rep, facts, frozenset({"training_hours"}))

    def _Complaint_Recorded(self, view: View, position: int, e: Any) -> None:
        rep, month = str(e.rep_id), month_of(e.occurred_at)
        facts = view.get(FACTS, month, rep) or empty_facts()
        facts["complaints"] += 1
        self._facts(view, month, rep, facts, frozenset({"complaints"}))

    @staticmethod
    def _update(view: View, kind: str, part: str, key: str, **changes: Any) -> None:
        state = view.get(kind, part, key)
        if state is not None:
            view.put(kind, part, key, {**state, **changes})
