"""Money and periods: exact decimals, ISO currencies, canonical period labels."""

from datetime import date
from decimal import Decimal

import pytest

from ledger.errors import Invalid
from ledger.money import Money
from ledger.periods import Period


def test_money_adds_exactly_in_one_currency() -> None:
    total = Money.of("0.10", "CNY") + Money.of("0.20", "CNY")
    assert total == Money(Decimal("0.30"), "CNY")


def test_money_refuses_to_mix_currencies() -> None:
    with pytest.raises(Invalid):
        Money.of("1", "CNY") + Money.of("1", "USD")


def test_unknown_currency_is_invalid() -> None:
    with pytest.raises(Invalid) as info:
        Money.of("1", "XYZ")
    assert info.value.errors == {"currency": ["not an ISO 4217 code"]}


def test_amount_finer_than_minor_unit_is_refused() -> None:
    with pytest.raises(Invalid):
        Money.of("100.5", "JPY").check_exact()
    assert Money.of("100", "JPY").check_exact().amount == Decimal("100")


def test_rounding_is_half_up_to_the_minor_unit() -> None:
    assert Money.of("2.345", "CNY").rounded().amount == Decimal("2.35")
    assert Money.of("2.344", "CNY").rounded().amount == Decimal("2.34")
    assert Money.of("-2.345", "CNY").rounded().amount == Decimal("-2.35")  # half away from zero
    assert Money.of("1", "CNY").times(Decimal("0.125")).amount == Decimal("0.13")
    assert Money.of("0.5", "JPY").rounded().amount == Decimal("1")


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_period_labels_parse_to_closed_day_ranges(label: str, start: date, end: date) -> None:
    period = Period.parse(label)
    assert (period.start, period.end, str(period)) == (start, end, label)


@pytest.mark.parametrize("label", ["2026-Q5", "2026-13", "2026-H3", "26-Q1", "", "2026-q1", "1969"])
def test_malformed_periods_are_invalid(label: str) -> None:
    with pytest.raises(Invalid):
        Period.parse(label)


def test_period_contains_its_edges_only() -> None:
    q3 = Period.parse("2026-Q3")
    assert q3.contains(date(2026, 7, 1)) and q3.contains(date(2026, 9, 30))
    assert not q3.contains(date(2026, 10, 1))
