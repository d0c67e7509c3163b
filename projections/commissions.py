"""Commission facts: plans and their versions, assignments, deals per credited rep, rates, runs, disputes.

The fold keeps facts, not results: statements are computed from these rows by ledger/commissions/
engine.py, so any month can be recomputed under the plan versions in force, as of any position.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.commission_plan import CommissionPlan
from ledger.deal import Deal
from ledger.dispute import Dispute
from ledger.fx_rate import FxRate
from ledger.payout import PayoutRun
from ledger.published_scorecard import PublishedScorecard
from ledger.rep import Rep
from projections.base import Projection, View, topic_of

PLAN, ASSIGN, REP, DEAL, DEAL_REPS, FX, RUN, DISPUTE, SCORECARD = (
    "plan", "assign", "rep", "deal", "deal-reps", "fx", "run", "dispute", "scorecard")
DISPUTE_INDEX, SCORECARD_INDEX = "dispute-rep", "scorecard-of"
EVENTS = (CommissionPlan.Defined, CommissionPlan.Revised, CommissionPlan.Assigned, Deal.Closed, Deal.Reversed,
          FxRate.Recorded, Rep.Onboarded, Rep.Transferred, Rep.Left, PayoutRun.Calculated, PayoutRun.Recalculated,
          PayoutRun.Approved, PayoutRun.Paid, PayoutRun.Adjusted, Dispute.Opened, Dispute.Resolved,
          PublishedScorecard.Published, PublishedScorecard.Republished)


def plain(value: Any) -> Any:
    """JSON-safe copy: Decimal, UUID, dates as strings, recursively."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


class CommissionFactsProjection(Projection):
    """One state per plan, assignee, rep, (credited rep, deal), rate pair, payout run and dispute."""

    name = "commissions"
    topics = tuple(topic_of(c) for c in EVENTS)

    def fold(self, view: View, position: int, event: Any) -> None:
        handler = getattr(self, "_" + type(event).__qualname__.replace(".", "_"))
        handler(view, position, event)

    # plans
    def _CommissionPlan_Defined(self, view: View, position: int, e: Any) -> None:
        view.put(PLAN, "", str(e.originator_id), {"name": e.name, "currency": e.currency, "versions": [
            {"version": e.originator_version, "position": position, "effective_from": e.effective_from.isoformat(),
             "rules": plain(e.rules)}]})

    def _CommissionPlan_Revised(self, view: View, position: int, e: Any) -> None:
        state = view.get(PLAN, "", str(e.originator_id))
        if state is not None:
            state["versions"].append({"version": e.originator_version, "position": position,
                                      "effective_from": e.effective_from.isoformat(), "rules": plain(e.rules)})
            view.put(PLAN, "", str(e.originator_id), state)

    def _CommissionPlan_Assigned(self, view: View, position: int, e: Any) -> None:
        state = view.get(ASSIGN, e.scope, str(e.scope_id)) or {"items": []}
        state["items"].append({"plan_id": str(e.originator_id), "starts_on": e.starts_on.isoformat(),
                               "ends_on": e.ends_on.isoformat() if e.ends_on else None, "position": position})
        view.put(ASSIGN, e.scope, str(e.scope_id), state)

    # reps
    def _Rep_Onboarded(self, view: View, position: int, e: Any) -> None:
        view.put(REP, "", str(e.originator_id), {"hired_on": e.hired_on.isoformat(), "left_on": None,
                                                 "teams": [[e.hired_on.isoformat(), str(e.team_id)]]})

    def _Rep_Transferred(self, view: View, position: int, e: Any) -> None:
        state = view.get(REP, "", str(e.originator_id))
        if state is not None:
            state["teams"].append([e.occurred_at.date().isoformat(), str(e.team_id)])
            view.put(REP, "", str(e.originator_id), state)

    def _Rep_Left(self, view: View, position: int, e: Any) -> None:
        state = view.get(REP, "", str(e.originator_id))
        if state is not None:
            state["left_on"] = e.left_on.isoformat()
            view.put(REP, "", str(e.originator_id), state)

    # deals
    def _Deal_Closed(self, view: View, position: int, e: Any) -> None:
        shares = {str(s["rep_id"]): str(s["share"]) for s in e.splits}
        state = {"position": position, "closed_on": e.closed_on.isoformat(), "amount": str(e.amount),
                 "currency": e.currency, "margin": None if e.margin is None else str(e.margin),
                 "product": e.product, "customer_type": e.customer_type, "shares": shares, "reversals": []}
        for rep in shares:
            view.put(DEAL, rep, str(e.originator_id), state)
        view.put(DEAL_REPS, "", str(e.originator_id), {"reps": sorted(shares)})

    def _Deal_Reversed(self, view: View, position: int, e: Any) -> None:
        index = view.get(DEAL_REPS, "", str(e.originator_id)) or {"reps": []}
        for rep in index["reps"]:
            state = view.get(DEAL, rep, str(e.originator_id))
            if state is not None:
                state["reversals"].append({"position": position, "on": e.occurred_at.date().isoformat(),
                                           "amount": str(e.amount)})
                view.put(DEAL, rep, str(e.originator_id), state)

    def _FxRate_Recorded(self, view: View, position: int, e: Any) -> None:
        key = f"{e.base}/{e.quote}"
        state = view.get(FX, "", key) or {"rates": []}
        state["rates"].append([e.on.isoformat(), str(e.rate), position])
        view.put(FX, "", key, state)

    # payout runs
    def _PayoutRun_Calculated(self, view: View, position: int, e: Any) -> None:
        view.put(RUN, "", str(e.originator_id), {
            "period": e.period, "team_id": str(e.team_id) if e.team_id else None, "status": "calculated",
            "currency": e.currency, "lines": plain(e.lines), "adjustments": [], "position": position})

    def _PayoutRun_Recalculated(self, view: View, position: int, e: Any) -> None:
        self._run(view, e, status="calculated", lines=plain(e.lines))

    def _PayoutRun_Approved(self, view: View, position: int, e: Any) -> None:
        self._run(view, e, status="approved")

    def _PayoutRun_Paid(self, view: View, position: int, e: Any) -> None:
        self._run(view, e, status="paid")

    def _PayoutRun_Adjusted(self, view: View, position: int, e: Any) -> None:
        state = view.get(RUN, "", str(e.originator_id))
        if state is not None:
            state["adjustments"].append(plain({
                "rep_id": e.rep_id, "amount": e.amount, "reason": e.reason, "source": e.source,
                "corrects_period": e.corrects_period, "corrects_run_id": e.corrects_run_id,
                "dispute_id": e.dispute_id, "positions": [*e.positions, position]}))
            if state["status"] == "approved":
                state["status"] = "calculated"
            view.put(RUN, "", str(e.originator_id), state)

    @staticmethod
    def _run(view: View, e: Any, **changes: Any) -> None:
        state = view.get(RUN, "", str(e.originator_id))
        if state is not None:
            state.update(changes)
            view.put(RUN, "", str(e.originator_id), state)

    # disputes and published scorecards
    def _Dispute_Opened(self, view: View, position: int, e: Any) -> None:
        view.put(DISPUTE, str(e.rep_id), str(e.originator_id), {
            "period": e.period, "status": "open", "amount": "0", "currency": e.currency, "position": position})
        view.put(DISPUTE_INDEX, "", str(e.originator_id), {"rep_id": str(e.rep_id)})

    def _Dispute_Resolved(self, view: View, position: int, e: Any) -> None:
        found = view.get(DISPUTE_INDEX, "", str(e.originator_id))
        rep = str(found["rep_id"]) if found else ""
        state = view.get(DISPUTE, rep, str(e.originator_id)) if rep else None
        if state is not None:
            state.update(status="resolved", amount=str(e.amount), position=position)
            view.put(DISPUTE, rep, str(e.originator_id), state)

    def _PublishedScorecard_Published(self, view: View, position: int, e: Any) -> None:
        view.put(SCORECARD, e.period, str(e.rep_id), {"total": None if e.total is None else str(e.total)})
        view.put(SCORECARD_INDEX, "", str(e.originator_id), {"period": e.period, "rep_id": str(e.rep_id)})

    def _PublishedScorecard_Republished(self, view: View, position: int, e: Any) -> None:
        index = view.get(SCORECARD_INDEX, "", str(e.originator_id))
        if index is not None:
            view.put(SCORECARD, index["period"], index["rep_id"], {"total": None if e.total is None else str(e.total)})

