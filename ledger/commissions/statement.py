"""A rep's month as the engine states it: lines, totals and the figures behind them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.commissions.facts import PlanVersion, money

DEAL_KINDS = ("commission", "new-customer-bonus", "spiff")  # lines a clawback takes back pro rata


@dataclass
class Statement:
    """One rep's month: its lines, totals and the figures behind them."""

    rep_id: UUID
    period: str
    currency: str | None = None
    plan: PlanVersion | None = None
    quota: Decimal | None = None
    bookings: Decimal = Decimal(0)
    attainment: Decimal | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)
    draw_balance: Decimal = Decimal(0)
    notes: list[str] = field(default_factory=list)

    @property
    def earned(self) -> Decimal:
        return sum((line["amount"] for line in self.lines), Decimal(0))

    def deal_total(self, deal_id: UUID) -> Decimal:
        return sum((line["amount"] for line in self.lines if line.get("deal_id") == deal_id
                    and line["kind"] in DEAL_KINDS), Decimal(0))


def line(kind: str, amount: Decimal, currency: str, *, version: PlanVersion | None, rule: str,
          base: Decimal | None = None, rate: Decimal | None = None, deal_id: UUID | None = None,
          positions: list[int | None] | None = None, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "deal_id": deal_id, "rule": rule,
            "plan_id": version.plan_id if version else None, "plan_version": version.version if version else None,
            "base": base, "rate": rate, "amount": money(amount, currency), "currency": currency,
            "positions": sorted({p for p in (positions or []) if p}), **extra}
