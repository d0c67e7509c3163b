"""Deal invariants: amounts, commission splits and cumulative reversals."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from ledger.deal import Deal
from ledger.errors import Invalid, RuleViolation


def stamp() -> dict[str, Any]:
    return dict(occurred_at=datetime.now(timezone.utc), actor="t", idempotency_key="k")


def close(rep_id: UUID | None = None, amount: str = "1000.00", currency: str = "CNY",
          splits: list[dict[str, Any]] | None = None) -> Deal:
    return Deal.close(id=None, rep_id=rep_id or uuid4(), customer_id=uuid4(), amount=Decimal(amount),
                      currency=currency, product="CRM seats", customer_type="new", splits=splits,
                      closed_on=date(2026, 7, 1), **stamp())


def split(rep_id: UUID, share: str) -> dict[str, Any]:
    return {"rep_id": rep_id, "share": Decimal(share)}


def replayed(deal: Deal) -> Any:
    state = None
    for event in deal.collect_events():
        state = event.mutate(state)
    return state


def test_closed_deal_credits_the_closing_rep_fully_by_default() -> None:
    rep = uuid4()
    deal = close(rep)
    assert deal.splits == [{"rep_id": rep, "share": Decimal(100)}]
    assert (deal.amount, deal.net_amount, deal.reversed_amount, deal.status) == (
        Decimal("1000.00"), Decimal("1000.00"), Decimal("0.00"), "closed")


def test_split_shares_totalling_100_are_kept_as_given() -> None:
    closer, helper, third = uuid4(), uuid4(), uuid4()
    deal = close(closer, splits=[split(closer, "33.34"), split(helper, "33.33"), split(third, "33.33")])
    assert [s["share"] for s in deal.splits] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


@pytest.mark.parametrize("shares, code", [
    (["60", "30"], "split-total"),
    (["60", "50"], "split-total"),
    (["100", "0"], "split-share-not-positive"),
    (["110", "-10"], "split-share-not-positive"),
])
def test_split_shares_must_be_positive_and_total_exactly_100(shares: list[str], code: str) -> None:
    closer, helper = uuid4(), uuid4()
    with pytest.raises(RuleViolation) as caught:
        close(closer, splits=[split(closer, shares[0]), split(helper, shares[1])])
    assert caught.value.code == code
    assert "splits" in caught.value.errors


def test_split_listing_a_rep_twice_is_refused() -> None:
    closer = uuid4()
    with pytest.raises(RuleViolation) as caught:
        close(closer, splits=[split(closer, "50"), split(closer, "50")])
    assert caught.value.code == "split-duplicate-rep"


def test_split_without_the_closing_rep_is_refused() -> None:
    with pytest.raises(RuleViolation) as caught:
        close(uuid4(), splits=[split(uuid4(), "50"), split(uuid4(), "50")])
    assert caught.value.code == "split-missing-closer"


def test_empty_split_is_refused() -> None:
    with pytest.raises(RuleViolation) as caught:
        close(uuid4(), splits=[])
    assert caught.value.code == "split-missing-closer"


@pytest.mark.parametrize("amount, currency", [("0.00", "CNY"), ("-5.00", "CNY"), ("10.005", "CNY"), ("10.5", "JPY")])
def test_deal_amount_must_be_positive_in_the_currency_minor_units(amount: str, currency: str) -> None:
    with pytest.raises(Invalid) as caught:
        close(amount=amount, currency=currency)
    assert "amount" in caught.value.errors


def test_partial_refunds_reduce_the_net_amount_until_fully_reversed() -> None:
    deal = close(amount="1000.00")
    deal.reverse(kind="refund", reason="faulty unit", amount=Decimal("250.00"), currency="CNY", **stamp())
    assert (deal.reversed_amount, deal.net_amount, deal.status) == (
        Decimal("250.00"), Decimal("750.00"), "partially_reversed")
    deal.reverse(kind="cancellation", reason="contract voided", amount=Decimal("750.00"), currency="CNY", **stamp())
    assert (deal.reversed_amount, deal.net_amount, deal.status) == (Decimal("1000.00"), Decimal("0.00"), "reversed")


def test_reversals_beyond_the_deal_amount_are_refused() -> None:
    deal = close(amount="1000.00")
    deal.reverse(kind="refund", reason="r", amount=Decimal("600.00"), currency="CNY", **stamp())
    with pytest.raises(RuleViolation) as caught:
        deal.reverse(kind="refund", reason="r", amount=Decimal("400.01"), currency="CNY", **stamp())
    assert caught.value.code == "reversal-exceeds-deal"
    assert deal.net_amount == Decimal("400.00")


def test_fully_reversed_deal_accepts_no_more_reversals() -> None:
    deal = close(amount="10.00")
    deal.reverse(kind="cancellation", reason="r", amount=Decimal("10.00"), currency="CNY", **stamp())
    with pytest.raises(RuleViolation) as caught:
        deal.reverse(kind="refund", reason="r", amount=Decimal("0.01"), currency="CNY", **stamp())
    assert caught.value.code == "deal-reversed"


def test_reversal_in_another_currency_is_refused() -> None:
    deal = close(currency="CNY")
    with pytest.raises(RuleViolation) as caught:
        deal.reverse(kind="refund", reason="r", amount=Decimal("10.00"), currency="USD", **stamp())
    assert caught.value.code == "currency-mismatch"
    assert deal.reversed_amount == Decimal("0.00")


def test_reversal_of_unknown_kind_is_invalid() -> None:
    deal = close()
    with pytest.raises(Invalid) as caught:
        deal.reverse(kind="chargeback", reason="r", amount=Decimal("1.00"), currency="CNY", **stamp())
    assert "kind" in caught.value.errors


def test_replaying_a_deal_events_rebuilds_the_same_state() -> None:
    closer, helper = uuid4(), uuid4()
    deal = close(closer, splits=[split(closer, "70"), split(helper, "30")])
    deal.reverse(kind="refund", reason="r", amount=Decimal("99.99"), currency="CNY", **stamp())
    copy = replayed(deal)
    assert (copy.net_amount, copy.reversed_amount, copy.status, copy.splits) == (
        Decimal("900.01"), Decimal("99.99"), "partially_reversed", deal.splits)
