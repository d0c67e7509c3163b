"""The analytics' statistics and weight arithmetic against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from projections.analytics import stats, weights


def test_pearson_matches_the_hand_computed_value_and_fisher_interval() -> None:
    # dx = [-2,-1,0,1,2], dy = [-2,0,1,0,1]: sxy = 6, sxx = 10, syy = 6
    found = stats.correlation([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])
    r = 6 / math.sqrt(60)
    assert found["n"] == 5 and found["r"] == pytest.approx(r, abs=1e-12) and found["reason"] is None
    half = 1.959963984540054 / math.sqrt(5 - 3)
    assert found["ci95"] == pytest.approx([math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)], abs=1e-12)


def test_spearman_uses_average_ranks_for_ties_and_the_wider_interval() -> None:
    # ranks of y = [2,4,5,4,5] are [1, 2.5, 4.5, 2.5, 4.5]: sxy = 7, sxx = 10, syy = 9
    found = stats.correlation([1, 2, 3, 4, 5], [2, 4, 5, 4, 5], "spearman")
    r = 7 / math.sqrt(90)
    assert found["r"] == pytest.approx(r, abs=1e-12)
    half = 1.959963984540054 * math.sqrt(1.06 / 2)
    assert found["ci95"][1] == pytest.approx(math.tanh(math.atanh(r) + half), abs=1e-12)


def test_ranks_share_the_average_of_tied_places() -> None:
    assert stats.ranks([10, 20, 20, 5, 20]) == [2.0, 4.0, 4.0, 1.0, 4.0]


def test_too_few_pairs_give_null_with_a_reason_not_an_error() -> None:
    assert stats.correlation([], []) == {"n": 0, "r": None, "ci95": None, "reason": "n = 0 < 3"}
    assert stats.correlation([1, 2], [3, 1])["r"] is None
    three = stats.correlation([1, 2, 3], [1, 3, 2])
    assert three["r"] == pytest.approx(0.5) and three["ci95"] is None and "n = 3 < 4" in three["reason"]


def test_constant_variables_give_null_with_the_variable_named() -> None:
    assert stats.correlation([1, 1, 1, 1], [1, 2, 3, 4])["reason"] == "zero variance in the indicator"
    assert stats.correlation([1, 2, 3, 4], [5, 5, 5, 5], "spearman")["reason"] == "zero variance in revenue"


def test_a_perfect_correlation_has_a_point_interval() -> None:
    found = stats.correlation([1, 2, 3, 4, 5], [10, 20, 30, 40, 50])
    assert found["r"] == pytest.approx(1.0) and found["ci95"] == [found["r"], found["r"]]


def test_kendall_tau_counts_concordant_and_discordant_pairs() -> None:
    assert stats.kendall_tau([1, 2, 3, 4], [2, 1, 3, 4]) == pytest.approx(4 / 6)  # 5 concordant, 1 discordant
    assert stats.kendall_tau([1, 2, 3], [1, 2, 3]) == 1.0
    assert stats.kendall_tau([1, 2, 3], [3, 2, 1]) == -1.0
    assert stats.kendall_tau([1], [1]) is None


def test_median_of_odd_even_and_empty() -> None:
    assert stats.median([3, 1, 2]) == 2 and stats.median([4, 1, 3, 2]) == 2.5 and stats.median([]) is None


def test_weights_follow_positive_correlation_within_the_bounds() -> None:
    # a and b are capped at 40, d (negative) gets the minimum 5, c takes the remaining 15
    assert weights.suggest({"a": 1.0, "b": 0.228, "c": 0.023, "d": -0.09}) == {"a": 40, "b": 40, "c": 15, "d": 5}


def test_weights_between_the_bounds_are_proportional() -> None:
    # 100 * [0.3, 0.25, 0.25, 0.2]: all inside 5..40
    assert weights.suggest({"a": 0.3, "b": 0.25, "c": 0.25, "d": 0.2}) == {"a": 30, "b": 25, "c": 25, "d": 20}


def test_no_positive_correlation_splits_evenly_by_largest_remainder() -> None:
    assert weights.suggest({"a": 0.0, "b": -0.5, "c": 0.0, "d": -0.1}) == {"a": 25, "b": 25, "c": 25, "d": 25}
    assert weights.suggest({"b": 0.0, "a": 0.0, "c": 0.0}) == {"a": 34, "b": 33, "c": 33}


def test_one_correlated_indicator_is_capped_and_the_rest_share_the_remainder() -> None:
    assert weights.suggest({"a": 0.9, "b": 0.0, "c": 0.0, "d": 0.0, "e": 0.0}) == {"a": 40, "b": 15, "c": 15,
                                                                                   "d": 15, "e": 15}


def test_bounds_that_cannot_sum_to_100_are_relaxed() -> None:
    assert weights.bounds_for(2) == (5, 100) and weights.bounds_for(25) == (0, 40) and weights.bounds_for(4) == (5, 40)
    assert weights.suggest({"a": 0.5, "b": 0.1}) == {"a": 83, "b": 17}  # 83.33 and 16.67
    many = weights.suggest({f"k{i:02d}": (i + 1) / 25 for i in range(25)})
    assert sum(many.values()) == 100 and max(many.values()) <= 40


def test_largest_remainder_gives_the_missing_points_to_the_largest_fractions() -> None:
    assert weights.largest_remainder({"a": 33.4, "b": 33.3, "c": 33.3}, {}, 40) == {"a": 34, "b": 33, "c": 33}
    assert weights.largest_remainder({"a": 39.9, "b": 30.05, "c": 30.05}, {"b": 0.2, "c": 0.1}, 40) == \
        {"a": 40, "b": 30, "c": 30}


@pytest.mark.parametrize("seed", range(20))
def test_suggested_weights_always_sum_to_100_within_bounds(seed: int) -> None:
    import random

    rng = random.Random(seed)
    basis = {f"k{i}": rng.uniform(-1, 1) for i in range(rng.randint(3, 12))}
    found = weights.suggest(basis)
    assert sum(found.values()) == 100 and all(5 <= w <= 40 for w in found.values())
    ordered = sorted(basis, key=lambda k: basis[k])
    assert [found[k] for k in ordered] == sorted(found[k] for k in ordered)  # more correlation, never less weight
