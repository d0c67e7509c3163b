"""Commission queries: statements, payout-run calculations and what-if simulations over the facts."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any, Iterable
from uuid import UUID

from ledger.commissions.engine import Engine
from ledger.commissions.facts import (
    Assignment,
    DealFacts,
    DisputeFacts,
    Facts,
    PlanVersion,
    RepFacts,
    Reversal,
    RunFacts,
    money,
    month_period,
    months_between,
)
from ledger.commissions.rules import PlanRules
from ledger.commissions.statement import Statement
from ledger.errors import Invalid, NotFound, RuleViolation, UnknownReference
from ledger.money import check_currency
from projections import commissions as c
from projections.readside import Moment, ReadSide

NAME = c.CommissionFactsProjection.name
SIM_PLAN = UUID(int=0)
MAX_SIMULATED_MONTHS = 36


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


class Commissions:
    """Reads the commission facts as of a moment and hands them to the engine."""

    def __init__(self, read_side: ReadSide) -> None:
        self.read_side = read_side

    # -- facts -------------------------------------------------------------------------------------
    def facts(self, moment: Moment, reps: Iterable[UUID] | None = None) -> Facts:
        """Every plan, assignment, rep, rate, run, dispute and published total; deals of `reps` (all if None)."""
        rows = self.read_side.rows
        facts = Facts()
        for _, key, state in rows(NAME, c.PLAN, moment):
            facts.plans[UUID(key)] = [PlanVersion(
                UUID(key), state["name"], state["currency"], v["version"], v["position"],
                date.fromisoformat(v["effective_from"]), PlanRules.parse(v["rules"])) for v in state["versions"]]
        for part, key, state in rows(NAME, c.ASSIGN, moment):
            target = facts.rep_assignments if part == "rep" else facts.team_assignments
            target[UUID(key)] = [Assignment(UUID(a["plan_id"]), date.fromisoformat(a["starts_on"]),
                                            _day(a["ends_on"]), a["position"]) for a in state["items"]]
        for _, key, state in rows(NAME, c.REP, moment):
            facts.reps[UUID(key)] = RepFacts(UUID(key), date.fromisoformat(state["hired_on"]), _day(state["left_on"]),
                                             tuple((date.fromisoformat(d), UUID(t)) for d, t in state["teams"]))
        for _, key, state in rows(NAME, c.FX, moment):
            base, quote = key.split("/")
            facts.fx[(base, quote)] = [(date.fromisoformat(d), Decimal(r), p) for d, r, p in state["rates"]]
        for _, key, state in rows(NAME, c.RUN, moment):
            facts.runs.append(RunFacts(UUID(key), state["period"], UUID(state["team_id"]) if state["team_id"] else None,
                                       state["status"], tuple(_typed(x) for x in state["lines"]),
                                       tuple(_typed(x) for x in state["adjustments"])))
        for part, key, state in rows(NAME, c.DISPUTE, moment):
            facts.disputes.append(DisputeFacts(UUID(key), UUID(part), state["period"], state["status"],
                                               Decimal(state["amount"]), state["currency"], state["position"]))
        for part, key, state in rows(NAME, c.SCORECARD, moment):
            if state["total"] is not None:
                facts.scorecards[(UUID(key), part)] = Decimal(state["total"])
        wanted = None if reps is None else {str(r) for r in reps}
        for part, key, state in rows(NAME, c.DEAL, moment):
            if wanted is None or part in wanted:
                facts.deals.setdefault(UUID(part), []).append(_deal(key, state))
        return facts

    def engine(self, moment: Moment) -> Engine:
        return Engine(self.facts(moment))

    # -- statements --------------------------------------------------------------------------------
    def statement(self, rep_id: UUID, period: str, as_of: str | int | None = None) -> dict[str, Any]:
        month_period(period)
        moment = self.read_side.moment(as_of)
        engine = self.engine(moment)
        if rep_id not in engine.facts.reps:
            raise NotFound(f"no rep with id {rep_id}")
        st = engine.statement(rep_id, period)
        found = statement_json(st)
        paid = paid_for(engine.facts, rep_id, period)
        if st.currency:
            paid = money(paid, st.currency)
        return {**found, "paid": paid, "due": found["earned"] - paid, "as_of": moment.position,
                "as_of_time": moment.at, "disputes": [
                    {"id": d.dispute_id, "status": d.status, "amount": d.amount, "position": d.position}
                    for d in engine.facts.disputes if d.rep_id == rep_id and d.period == period]}

    def dispute_command(self, command: Any, data: dict[str, Any]) -> Any:
        """An OpenDispute for a line that exists on the rep's statement, in the statement's currency."""
        found = self.statement(data["rep_id"], data["period"])
        if data["line_id"] not in {line["line_id"] for line in found["lines"]}:
            raise Invalid(f"no line {data['line_id']} on the {data['period']} statement",
                          errors={"line_id": ["not a line of the rep's statement for the period"]})
        return command(**data, currency=found["currency"])

    # -- payout runs -------------------------------------------------------------------------------
    def calculation(self, team_id: UUID, period: str, run_id: UUID | None = None) -> dict[str, Any]:
        """A team's month as lines, plus the adjustments still owed for closed months and disputes."""
        month_period(period)
        moment = self.read_side.moment()
        engine = self.engine(moment)
        members = engine.facts.members(team_id, month_period(period))
        statements = engine.team_statements(team_id, period)
        currencies = {st.currency for st in statements.values() if st.currency}
        if len(currencies) > 1:
            raise RuleViolation(f"team {team_id} is paid in {', '.join(sorted(currencies))} in {period}",
                                code="mixed-payroll-currencies",
                                errors={"team_id": ["one payout run pays one currency; align the plans' currencies"]})
        lines = [{**line, "rep_id": rep} for rep in members for line in statement_json(statements[rep])["lines"]]
        adjustments = [a for rep in members for a in corrections(engine, rep, period, run_id)]
        if not lines and not adjustments and run_id is None:
            raise RuleViolation(f"nothing to pay for team {team_id} in {period}", code="nothing-to-pay",
                                errors={"period": ["no commission lines or adjustments"]})
        currency = currencies.pop() if currencies else _currency_of(engine, members, period)
        return {"currency": currency, "lines": lines, "adjustments": adjustments, "through_position": moment.position}

    # -- what-if -----------------------------------------------------------------------------------
    def simulate(self, *, currency: str, rules: dict[str, Any], period_from: str, period_to: str,
                 plan_id: UUID | None, team_id: UUID | None) -> dict[str, Any]:
        """Every rep's pay under the draft beside the actual; writes nothing."""
        check_currency(currency)
        draft = PlanRules.parse(rules)
        month_period(period_from), month_period(period_to)
        if period_to < period_from:
            raise Invalid("period_to is before period_from", errors={"period_to": ["not before period_from"]})
        if len(months_between(period_from, period_to)) > MAX_SIMULATED_MONTHS:
            raise Invalid(f"simulate at most {MAX_SIMULATED_MONTHS} months at a time",
                          errors={"period_to": [f"at most {MAX_SIMULATED_MONTHS} months after period_from"]})
        moment = self.read_side.moment()
        actual = self.engine(moment)
        facts = self.facts(moment)
        if plan_id is not None and plan_id not in facts.plans:  # a reference in the body: 409, as for commands
            raise UnknownReference(f"no commission-plan with id {plan_id}",
                                   errors={"plan_id": ["unknown commission-plan"]})
        first = date.fromisoformat(period_from + "-01")
        version = PlanVersion(SIM_PLAN, "draft", currency, 1, 0, date(1900, 1, 1), draft)
        facts.plans[SIM_PLAN] = [version]
        if plan_id is not None:  # the draft replaces that plan wherever it is assigned
            facts.plans[plan_id] = [PlanVersion(plan_id, "draft", currency, 0, 0, date(1900, 1, 1), draft)]
        else:  # the draft applies to every rep (of the team) over the range
            for rep in facts.reps:  # a rep's own assignment starting later would win over the draft: drop it
                kept = [a for a in facts.rep_assignments.get(rep, []) if a.starts_on < first]
                facts.rep_assignments[rep] = [*kept, Assignment(SIM_PLAN, first, None, 1 << 62)]
        simulated = Engine(facts)
        rows: list[dict[str, Any]] = []
        for period in months_between(period_from, period_to):
            for rep in sorted(facts.reps, key=str):
                if team_id is not None and facts.reps[rep].team_on(facts.reps[rep].last_day_in(month_period(period))) != team_id:
                    continue
                was, now = actual.statement(rep, period), simulated.statement(rep, period)
                if not was.lines and not now.lines:
                    continue
                paid_in = now.currency or was.currency
                before, after = (money(x, paid_in) if paid_in else x for x in (was.earned, now.earned))
                rows.append({"rep_id": rep, "period": period, "currency": paid_in, "actual": before,
                             "simulated": after, "difference": after - before})
        was_total = sum((r["actual"] for r in rows), Decimal(0))
        now_total = sum((r["simulated"] for r in rows), Decimal(0))
        return {"as_of": moment.position, "rows": rows,
                "totals": {"actual": was_total, "simulated": now_total, "difference": now_total - was_total}}


def _currency_of(engine: Engine, members: list[UUID], period: str) -> str:
    for rep in members:
        plan = engine.facts.plan_for(rep, month_period(period).end)
        if plan is not None:
            return plan.currency
    raise RuleViolation("no member of the team has a commission plan", code="nothing-to-pay",
                        errors={"team_id": ["no member has a plan in force"]})


def _typed(item: dict[str, Any]) -> dict[str, Any]:
    out = dict(item)
    out["rep_id"] = UUID(item["rep_id"])
    out["amount"] = Decimal(item["amount"])
    return out


def _deal(key: str, state: dict[str, Any]) -> DealFacts:
    return DealFacts(
        UUID(key), state["position"], date.fromisoformat(state["closed_on"]), Decimal(state["amount"]),
        state["currency"], None if state["margin"] is None else Decimal(state["margin"]), state["product"],
        state["customer_type"], {UUID(r): Decimal(s) for r, s in state["shares"].items()},
        tuple(Reversal(r["position"], date.fromisoformat(r["on"]), Decimal(r["amount"])) for r in state["reversals"]))


def statement_json(st: Statement) -> dict[str, Any]:
    """A statement as the API shows it; each line gets a stable id for disputes."""
    seen: dict[str, int] = {}
    lines = []
    for line in st.lines:
        basis = f"{st.period}|{line['kind']}|{line.get('deal_id')}|{line['rule']}"
        seen[basis] = seen.get(basis, 0) + 1
        line_id = hashlib.sha256(f"{basis}|{seen[basis]}".encode()).hexdigest()[:16]
        lines.append({"line_id": line_id, **line})
    def cash(amount: Decimal) -> Decimal:
        return money(amount, st.currency) if st.currency else amount

    return {"rep_id": st.rep_id, "period": st.period, "currency": st.currency,
            "plan": None if st.plan is None else {"plan_id": st.plan.plan_id, "name": st.plan.name,
                                                  "version": st.plan.version, "position": st.plan.position},
            "quota": st.quota, "bookings": st.bookings, "attainment": st.attainment, "lines": lines,
            "earned": cash(st.earned), "draw_balance": cash(st.draw_balance), "notes": st.notes}


def paid_for(facts: Facts, rep_id: UUID, period: str) -> Decimal:
    """What paid runs gave the rep for a month: its lines there and every adjustment that corrects it."""
    total = Decimal(0)
    for run in facts.runs:
        if run.status != "paid":
            continue
        if run.period == period:
            total += sum((ln["amount"] for ln in run.lines if ln["rep_id"] == rep_id), Decimal(0))
        total += sum((a["amount"] for a in run.adjustments if a["rep_id"] == rep_id
                      and (a.get("corrects_period") or run.period) == period), Decimal(0))
    return total


def corrections(engine: Engine, rep_id: UUID, period: str, run_id: UUID | None) -> list[dict[str, Any]]:
    """Adjustments a run for `period` must carry for a rep: each closed (paid) earlier month recomputed
    against what was paid and already corrected, and every resolved dispute not yet in any run."""
    facts, out = engine.facts, []
    closed: dict[str, UUID] = {}
    for run in facts.runs:
        if run.status == "paid" and run.period < period and any(ln["rep_id"] == rep_id for ln in run.lines):
            closed.setdefault(run.period, run.run_id)
    for month, paid_run in sorted(closed.items()):
        st = engine.statement(rep_id, month)
        paid_lines = [ln for r in facts.runs if r.status == "paid" and r.period == month
                      for ln in r.lines if ln["rep_id"] == rep_id]
        accounted = sum((ln["amount"] for ln in paid_lines), Decimal(0)) + sum(
            (a["amount"] for r in facts.runs for a in r.adjustments
             if a["rep_id"] == rep_id and a.get("source") == "recalculation" and a.get("corrects_period") == month),
            Decimal(0))
        difference = st.earned - accounted
        if difference:
            known = {p for ln in paid_lines for p in ln.get("positions", [])}
            new = sorted({p for ln in st.lines for p in ln["positions"]} - known)
            out.append({"rep_id": rep_id, "amount": difference, "source": "recalculation",
                        "reason": f"{month} recomputed from the ledger: earned {st.earned}, paid and corrected "
                                  f"{accounted}", "corrects_period": month, "corrects_run_id": paid_run,
                        "positions": new})
    done = {a.get("dispute_id") for r in facts.runs for a in r.adjustments if a.get("dispute_id")}
    for d in facts.disputes:
        if d.rep_id == rep_id and d.status == "resolved" and d.amount and str(d.dispute_id) not in done:
            out.append({"rep_id": rep_id, "amount": d.amount, "source": "dispute", "dispute_id": d.dispute_id,
                        "reason": f"dispute {d.dispute_id} resolved", "corrects_period": d.period,
                        "corrects_run_id": None, "positions": [d.position]})
    return out
