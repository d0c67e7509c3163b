"""ContractReminder: HR and the manager were reminded that a fixed-term contract's term is ending."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.base import LedgerAggregate, LedgerCreated
from ledger.contract import Contract
from ledger.errors import RuleViolation

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:contract-reminder")


def reminder_id(contract_id: UUID, ends_on: date) -> UUID:
    """One stream per contract term: a second reminder for the same term conflicts; a renewal
    (a new end date) opens a new stream, so the new term gets its own reminder."""
    return uuid5(_NAMESPACE, f"{contract_id}:{ends_on.isoformat()}")


class ContractReminder(LedgerAggregate):
    """Sent at most once per contract term (its stream id is derived from the contract and its end date)."""

    KIND = "contract-reminder"
    if TYPE_CHECKING:
        contract_id: UUID
        rep_id: UUID
        ends_on: date
        days_before: int

    class Sent(LedgerCreated):
        contract_id: UUID
        rep_id: UUID
        ends_on: date
        days_before: int

        def apply(self, r: Any) -> None:
            r.contract_id, r.rep_id, r.ends_on, r.days_before = self.contract_id, self.rep_id, self.ends_on, self.days_before

    @classmethod
    def send(cls, *, contract: Contract, ends_on: date, on: date, **stamp: Any) -> ContractReminder:
        """Remind, on day `on`, that the contract's current term ends on `ends_on`."""
        contract.check_active()
        if contract.kind != "fixed_term" or contract.ends_on is None:
            raise RuleViolation("an open-ended contract does not expire", code="open-ended-contract",
                                errors={"contract_id": ["the contract is open-ended"]})
        if contract.ends_on != ends_on:
            raise RuleViolation(f"the contract's current term ends on {contract.ends_on}, not {ends_on}",
                                code="not-current-term", errors={"ends_on": [f"the term ends on {contract.ends_on}"]})
        if ends_on < on:
            raise RuleViolation(f"the term ended on {ends_on}", code="term-ended",
                                errors={"ends_on": ["already past"]})
        return cls._start(cls.Sent, reminder_id(contract.id, ends_on), contract_id=contract.id,
                          rep_id=contract.rep_id, ends_on=ends_on, days_before=(ends_on - on).days, **stamp)
