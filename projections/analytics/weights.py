"""A suggested weight vector: proportional to each indicator's positive correlation with revenue, bounded,
in whole points summing to 100.

Weight_i = clamp(lambda * basis_i, MIN, MAX) with lambda chosen so the weights sum to 100 (a monotone
equation, solved by bisection); when the positive correlations cannot absorb 100 points even at MAX,
the shortfall is shared equally among the others. Bounds that cannot hold for the number of indicators
(fewer than 3 cannot reach 100 at MAX 40; more than 20 exceed 100 at MIN 5) are relaxed to 100 / 0.
Whole points come from the largest-remainder method (ties: larger basis, then key).
"""

from __future__ import annotations

import math

MIN_WEIGHT, MAX_WEIGHT, TOTAL = 5, 40, 100


def bounds_for(count: int, low: int = MIN_WEIGHT, high: int = MAX_WEIGHT) -> tuple[int, int]:
    """The bounds actually applied to `count` indicators (relaxed when they cannot sum to 100)."""
    return (low if count * low <= TOTAL else 0), (high if count * high >= TOTAL else TOTAL)


def _clamped(lam: float, basis: dict[str, float], low: float, high: float) -> dict[str, float]:
    return {k: min(max(lam * b, low), high) for k, b in basis.items()}


def continuous(basis: dict[str, float], low: float, high: float) -> dict[str, float]:
    """Real-valued weights in [low, high] summing to 100, proportional to basis between the bounds."""
    positive = {k: max(b, 0.0) for k, b in basis.items()}
    if not positive:
        return {}
    if not any(positive.values()):
        return {k: TOTAL / len(positive) for k in positive}
    saturated = {k: (high if b > 0 else low) for k, b in positive.items()}
    if math.fsum(saturated.values()) <= TOTAL:  # even at MAX the correlated ones leave points over
        rest = [k for k, b in positive.items() if b <= 0]
        share = (TOTAL - math.fsum(saturated[k] for k in positive if positive[k] > 0)) / len(rest)
        return {k: (share if k in rest else high) for k in positive}
    lo_lam, hi_lam = 0.0, (high + 1) / min(b for b in positive.values() if b > 0)
    for _ in range(200):
        mid = (lo_lam + hi_lam) / 2
        if math.fsum(_clamped(mid, positive, low, high).values()) < TOTAL:
            lo_lam = mid
        else:
            hi_lam = mid
    return _clamped(hi_lam, positive, low, high)


def largest_remainder(real: dict[str, float], basis: dict[str, float], high: int) -> dict[str, int]:
    """Whole points summing to 100: floors, then one point each to the largest remainders (never above high)."""
    whole = {k: math.floor(v + 1e-9) for k, v in real.items()}
    left = TOTAL - sum(whole.values())
    order = sorted(real, key=lambda k: (-(real[k] - whole[k]), -basis.get(k, 0.0), k))
    for key in order:
        if left <= 0:
            break
        if whole[key] < high:
            whole[key] += 1
            left -= 1
    return whole


def suggest(basis: dict[str, float], low: int = MIN_WEIGHT, high: int = MAX_WEIGHT) -> dict[str, int]:
    """Integer weights summing to 100 (empty when there are no indicators)."""
    if not basis:
        return {}
    low, high = bounds_for(len(basis), low, high)
    return largest_remainder(continuous(basis, low, high), basis, high)
