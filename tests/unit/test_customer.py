"""Customer ownership and rep employment invariants, folded in memory."""

from datetime import date, datetime, timezone
from uuid import uuid4

import pytest

from ledger.customer import Customer
from ledger.errors import Invalid, RuleViolation
from ledger.rep import Rep

STAMP = dict(occurred_at=datetime(2026, 3, 1, tzinfo=timezone.utc), actor="t", idempotency_key="k")


def customer() -> Customer:
    return Customer.register(id=None, name="ACME", segment="smb", source="web", region="north", level="A", **STAMP)


def test_pool_customer_can_be_claimed_once() -> None:
    c, rep = customer(), uuid4()
    c.claim(rep_id=rep, **STAMP)
    assert c.owner_id == rep
    with pytest.raises(RuleViolation) as info:
        c.claim(rep_id=uuid4(), **STAMP)
    assert info.value.code == "customer-owned" and c.owner_id == rep


def test_assignment_moves_ownership_and_remembers_previous_owner() -> None:
    c, first, second = customer(), uuid4(), uuid4()
    c.claim(rep_id=first, **STAMP)
    c.assign(rep_id=second, reason="handover", rule="handover", seed=None, **STAMP)
    assert c.owner_id == second
    assert c.collect_events()[-1].previous_owner_id == first


def test_release_of_pool_customer_is_refused() -> None:
    with pytest.raises(RuleViolation):
        customer().release(reason="", **STAMP)


def test_release_and_recycle_return_customer_to_pool() -> None:
    c = customer()
    c.claim(rep_id=uuid4(), **STAMP)
    c.release(reason="not a fit", **STAMP)
    assert c.owner_id is None
    c.claim(rep_id=uuid4(), **STAMP)
    c.recycle(rule="idle", days_idle=31, **STAMP)
    assert c.owner_id is None and c.version == 5


def test_departed_rep_refuses_transfer_and_second_departure() -> None:
    rep = Rep.onboard(id=None, name="Li", team_id=uuid4(), manager_id=None, post="sales", hired_on=date(2025, 1, 1), **STAMP)
    rep.leave(left_on=date(2026, 2, 1), reason="resigned", **STAMP)
    assert not rep.active
    with pytest.raises(RuleViolation):
        rep.leave(left_on=date(2026, 2, 2), reason="", **STAMP)
    with pytest.raises(RuleViolation):
        rep.transfer(team_id=uuid4(), post=None, manager_id=None, reason="", **STAMP)


def test_naive_business_time_is_refused() -> None:
    from ledger.base import Ctx

    with pytest.raises(Invalid):
        Ctx("t", "k").stamp(datetime(2026, 1, 1))


def test_reserved_transcoder_keys_are_refused_in_any_payload() -> None:
    from ledger.base import check_storable

    with pytest.raises(Invalid) as info:
        check_storable({"changes": {"post": {"_type_": "decimal_str", "_data_": "1"}}})
    assert "changes" in info.value.errors
    check_storable({"changes": {"post": "senior", "items": [{"a": 1}]}})
