"""The facts a commission calculation reads, each with the ledger position of the event behind it."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.commissions.rules import PlanRules
from ledger.errors import RuleViolation
from ledger.money import ROUNDING, quantum
from ledger.periods import Period

PAY_ROUNDING = ROUNDING  # pay lines round half-up to the minor unit at line level (README, docs/commissions.md)


def money(amount: Decimal, currency: str) -> Decimal:
    """An amount rounded half-up to the currency's minor unit."""
    return amount.quantize(quantum(currency), rounding=PAY_ROUNDING)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_period(label: str) -> Period:
    period = Period.parse(label)
    if period.start.day != 1 or period.end.month != period.start.month or period.start.year != period.end.year:
        from ledger.errors import Invalid
        raise Invalid("commissions are paid by month", errors={"period": ["use a month, YYYY-MM"]})
    return period


def months_between(first: str, last: str) -> list[str]:
    """Month labels from `first` to `last` inclusive."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@dataclass(frozen=True)
class PlanVersion:
    """One version of a plan as recorded: what it says and from which day."""

    plan_id: UUID
    name: str
    currency: str
    version: int
    position: int
    effective_from: date
    rules: PlanRules


@dataclass(frozen=True)
class Assignment:
    """A plan assigned to a rep or a team for a date range (ends_on inclusive, None: open)."""

    plan_id: UUID
    starts_on: date
    ends_on: date | None
    position: int

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass(frozen=True)
class RepFacts:
    rep_id: UUID
    hired_on: date
    left_on: date | None
    teams: tuple[tuple[date, UUID], ...]  # (from day, team), in order

    def team_on(self, day: date) -> UUID | None:
        current = None
        for since, team in self.teams:
            if since <= day:
                current = team
        return current if self.teams else None

    def employed_days(self, period: Period) -> int:
        first = max(period.start, self.hired_on)
        last = min(period.end, self.left_on) if self.left_on else period.end
        return max(0, (last - first).days + 1)

    def last_day_in(self, period: Period) -> date:
        return min(period.end, self.left_on) if self.left_on and self.left_on >= period.start else period.end


@dataclass(frozen=True)
class Reversal:
    position: int
    on: date
    amount: Decimal


@dataclass(frozen=True)
class DealFacts:
    deal_id: UUID
    position: int
    closed_on: date
    amount: Decimal
    currency: str
    margin: Decimal | None
    product: str
    customer_type: str
    shares: dict[UUID, Decimal]  # rep -> percent
    reversals: tuple[Reversal, ...] = ()


@dataclass(frozen=True)
class RunFacts:
    """A payout run as recorded: its lines and adjustments, per rep."""

    run_id: UUID
    period: str
    team_id: UUID | None
    status: str
    lines: tuple[dict[str, Any], ...]
    adjustments: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class DisputeFacts:
    dispute_id: UUID
    rep_id: UUID
    period: str
    status: str
    amount: Decimal  # what the resolution adds to pay (0 when denied or open)
    currency: str
    position: int


@dataclass
class Facts:
    """Everything the engine needs, indexed for the lookups it makes."""

    plans: dict[UUID, list[PlanVersion]] = field(default_factory=dict)
    rep_assignments: dict[UUID, list[Assignment]] = field(default_factory=dict)
    team_assignments: dict[UUID, list[Assignment]] = field(default_factory=dict)
    reps: dict[UUID, RepFacts] = field(default_factory=dict)
    deals: dict[UUID, list[DealFacts]] = field(default_factory=dict)  # by credited rep
    fx: dict[tuple[str, str], list[tuple[date, Decimal, int]]] = field(default_factory=dict)
    scorecards: dict[tuple[UUID, str], Decimal] = field(default_factory=dict)
    runs: list[RunFacts] = field(default_factory=list)
    disputes: list[DisputeFacts] = field(default_factory=list)

    def version_on(self, plan_id: UUID, day: date) -> PlanVersion | None:
        found = [v for v in self.plans.get(plan_id, []) if v.effective_from <= day]
        return max(found, key=lambda v: (v.effective_from, v.version)) if found else None

    def plan_for(self, rep_id: UUID, day: date) -> PlanVersion | None:
        """The plan version in force for a rep on a day: the rep's own assignment over the team's; among
        overlapping assignments the latest start (then the latest recorded) wins."""
        rep = self.reps.get(rep_id)
        team = rep.team_on(day) if rep else None
        for pool in (self.rep_assignments.get(rep_id, []), self.team_assignments.get(team, []) if team else []):
            covering = [a for a in pool if a.covers(day)]
            if covering:
                chosen = max(covering, key=lambda a: (a.starts_on, a.position))
                return self.version_on(chosen.plan_id, day)
        return None

    def team_plan(self, team_id: UUID, day: date) -> PlanVersion | None:
        covering = [a for a in self.team_assignments.get(team_id, []) if a.covers(day)]
        if not covering:
            return None
        return self.version_on(max(covering, key=lambda a: (a.starts_on, a.position)).plan_id, day)

    def members(self, team_id: UUID, period: Period) -> list[UUID]:
        """Reps employed during the period whose team on its last day (or their last day) is the team."""
        return sorted((r.rep_id for r in self.reps.values()
                       if r.employed_days(period) and r.team_on(r.last_day_in(period)) == team_id), key=str)

    def convert(self, amount: Decimal, source: str, target: str, day: date) -> tuple[Decimal, Decimal, int | None]:
        """Amount in the target currency (unrounded), the rate used and its event position."""
        if source == target:
            return amount, Decimal(1), None
        known = [r for r in self.fx.get((source, target), []) if r[0] <= day]
        if not known:
            raise RuleViolation(
                f"no {source}/{target} exchange rate recorded on or before {day}", code="missing-fx-rate",
                errors={"fx_rate": [f"record a {source}/{target} rate effective on or before {day}"]})
        on, rate, position = max(known, key=lambda r: (r[0], r[2]))
        return amount * rate, rate, position


def days_in(period: Period) -> int:
    return calendar.monthrange(period.start.year, period.start.month)[1]
