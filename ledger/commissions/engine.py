"""The commission engine: a rep's monthly statement computed from facts, every line traced to events.

Order of a month's calculation (documented in docs/commissions.md):
clawbacks of earlier deals reversed this month -> credited bookings and attainment -> commission
lines (flat-rate carve-outs, tiers or the base rate) -> new-customer bonus -> cap -> SPIFFs -> draw
and its recovery. Team pools are added per team by `team_statements`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from ledger.commissions.facts import (
    DealFacts,
    Facts,
    PlanVersion,
    days_in,
    money,
    month_of,
    month_period,
    months_between,
)
from ledger.commissions.pool import split_pool
from ledger.commissions.rules import HUNDRED, PlanRules
from ledger.commissions.statement import Statement
from ledger.commissions.statement import line as _line
from ledger.errors import RuleViolation
from ledger.periods import Period

DRAW_EARNINGS = ("commission", "new-customer-bonus", "cap", "clawback")


class Engine:
    """Pure calculation over `Facts`; results are cached per (rep, month) for one query."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._base: dict[tuple[UUID, str], Statement] = {}

    # -- one rep, one month, without team pools ------------------------------------------------
    def base_statement(self, rep_id: UUID, label: str) -> Statement:
        if (rep_id, label) not in self._base:
            rep = self.facts.reps.get(rep_id)
            first = month_of(rep.hired_on) if rep else label
            balance = Decimal(0)
            for month in months_between(min(first, label), label):  # draws carry a balance month to month
                if (rep_id, month) not in self._base:
                    self._base[(rep_id, month)] = self._month(rep_id, month, balance)
                balance = self._base[(rep_id, month)].draw_balance
        return self._base[(rep_id, label)]

    def _month(self, rep_id: UUID, label: str, balance: Decimal) -> Statement:
        period = month_period(label)
        st = Statement(rep_id, label, draw_balance=balance)
        rep = self.facts.reps.get(rep_id)
        if rep is None or not rep.employed_days(period):
            return st
        st.plan = plan = self.facts.plan_for(rep_id, rep.last_day_in(period))
        if plan is None:
            st.notes.append("no commission plan in force")
            return st
        st.currency, rules = plan.currency, plan.rules
        ramped = self._ramp_month(rep.hired_on, period, rules)
        if rules.quota is not None:
            factor = rules.ramp[ramped - 1] if ramped else Decimal(1)
            share = Decimal(rep.employed_days(period)) / Decimal(days_in(period)) if rules.prorate else Decimal(1)
            st.quota = money(rules.quota * factor * share, plan.currency)
        reduction = self._clawbacks(st, rep_id, period)
        credited = self._credited(st, rep_id, period)
        st.bookings = sum((c[1] for c in credited), Decimal(0)) - reduction
        if st.quota:
            st.attainment = (st.bookings / st.quota * HUNDRED).quantize(Decimal("0.01"))
        self._commission(st, credited, reduction, accelerate=not ramped)
        self._bonus_and_cap(st, credited, rules)
        self._spiffs(st, credited)
        self._draw(st, rules)
        return st

    @staticmethod
    def _ramp_month(hired_on: date, period: Period, rules: PlanRules) -> int:
        """1-based tenure month while the ramp lasts, else 0."""
        index = (period.start.year - hired_on.year) * 12 + period.start.month - hired_on.month + 1
        return index if 1 <= index <= len(rules.ramp) else 0

    def _credited(self, st: Statement, rep_id: UUID, period: Period) -> list[tuple[DealFacts, Decimal, PlanVersion, list[int | None]]]:
        """This month's deals: (deal, credited base in payroll currency, plan version on the deal date, positions)."""
        out = []
        deals = sorted((d for d in self.facts.deals.get(rep_id, []) if period.contains(d.closed_on)),
                       key=lambda d: (d.closed_on, d.position))
        for deal in deals:
            version = self.facts.plan_for(rep_id, deal.closed_on)
            if version is None:
                st.notes.append(f"deal {deal.deal_id}: no plan in force on {deal.closed_on}")
                continue
            self._same_currency(st, version, deal)
            same_month = [r for r in deal.reversals if period.contains(r.on)]
            net = deal.amount - sum((r.amount for r in same_month), Decimal(0))
            gross = self._basis(deal, version) * net / deal.amount
            converted, _, fx_position = self.facts.convert(gross, deal.currency, version.currency, deal.closed_on)
            base = money(converted * deal.shares[rep_id] / HUNDRED, version.currency)
            positions = [deal.position, version.position, fx_position, *(r.position for r in same_month)]
            out.append((deal, base, version, positions))
        return out

    @staticmethod
    def _same_currency(st: Statement, version: PlanVersion, deal: DealFacts) -> None:
        if version.currency != st.currency:
            raise RuleViolation(
                f"deal {deal.deal_id} falls under a plan paid in {version.currency}, the month's plan pays in "
                f"{st.currency}", code="mixed-payroll-currencies",
                errors={"plan": ["a rep's plans within one month must share a payroll currency"]})

    @staticmethod
    def _basis(deal: DealFacts, version: PlanVersion) -> Decimal:
        if version.rules.basis == "revenue":
            return deal.amount
        if deal.margin is None:
            raise RuleViolation(f"deal {deal.deal_id} has no margin but plan {version.name!r} pays on margin",
                                code="missing-margin", errors={"margin": [f"deal {deal.deal_id} has no margin"]})
        return deal.margin

    def _clawbacks(self, st: Statement, rep_id: UUID, period: Period) -> Decimal:
        """Negative lines for earlier months' deals reversed this month within their plan's window;
        returns the bookings the reversals take off this month's attainment."""
        reduction = Decimal(0)
        for deal in self.facts.deals.get(rep_id, []):
            if period.contains(deal.closed_on):
                continue
            for rev in (r for r in deal.reversals if period.contains(r.on)):
                version = self.facts.plan_for(rep_id, deal.closed_on)
                window = version.rules.clawback_days if version else None
                if version is None or window is None or (rev.on - deal.closed_on).days > window:
                    st.notes.append(f"deal {deal.deal_id} reversed on {rev.on}: outside any clawback window")
                    continue
                original = self.base_statement(rep_id, month_of(deal.closed_on))
                paid_on_deal = original.deal_total(deal.deal_id)
                assert st.currency is not None
                share = rev.amount / deal.amount
                corrects = self.paid_run(rep_id, month_of(deal.closed_on))
                st.lines.append(_line(
                    "clawback", -paid_on_deal * share, st.currency, version=version, deal_id=deal.deal_id,
                    rule=f"clawback within {window} days", base=paid_on_deal, rate=-share,
                    positions=[deal.position, rev.position, version.position],
                    corrects_period=month_of(deal.closed_on), corrects_run_id=corrects))
                if version.rules.clawback_reduces_attainment:
                    converted, _, _ = self.facts.convert(self._basis(deal, version) * share, deal.currency,
                                                         st.currency, deal.closed_on)
                    reduction += money(converted * deal.shares[rep_id] / HUNDRED, st.currency)
        return reduction

    def paid_run(self, rep_id: UUID, label: str) -> UUID | None:
        for run in self.facts.runs:
            if run.period == label and run.status == "paid" and any(ln["rep_id"] == rep_id for ln in run.lines):
                return run.run_id
        return None

    def _commission(self, st: Statement, credited: list[tuple[DealFacts, Decimal, PlanVersion, list[int | None]]],
                    reduction: Decimal, *, accelerate: bool) -> None:
        assert st.currency is not None
        cursor = -reduction  # bookings fill the bands from here; a clawed-back amount must be earned again
        for deal, base, version, positions in credited:
            rules = version.rules
            flat = rules.rate_rule(deal.product, deal.customer_type)
            if flat is not None or rules.tiers is None or not st.quota:
                rate, rule = (flat.rate, flat.label()) if flat else (rules.base_rate, "base rate")
                st.lines.append(_line("commission", base * rate, st.currency, version=version, rule=rule, base=base,
                                      rate=rate, deal_id=deal.deal_id, positions=positions))
                cursor += base
                continue
            tiers, quota = rules.tiers, st.quota
            if tiers.mode == "retroactive":
                index = tiers.band_at(st.attainment if st.attainment is not None else Decimal(0))
                rate = self._band_rate(rules, index, accelerate)
                st.lines.append(_line("commission", base * rate, st.currency, version=version, base=base, rate=rate,
                                      rule=f"retroactive tier {index + 1} ({tiers.bands[index].label()})",
                                      deal_id=deal.deal_id, positions=positions))
                cursor += base
                continue
            for index, band in enumerate(tiers.bands):  # marginal: each slice at its band's rate
                low = money(quota * band.low / HUNDRED, st.currency) if index else None
                high = money(quota * band.high / HUNDRED, st.currency) if band.high is not None else None
                start = cursor if low is None else max(cursor, low)
                end = cursor + base if high is None else min(cursor + base, high)
                if end > start:
                    rate = self._band_rate(rules, index, accelerate)
                    st.lines.append(_line("commission", (end - start) * rate, st.currency, version=version,
                                          base=end - start, rate=rate, deal_id=deal.deal_id, positions=positions,
                                          rule=f"marginal tier {index + 1} ({band.label()})"))
            cursor += base

    @staticmethod
    def _band_rate(rules: PlanRules, index: int, accelerate: bool) -> Decimal:
        """A band's rate; during a ramp, bands above quota pay no more than the band at quota."""
        assert rules.tiers is not None
        bands = rules.tiers.bands
        if accelerate or bands[index].low < HUNDRED:
            return bands[index].rate
        at_quota = next(i for i, b in enumerate(bands) if b.high is None or b.high >= HUNDRED)
        return min(bands[index].rate, bands[at_quota].rate)

    @staticmethod
    def _bonus_and_cap(st: Statement, credited: list[tuple[DealFacts, Decimal, PlanVersion, list[int | None]]],
                       rules: PlanRules) -> None:
        assert st.currency is not None
        for deal, base, version, positions in credited:
            bonus = version.rules
            if deal.customer_type != "new" or base <= 0:
                continue
            if bonus.bonus_flat is not None:
                share = deal.shares[st.rep_id] / HUNDRED
                st.lines.append(_line("new-customer-bonus", bonus.bonus_flat * share, st.currency, version=version,
                                      rule="new-customer bonus (flat)", base=bonus.bonus_flat, rate=share,
                                      deal_id=deal.deal_id, positions=positions))
            elif bonus.bonus_percent is not None:
                st.lines.append(_line("new-customer-bonus", base * bonus.bonus_percent, st.currency, version=version,
                                      rule="new-customer bonus (%)", base=base, rate=bonus.bonus_percent,
                                      deal_id=deal.deal_id, positions=positions))
        if rules.cap is not None:
            subtotal = sum((ln["amount"] for ln in st.lines if ln["kind"] in ("commission", "new-customer-bonus")),
                           Decimal(0))
            if subtotal > rules.cap:
                st.lines.append(_line("cap", rules.cap - subtotal, st.currency, version=st.plan,
                                      rule=f"cap {rules.cap}", base=subtotal,
                                      positions=[st.plan.position if st.plan else None]))

    @staticmethod
    def _spiffs(st: Statement, credited: list[tuple[DealFacts, Decimal, PlanVersion, list[int | None]]]) -> None:
        assert st.currency is not None
        for deal, base, version, positions in credited:
            for spiff in version.rules.spiffs:
                if base > 0 and spiff.qualifies(deal.closed_on, deal.product, deal.customer_type):
                    share = deal.shares[st.rep_id] / HUNDRED
                    st.lines.append(_line("spiff", spiff.amount * share, st.currency, version=version,
                                          rule=f"SPIFF {spiff.name} ({spiff.starts_on}..{spiff.ends_on})",
                                          base=spiff.amount, rate=share, deal_id=deal.deal_id, positions=positions))

    @staticmethod
    def _draw(st: Statement, rules: PlanRules) -> None:
        """A guaranteed minimum: top up to the draw; recover a recoverable balance from earnings above it."""
        assert st.currency is not None
        earnings = sum((ln["amount"] for ln in st.lines if ln["kind"] in DRAW_EARNINGS), Decimal(0))
        floor = rules.draw if rules.draw is not None else Decimal(0)
        position = [st.plan.position if st.plan else None]
        if rules.draw is not None and earnings < rules.draw:
            top_up = money(rules.draw - earnings, st.currency)
            st.lines.append(_line("draw", top_up, st.currency, version=st.plan, base=earnings, positions=position,
                                  rule="draw (recoverable)" if rules.draw_recoverable else "draw (guaranteed)"))
            if rules.draw_recoverable:
                st.draw_balance += top_up
        elif st.draw_balance > 0 and earnings > floor:
            recovered = min(st.draw_balance, earnings - floor)
            st.lines.append(_line("draw-recovery", -recovered, st.currency, version=st.plan, base=earnings,
                                  rule=f"draw recovery (balance {st.draw_balance})", positions=position))
            st.draw_balance -= recovered

    # -- teams ----------------------------------------------------------------------------------
    def team_statements(self, team_id: UUID, label: str) -> dict[UUID, Statement]:
        """Every member's month with the team pool, if the team reached its target, split among them."""
        period = month_period(label)
        members = self.facts.members(team_id, period)
        statements = {rep: self._copy(self.base_statement(rep, label)) for rep in members}
        plan = self.facts.team_plan(team_id, period.end)
        if plan is None or plan.rules.pool_target is None or not statements:
            return statements
        rules = plan.rules
        eligible = {rep: st for rep, st in statements.items() if st.currency == plan.currency}
        bookings = sum((st.bookings for st in eligible.values()), Decimal(0))
        if bookings < (rules.pool_target or 0) or not eligible or not rules.pool_amount:
            return statements
        weights = {rep: self._weight(rules.pool_split, st) for rep, st in eligible.items()}
        for rep, amount in split_pool(rules.pool_amount, plan.currency, weights).items():
            eligible[rep].lines.append(_line(
                "team-pool", amount, plan.currency, version=plan, base=rules.pool_amount, rate=None,
                rule=f"team pool: team bookings {bookings} >= target {rules.pool_target}, split by {rules.pool_split}",
                positions=[plan.position], weight=weights[rep]))
        return statements

    def _weight(self, split: str, st: Statement) -> Decimal:
        if split == "bookings":
            return max(st.bookings, Decimal(0))
        if split == "attainment":
            return max(st.attainment or Decimal(0), Decimal(0))
        if split == "scorecard":
            return max(self.facts.scorecards.get((st.rep_id, st.period), Decimal(0)), Decimal(0))
        return Decimal(1)

    def statement(self, rep_id: UUID, label: str) -> Statement:
        """A rep's full month: the base statement plus the pool share of the team the rep ends it in."""
        period = month_period(label)
        rep = self.facts.reps.get(rep_id)
        team = rep.team_on(rep.last_day_in(period)) if rep else None
        if team is None:
            return self.base_statement(rep_id, label)
        return self.team_statements(team, label).get(rep_id) or self.base_statement(rep_id, label)

    @staticmethod
    def _copy(st: Statement) -> Statement:
        return Statement(st.rep_id, st.period, st.currency, st.plan, st.quota, st.bookings, st.attainment,
                         [dict(line) for line in st.lines], st.draw_balance, list(st.notes))
