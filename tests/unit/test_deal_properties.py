"""Property: no sequence of partial reversals takes a deal below zero or beyond its amount."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.deal import Deal
from ledger.errors import RuleViolation

STAMP = dict(occurred_at=datetime(2026, 7, 1, tzinfo=timezone.utc), actor="t", idempotency_key="k")
CENTS = st.integers(min_value=1, max_value=10_000_000)


@settings(database=None, max_examples=200, deadline=None)
@given(amount=CENTS, attempts=st.lists(CENTS, max_size=25))
def test_reversals_never_exceed_the_deal_nor_drive_net_negative(amount: int, attempts: list[int]) -> None:
    total = Decimal(amount).scaleb(-2)
    deal = Deal.close(id=None, rep_id=uuid4(), customer_id=uuid4(), amount=total, currency="CNY", product="p",
                      customer_type="new", splits=None, closed_on=date(2026, 7, 1), **STAMP)
    accepted = Decimal("0.00")
    for cents in attempts:
        value = Decimal(cents).scaleb(-2)
        try:
            deal.reverse(kind="refund", reason="r", amount=value, currency="CNY", **STAMP)
        except RuleViolation:
            assert accepted + value > total
            continue
        accepted += value
        assert deal.net_amount >= 0
        assert deal.reversed_amount == accepted <= total
        assert deal.net_amount == total - accepted
        assert deal.status == ("reversed" if accepted == total else "partially_reversed")
