"""Personal values: encrypted by the event transcoder under their subject's key, "[erased]" once it is destroyed."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from ledger.application import LedgerApplication
from ledger.contract import Contract
from ledger.customer import Customer
from ledger.errors import Invalid
from ledger.keystore import KeyStoreError, MemoryKeyStore, SubjectErased
from ledger.personal import ERASED, Personal
from ledger.rep import Rep

SALARY = Decimal("98765.43")
NAME = "联系人张三"


def stamp() -> dict[str, Any]:
    return dict(occurred_at=datetime.now(timezone.utc), actor="t", idempotency_key="k")


@pytest.fixture()
def app() -> LedgerApplication:
    return LedgerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, keystore=MemoryKeyStore())


def in_any_form(data: bytes, text: str) -> bool:
    return text.encode() in data or json.dumps(text)[1:-1].encode() in data


def test_personal_values_round_trip_exactly_and_are_stored_as_ciphertext(app: LedgerApplication) -> None:
    transcoder, subject = app.mapper.transcoder, uuid4()
    state = {"pay": Personal(subject, SALARY), "name": Personal(subject, NAME), "on": Personal(subject, date(2026, 2, 28))}
    stored = transcoder.encode(state)
    back = transcoder.decode(stored)
    assert back == state and type(back["pay"].value) is Decimal and str(back["pay"].value) == "98765.43"
    assert type(back["on"].value) is date
    for text in ("98765.43", NAME, "2026-02-28"):
        assert not in_any_form(stored, text), text
    sealed = json.loads(stored)["name"]
    assert sealed["_type_"] == "personal" and set(sealed["_data_"]) == {"s", "n", "c"}
    assert sealed["_data_"]["s"] == subject.hex


def test_the_same_value_encrypts_differently_each_time(app: LedgerApplication) -> None:
    value = {"v": Personal(uuid4(), NAME)}
    assert app.mapper.transcoder.encode(value) != app.mapper.transcoder.encode(value)


def test_after_erasure_values_read_as_erased_and_new_ones_are_refused(app: LedgerApplication) -> None:
    transcoder, subject, other = app.mapper.transcoder, uuid4(), uuid4()
    stored = transcoder.encode({"a": Personal(subject, NAME), "b": Personal(other, "+86 138 0013 8000")})
    assert app.keystore.erase(subject) is True
    back = transcoder.decode(stored)
    assert back["a"] == Personal(subject, ERASED) and back["a"].erased and back["a"].shown() == "[erased]"
    assert back["b"].shown() == "+86 138 0013 8000"  # another person's key is untouched
    with pytest.raises(SubjectErased):
        transcoder.encode({"a": Personal(subject, "new")})
    assert app.keystore.erase(subject) is False  # idempotent
    assert app.keystore.status(subject) == "erased" and app.keystore.status(other) == "active"


def test_a_subject_erased_before_it_had_data_can_get_none(app: LedgerApplication) -> None:
    subject = uuid4()
    assert app.keystore.status(subject) == "none"
    app.keystore.erase(subject)
    with pytest.raises(SubjectErased):
        app.mapper.transcoder.encode({"a": Personal(subject, "x")})


def test_ciphertext_moved_to_another_subject_fails_authentication(app: LedgerApplication) -> None:
    transcoder, subject, other = app.mapper.transcoder, uuid4(), uuid4()
    transcoder.encode({"warm": Personal(other, "x")})  # the other subject has a key
    stored = json.loads(transcoder.encode({"a": Personal(subject, NAME)}))
    stored["a"]["_data_"]["s"] = other.hex
    with pytest.raises(KeyStoreError):
        transcoder.decode(json.dumps(stored).encode())


def test_wrapped_keys_open_only_with_their_master_key() -> None:
    store = MemoryKeyStore(b"k" * 32)
    subject = uuid4()
    store.key_for_writing(subject)
    wrapped, _ = store._select(subject)  # type: ignore[misc]
    assert wrapped is not None and store._unwrap(subject, wrapped)
    with pytest.raises(KeyStoreError):
        MemoryKeyStore(b"m" * 32)._unwrap(subject, wrapped)


def test_repr_never_shows_the_value() -> None:
    assert "98765" not in repr(Personal(uuid4(), SALARY)) and "erased" in repr(Personal(uuid4(), ERASED))


def test_rep_personal_details_are_the_reps_own_and_partial_updates_keep_the_rest() -> None:
    rep = Rep.onboard(id=None, name="王芳", team_id=uuid4(), manager_id=None, post="sales", hired_on=date(2025, 1, 2),
                      **stamp())
    rep.record_personal_details(national_id="110105199003071234", phone="+86 139 0000 0000", home_address=None,
                                **stamp())
    rep.record_personal_details(national_id=None, phone="+86 139 1111 1111", home_address="上海市", **stamp())
    assert rep.national_id == Personal(rep.id, "110105199003071234")
    assert (rep.phone.value, rep.home_address.value) == ("+86 139 1111 1111", "上海市")  # type: ignore[union-attr]
    with pytest.raises(Invalid):
        rep.record_personal_details(national_id=None, phone=None, home_address=None, **stamp())


def test_customer_contacts_are_the_customers_personal_data() -> None:
    customer = Customer.register(id=None, name="Acme", segment="", source="", region="", level="C", **stamp())
    customer.record_contact(name=NAME, phone=None, title="buyer", **stamp())
    assert customer.contacts == [{"name": Personal(customer.id, NAME), "phone": None, "title": "buyer"}]


def test_erased_pay_survives_replay_and_amendments(app: LedgerApplication) -> None:
    rep_id = uuid4()
    contract = Contract.sign(id=None, rep_id=rep_id, kind="open_ended", starts_on=date(2025, 1, 1), ends_on=None,
                             probation_months=0, post="sales", base_pay_amount=SALARY, currency="CNY",
                             pay_period="month", commission_plan_id=None, performance_clause="", **stamp())
    amendment = contract.propose_amendment(amendment_id=None, changes={"base_pay_amount": Decimal("99999.00")},
                                           effective_on=date(2026, 1, 1), proposed_by="employer", reason="", **stamp())
    for party in ("employer", "employee"):
        contract.sign_amendment(amendment_id=amendment, party=party, signer=party, **stamp())
    app.save(contract)
    assert app.repository.get(contract.id).base_pay_amount == Personal(rep_id, Decimal("99999.00"))
    app.keystore.erase(rep_id)
    copy = app.repository.get(contract.id)
    assert copy.base_pay_amount.shown() == ERASED and copy.amendments[0]["changes"]["base_pay_amount"].erased
    assert (copy.starts_on, copy.currency, copy.status) == (date(2025, 1, 1), "CNY", "active")


def test_contracts_signed_before_pay_was_encrypted_are_upcast_to_personal() -> None:
    rep_id = uuid4()
    state: dict[str, Any] = {"rep_id": rep_id, "base_pay_amount": Decimal("9000.00")}
    Contract.Signed.upcast_v1_v2(state)
    assert state["base_pay_amount"] == Personal(rep_id, Decimal("9000.00"))
