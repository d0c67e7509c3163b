"""Small, exact-enough statistics in pure Python: Pearson, Spearman, Fisher-z intervals, Kendall's tau.

Every correlation comes back as a dict {"n", "r", "ci95", "reason"}: `r` and `ci95` are None, with a
`reason`, when they cannot be computed (fewer than 3 pairs, a constant variable) or, for the interval
alone, when n < 4 (Fisher's z needs n - 3 > 0). Nothing here raises on thin data.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any, Sequence

Z95 = NormalDist().inv_cdf(0.975)  # 1.959963984540054
MIN_N, MIN_N_CI = 3, 4
SPEARMAN_SE_FACTOR = 1.06  # Fieller, Hartley & Pearson (1957): var(z) ~ 1.06 / (n - 3) for Spearman's rho


def mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def median(values: Sequence[float]) -> float | None:
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return None
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing the average of the ranks they span (as scipy.stats.rankdata 'average')."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for k in range(start, end + 1):
            out[order[k]] = (start + end) / 2 + 1
        start = end + 1
    return out


def _pearson_r(x: Sequence[float], y: Sequence[float]) -> tuple[float | None, str | None]:
    mx, my = mean(x), mean(y)
    dx, dy = [v - mx for v in x], [v - my for v in y]
    sxx, syy = math.fsum(d * d for d in dx), math.fsum(d * d for d in dy)
    if sxx == 0:
        return None, "zero variance in the indicator"
    if syy == 0:
        return None, "zero variance in revenue"
    r = math.fsum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r)), None


def fisher_ci(r: float, n: int, se_factor: float = 1.0) -> tuple[list[float] | None, str | None]:
    """95% interval by Fisher's z: tanh(atanh(r) -/+ 1.96 * sqrt(factor / (n - 3)))."""
    if n < MIN_N_CI:
        return None, f"n = {n} < {MIN_N_CI}: no Fisher-z interval"
    if abs(r) >= 1.0:
        return [r, r], None  # a perfect correlation: atanh is infinite, the interval degenerates to the point
    z, half = math.atanh(r), Z95 * math.sqrt(se_factor / (n - 3))
    return [math.tanh(z - half), math.tanh(z + half)], None


def correlation(x: Sequence[float], y: Sequence[float], method: str = "pearson") -> dict[str, Any]:
    """Pearson's r, or Spearman's rho (Pearson's r of average ranks), with n and a 95% interval."""
    n = len(x)
    if n < MIN_N:
        return {"n": n, "r": None, "ci95": None, "reason": f"n = {n} < {MIN_N}"}
    if method == "spearman":
        x, y = ranks(x), ranks(y)
    r, reason = _pearson_r(x, y)
    if r is None:
        return {"n": n, "r": None, "ci95": None, "reason": reason}
    ci, why = fisher_ci(r, n, SPEARMAN_SE_FACTOR if method == "spearman" else 1.0)
    return {"n": n, "r": r, "ci95": ci, "reason": why}


def both(x: Sequence[float], y: Sequence[float]) -> dict[str, Any]:
    """Pearson and Spearman of the same pairs."""
    return {"n": len(x), "pearson": correlation(x, y, "pearson"), "spearman": correlation(x, y, "spearman")}


def kendall_tau(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Kendall's tau-b of two rankings of the same items (None under two items or a constant ranking)."""
    n = len(a)
    concordant = discordant = ties_a = ties_b = 0
    for i in range(n):
        for j in range(i + 1, n):
            da, db = a[i] - a[j], b[i] - b[j]
            if da == 0 and db == 0:
                continue
            if da == 0:
                ties_a += 1
            elif db == 0:
                ties_b += 1
            elif (da > 0) == (db > 0):
                concordant += 1
            else:
                discordant += 1
    denominator = math.sqrt((concordant + discordant + ties_a) * (concordant + discordant + ties_b))
    return None if n < 2 or denominator == 0 else (concordant - discordant) / denominator
