"""Contract invariants: terms, two-party amendments, renewal and termination."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from ledger.application import LedgerApplication
from ledger.contract import Contract
from ledger.errors import Invalid, NotFound, RuleViolation
from ledger.personal import Personal


def stamp() -> dict[str, Any]:
    return dict(occurred_at=datetime.now(timezone.utc), actor="t", idempotency_key="k")


def signed(kind: str = "fixed_term", ends_on: date | None = date(2028, 1, 31), **terms: Any) -> Contract:
    values: dict[str, Any] = dict(
        id=None, rep_id=uuid4(), kind=kind, starts_on=date(2025, 2, 1), ends_on=ends_on, probation_months=3,
        post="sales", base_pay_amount=Decimal("9000.00"), currency="CNY", pay_period="month",
        commission_plan_id=None, performance_clause="meet quarterly targets",
    )
    return Contract.sign(**{**values, **terms}, **stamp())


def propose(contract: Contract, **changes: Any) -> UUID:
    return contract.propose_amendment(amendment_id=None, changes=changes or {"post": "senior sales"},
                                      effective_on=date(2026, 1, 1), proposed_by="employer", reason="promotion",
                                      **stamp())


def test_signed_contract_is_active_with_its_terms() -> None:
    contract = signed()
    assert (contract.status, contract.post) == ("active", "sales")
    assert contract.base_pay_amount == Personal(contract.rep_id, Decimal("9000.00"))  # the rep's personal data
    assert contract.ends_on == date(2028, 1, 31) and contract.amendments == []


@pytest.mark.parametrize("kind, ends_on", [("fixed_term", None), ("fixed_term", date(2025, 2, 1)),
                                           ("open_ended", date(2030, 1, 1))])
def test_end_date_must_match_the_kind_of_contract(kind: str, ends_on: date | None) -> None:
    with pytest.raises(Invalid) as error:
        signed(kind=kind, ends_on=ends_on)
    assert "ends_on" in error.value.errors


def test_probation_longer_than_six_months_is_refused() -> None:
    with pytest.raises(Invalid) as error:
        signed(probation_months=7)
    assert "probation_months" in error.value.errors


def test_pay_finer_than_the_minor_unit_is_refused() -> None:
    with pytest.raises(Invalid) as error:
        signed(base_pay_amount=Decimal("9000.001"))
    assert "base_pay_amount" in error.value.errors


def test_amendment_takes_effect_only_when_both_parties_have_signed() -> None:
    contract = signed()
    amendment_id = propose(contract, post="team lead", base_pay_amount=Decimal("12000.50"))
    contract.sign_amendment(amendment_id=amendment_id, party="employer", signer="HR Wang", **stamp())
    assert contract.post == "sales" and contract.amendment(amendment_id)["effective"] is False
    contract.sign_amendment(amendment_id=amendment_id, party="employee", signer="Li Lei", **stamp())
    assert (contract.post, contract.base_pay_amount.value) == ("team lead", Decimal("12000.50"))
    amendment = contract.amendment(amendment_id)
    assert amendment["effective"] is True
    assert amendment["signatures"] == {"employer": "HR Wang", "employee": "Li Lei"}


def test_amendment_changes_are_stored_as_plain_strings_pay_as_the_reps_personal_data() -> None:
    contract = signed()
    plan_id = uuid4()
    amendment_id = propose(contract, ends_on=date(2029, 1, 31), commission_plan_id=plan_id,
                           base_pay_amount=Decimal("9500.00"))
    assert contract.amendment(amendment_id)["changes"] == {
        "ends_on": "2029-01-31", "commission_plan_id": str(plan_id), "base_pay_amount": Personal(contract.rep_id, "9500.00")}


def test_each_party_signs_an_amendment_once() -> None:
    contract = signed()
    amendment_id = propose(contract)
    contract.sign_amendment(amendment_id=amendment_id, party="employee", signer="Li Lei", **stamp())
    with pytest.raises(RuleViolation) as error:
        contract.sign_amendment(amendment_id=amendment_id, party="employee", signer="Li Lei", **stamp())
    assert error.value.code == "already-signed"


def test_signing_an_unknown_amendment_is_not_found() -> None:
    with pytest.raises(NotFound):
        signed().sign_amendment(amendment_id=uuid4(), party="employer", signer="HR", **stamp())


def test_amendment_of_a_term_that_cannot_be_amended_is_invalid() -> None:
    with pytest.raises(Invalid) as error:
        propose(signed(), rep_id=str(uuid4()))
    assert "changes" in error.value.errors


def test_amendment_that_changes_nothing_is_refused() -> None:
    with pytest.raises(RuleViolation) as error:
        propose(signed(), post="sales")
    assert error.value.code == "no-change"


def test_open_ended_contract_cannot_get_an_end_date_by_amendment() -> None:
    with pytest.raises(RuleViolation) as error:
        propose(signed(kind="open_ended", ends_on=None), ends_on=date(2030, 1, 1))
    assert error.value.code == "open-ended-contract"


def test_renewal_extends_the_end_date() -> None:
    contract = signed()
    contract.renew(new_ends_on=date(2031, 1, 31), renewed_on=date(2027, 12, 1), **stamp())
    assert (contract.ends_on, contract.renewed_on) == (date(2031, 1, 31), date(2027, 12, 1))


def test_renewal_to_an_earlier_end_is_refused() -> None:
    with pytest.raises(RuleViolation) as error:
        signed().renew(new_ends_on=date(2028, 1, 31), renewed_on=date(2027, 12, 1), **stamp())
    assert error.value.code == "not-later"


def test_terminated_contract_accepts_nothing_more() -> None:
    contract = signed()
    pending = propose(contract)
    contract.terminate(terminated_on=date(2026, 6, 30), ground="art41_redundancy", notice="30_days",
                       reason="restructuring", **stamp())
    assert (contract.status, contract.termination_ground) == ("terminated", "art41_redundancy")
    attempts = [
        lambda: propose(contract, post="lead"),
        lambda: contract.sign_amendment(amendment_id=pending, party="employer", signer="HR", **stamp()),
        lambda: contract.renew(new_ends_on=date(2032, 1, 1), renewed_on=date(2026, 7, 1), **stamp()),
        lambda: contract.terminate(terminated_on=date(2026, 7, 1), ground="mutual", notice="none", reason="",
                                   **stamp()),
    ]
    for attempt in attempts:
        with pytest.raises(RuleViolation) as error:
            attempt()
        assert error.value.code == "contract-terminated"


def test_open_ended_contract_does_not_expire() -> None:
    with pytest.raises(RuleViolation) as error:
        signed(kind="open_ended", ends_on=None).terminate(terminated_on=date(2026, 1, 1), ground="expiry",
                                                          notice="none", reason="", **stamp())
    assert error.value.code == "open-ended-contract"


def test_replay_from_the_store_gives_the_same_terms() -> None:
    app = LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    contract = signed()
    amendment_id = propose(contract, base_pay_amount=Decimal("9800.00"), ends_on=date(2029, 6, 30))
    for party in ("employer", "employee"):
        contract.sign_amendment(amendment_id=amendment_id, party=party, signer=party, **stamp())
    app.save(contract)
    copy = app.repository.get(contract.id)
    assert (copy.base_pay_amount.value, copy.ends_on) == (Decimal("9800.00"), date(2029, 6, 30))
    assert copy.amendments == contract.amendments
