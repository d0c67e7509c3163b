"""Contract: a rep's labour contract (China-style): terms, two-party amendments, renewal, termination."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, NotFound, RuleViolation
from ledger.money import Money
from ledger.personal import Personal

KINDS = ("fixed_term", "open_ended")
PARTIES = ("employer", "employee")
PAY_PERIODS = ("month",)
GROUNDS = ("mutual", "resignation", "art39_misconduct", "art40_incompetence", "art41_redundancy", "expiry")
NOTICES = ("30_days", "pay_in_lieu", "none")
AMENDABLE = ("post", "base_pay_amount", "ends_on", "commission_plan_id", "performance_clause")
MAX_PROBATION_MONTHS = 6


def encode_changes(changes: dict[str, Any], subject: UUID) -> dict[str, Any]:
    """JSON-safe form of amendment changes for the event: decimals and ids as strings, dates ISO;
    pay is personal data of the contract's rep (`subject`), stored encrypted."""
    unknown = sorted(set(changes) - set(AMENDABLE))
    if unknown or not changes:
        reason = f"only {', '.join(AMENDABLE)} can be amended" if unknown else "nothing to change"
        raise Invalid(reason, errors={"changes": [reason]})
    encoded: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "base_pay_amount" and isinstance(value, (str, Decimal)):
            encoded[key] = Personal(subject, str(value))
        elif isinstance(value, date):
            encoded[key] = value.isoformat()
        elif value is None and key == "commission_plan_id":
            encoded[key] = None
        elif isinstance(value, (str, Decimal, UUID)):
            encoded[key] = str(value)
        else:
            raise Invalid(f"bad value for {key}", errors={f"changes.{key}": ["wrong type"]})
    return encoded


def decode_changes(changes: dict[str, Any], subject: UUID) -> dict[str, Any]:
    """Typed terms from the stored (string) form of amendment changes. Pay comes back Personal
    (amendments recorded before pay was encrypted hold a plain string), "[erased]" once erased."""
    typed: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "base_pay_amount":
            pay = value if isinstance(value, Personal) else Personal(subject, value)
            typed[key] = pay if pay.erased else Personal(subject, Decimal(pay.value))
        elif key == "ends_on":
            typed[key] = date.fromisoformat(value)
        elif key == "commission_plan_id":
            typed[key] = None if value is None else UUID(value)
        else:
            typed[key] = value
    return typed


def _one_of(value: str, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise Invalid(f"{field} must be one of {', '.join(allowed)}", errors={field: [f"not one of {allowed}"]})
    return value


class Contract(LedgerAggregate):
    """A labour contract; amendments take effect only once both employer and employee have signed."""

    KIND = "contract"
    if TYPE_CHECKING:
        rep_id: UUID
        kind: str
        starts_on: date
        ends_on: date | None
        probation_months: int
        post: str
        base_pay_amount: Personal
        currency: str
        pay_period: str
        commission_plan_id: UUID | None
        performance_clause: str
        status: str
        amendments: list[dict[str, Any]]
        renewed_on: date | None
        terminated_on: date | None
        termination_ground: str | None
        termination_notice: str | None
        termination_reason: str | None

    class Signed(LedgerCreated):
        """Version 2: base pay is personal data of the rep, stored encrypted under the rep's key."""

        class_version = 2
        rep_id: UUID
        kind: str
        starts_on: date
        ends_on: date | None
        probation_months: int
        post: str
        base_pay_amount: Personal
        currency: str
        pay_period: str
        commission_plan_id: UUID | None
        performance_clause: str

        def apply(self, c: Any) -> None:
            c.rep_id, c.kind, c.starts_on, c.ends_on = self.rep_id, self.kind, self.starts_on, self.ends_on
            c.probation_months, c.post, c.pay_period = self.probation_months, self.post, self.pay_period
            c.base_pay_amount, c.currency = self.base_pay_amount, self.currency
            c.commission_plan_id, c.performance_clause = self.commission_plan_id, self.performance_clause
            c.status, c.amendments, c.renewed_on = "active", [], None
            c.terminated_on = c.termination_ground = c.termination_notice = c.termination_reason = None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Contracts signed before pay was encrypted: same value, now marked as the rep's (stored in clear)."""
            state["base_pay_amount"] = Personal(state["rep_id"], state["base_pay_amount"])

    class AmendmentProposed(LedgerEvent):
        amendment_id: UUID
        changes: dict[str, Any]
        effective_on: date
        proposed_by: str
        reason: str

        def apply(self, c: Any) -> None:
            c.amendments = [*c.amendments, {
                "id": self.amendment_id, "changes": dict(self.changes), "effective_on": self.effective_on,
                "proposed_by": self.proposed_by, "reason": self.reason, "signatures": {}, "effective": False,
            }]

    class AmendmentSigned(LedgerEvent):
        amendment_id: UUID
        party: str
        signer: str

        def apply(self, c: Any) -> None:
            amendment = next(a for a in c.amendments if a["id"] == self.amendment_id)
            amendment["signatures"] = {**amendment["signatures"], self.party: self.signer}
            if set(amendment["signatures"]) == set(PARTIES):
                amendment["effective"] = True
                for key, value in decode_changes(amendment["changes"], c.rep_id).items():
                    setattr(c, key, value)

    class Renewed(LedgerEvent):
        new_ends_on: date
        renewed_on: date

        def apply(self, c: Any) -> None:
            c.ends_on, c.renewed_on = self.new_ends_on, self.renewed_on

    class Terminated(LedgerEvent):
        terminated_on: date
        ground: str
        notice: str
        reason: str

        def apply(self, c: Any) -> None:
            c.status, c.terminated_on = "terminated", self.terminated_on
            c.termination_ground, c.termination_notice, c.termination_reason = self.ground, self.notice, self.reason

    @classmethod
    def sign(
        cls, *, id: UUID | None, rep_id: UUID, kind: str, starts_on: date, ends_on: date | None,
        probation_months: int, post: str, base_pay_amount: Decimal, currency: str, pay_period: str,
        commission_plan_id: UUID | None, performance_clause: str, **stamp: Any,
    ) -> Contract:
        _one_of(kind, KINDS, "kind")
        _one_of(pay_period, PAY_PERIODS, "pay_period")
        if kind == "fixed_term" and (ends_on is None or ends_on <= starts_on):
            raise Invalid("a fixed-term contract ends after it starts",
                          errors={"ends_on": ["required and after starts_on for a fixed-term contract"]})
        if kind == "open_ended" and ends_on is not None:
            raise Invalid("an open-ended contract has no end date", errors={"ends_on": ["must be empty"]})
        if not 0 <= probation_months <= MAX_PROBATION_MONTHS:
            raise Invalid("probation is 0 to 6 months", errors={"probation_months": ["must be 0..6"]})
        _check_pay(base_pay_amount, currency, "base_pay_amount")
        return cls._start(
            cls.Signed, id, rep_id=rep_id, kind=kind, starts_on=starts_on, ends_on=ends_on,
            probation_months=probation_months, post=post, base_pay_amount=Personal(rep_id, base_pay_amount), currency=currency,
            pay_period=pay_period, commission_plan_id=commission_plan_id,
            performance_clause=performance_clause, **stamp,
        )

    def check_active(self) -> None:
        if self.status == "terminated":
            raise RuleViolation(f"contract {self.id} was terminated on {self.terminated_on}",
                                code="contract-terminated", errors={"contract_id": ["the contract is terminated"]})

    def amendment(self, amendment_id: UUID) -> dict[str, Any]:
        for amendment in self.amendments:
            if amendment["id"] == amendment_id:
                return dict(amendment)
        raise NotFound(f"contract {self.id} has no amendment {amendment_id}")

    def propose_amendment(
        self, *, amendment_id: UUID | None, changes: dict[str, Any], effective_on: date,
        proposed_by: str, reason: str, **stamp: Any,
    ) -> UUID:
        self.check_active()
        _one_of(proposed_by, PARTIES, "proposed_by")
        encoded = encode_changes(changes, self.rep_id)
        amendment_id = amendment_id or uuid4()
        if any(a["id"] == amendment_id for a in self.amendments):
            raise RuleViolation("this amendment id is taken", code="duplicate-amendment",
                                errors={"amendment_id": ["already used on this contract"]})
        if effective_on < self.starts_on:
            raise RuleViolation("an amendment cannot take effect before the contract starts",
                                code="before-start", errors={"effective_on": ["before starts_on"]})
        typed = decode_changes(encoded, self.rep_id)
        if "base_pay_amount" in typed:
            _check_pay(typed["base_pay_amount"].value, self.currency, "changes.base_pay_amount")
        if "ends_on" in typed:
            self._check_end(typed["ends_on"], "changes.ends_on")
        if all(getattr(self, key) == value for key, value in typed.items()):
            raise RuleViolation("the amendment changes nothing", code="no-change", errors={"changes": ["same as now"]})
        self._record(self.AmendmentProposed, amendment_id=amendment_id, changes=encoded,
                     effective_on=effective_on, proposed_by=proposed_by, reason=reason, **stamp)
        return amendment_id

    def sign_amendment(self, *, amendment_id: UUID, party: str, signer: str, **stamp: Any) -> None:
        self.check_active()
        amendment = self.amendment(amendment_id)
        _one_of(party, PARTIES, "party")
        if party in amendment["signatures"]:
            raise RuleViolation(f"the {party} has already signed this amendment", code="already-signed",
                                errors={"party": ["already signed"]})
        self._record(self.AmendmentSigned, amendment_id=amendment_id, party=party, signer=signer, **stamp)

    def renew(self, *, new_ends_on: date, renewed_on: date, **stamp: Any) -> None:
        self.check_active()
        self._check_end(new_ends_on, "new_ends_on")  # refuses open-ended contracts, the only ones without an end
        if self.ends_on is not None and new_ends_on <= self.ends_on:
            raise RuleViolation("a renewal must extend the contract", code="not-later",
                                errors={"new_ends_on": [f"not after the current end {self.ends_on}"]})
        self._record(self.Renewed, new_ends_on=new_ends_on, renewed_on=renewed_on, **stamp)

    def terminate(self, *, terminated_on: date, ground: str, notice: str, reason: str, **stamp: Any) -> None:
        self.check_active()
        _one_of(ground, GROUNDS, "ground")
        _one_of(notice, NOTICES, "notice")
        if terminated_on < self.starts_on:
            raise RuleViolation("a contract cannot end before it starts", code="before-start",
                                errors={"terminated_on": ["before starts_on"]})
        if ground == "expiry" and self.kind == "open_ended":
            raise RuleViolation("an open-ended contract does not expire", code="open-ended-contract",
                                errors={"ground": ["open-ended contracts do not expire"]})
        self._record(self.Terminated, terminated_on=terminated_on, ground=ground, notice=notice,
                     reason=reason, **stamp)

    def _check_end(self, ends_on: date, field: str) -> None:
        if self.kind == "open_ended":
            raise RuleViolation("an open-ended contract has no end date", code="open-ended-contract",
                                errors={field: ["the contract is open-ended"]})
        if ends_on <= self.starts_on:
            raise RuleViolation("a contract must end after it starts", code="ends-before-start",
                                errors={field: ["not after starts_on"]})


def _check_pay(amount: Decimal, currency: str, field: str) -> None:
    Money.of(amount, currency).check_exact(field)
    if amount <= 0:
        raise Invalid("pay must be positive", errors={field: ["must be greater than 0"]})
