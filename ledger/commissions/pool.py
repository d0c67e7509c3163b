"""Splitting a bonus pool exactly: shares floored to the minor unit, the residue by largest remainder."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from uuid import UUID

from ledger.money import quantum


def split_pool(amount: Decimal, currency: str, weights: dict[UUID, Decimal]) -> dict[UUID, Decimal]:
    """Shares that add up to `amount` exactly. Each rep first gets its share rounded down to the minor
    unit; the cents left over go one each to the largest remainders, ties to the larger weight, then to
    the lower rep id, so the same inputs always give the same split. Zero total weight splits equally."""
    unit = quantum(currency)
    total = sum(weights.values(), Decimal(0))
    if total <= 0:
        weights, total = {rep: Decimal(1) for rep in weights}, Decimal(len(weights))
    exact = {rep: amount * weight / total for rep, weight in weights.items()}
    shares = {rep: value.quantize(unit, rounding=ROUND_FLOOR) for rep, value in exact.items()}
    residue = int((amount - sum(shares.values(), Decimal(0))) / unit)
    order = sorted(weights, key=lambda rep: (-(exact[rep] - shares[rep]), -weights[rep], str(rep)))
    for rep in order[:residue]:
        shares[rep] += unit
    return shares
