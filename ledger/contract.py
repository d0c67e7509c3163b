"""Contract: a rep's labour contract (China-style): terms, two-party amendments, renewal, termination."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.contract_terms import (
    GROUNDS,
    KINDS,
    MAX_PROBATION_MONTHS,
    NOTICE_BY_GROUND,
    NOTICE_DAYS,
    NOTICES,
    PARTIES,
    PAY_PERIODS,
    check_pay,
    decode_changes,
    encode_changes,
    one_of,
    status_on,
    terms_on,
)
from ledger.errors import Invalid, NotFound, RuleViolation
from ledger.personal import Personal

__all__ = ["GROUNDS", "KINDS", "MAX_PROBATION_MONTHS", "NOTICES", "PARTIES", "PAY_PERIODS", "Contract"]


def _settle(c: Any) -> None:
    """Current terms: as signed, with every agreed change applied in date order (see terms_on)."""
    for key, value in terms_on(c.signed_terms, c.term_changes, None).items():
        setattr(c, key, value)


class Contract(LedgerAggregate):
    """A labour contract; amendments take effect only once both employer and employee have signed,
    from their effective date. Current state shows the terms once every agreed change is in force;
    `terms_on`/`status_on` answer for a given day."""

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
        renewals: list[dict[str, Any]]
        signed_terms: dict[str, Any]
        term_changes: list[dict[str, Any]]
        renewed_on: date | None
        terminated_on: date | None
        termination_ground: str | None
        termination_notice: str | None
        termination_notice_given_on: date | None
        termination_reason: str | None
        termination_version: int | None

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
            c.rep_id, c.kind, c.starts_on = self.rep_id, self.kind, self.starts_on
            c.probation_months, c.pay_period, c.currency = self.probation_months, self.pay_period, self.currency
            c.signed_terms = {"post": self.post, "base_pay_amount": self.base_pay_amount, "ends_on": self.ends_on,
                              "commission_plan_id": self.commission_plan_id,
                              "performance_clause": self.performance_clause}
            c.status, c.amendments, c.renewals, c.term_changes, c.renewed_on = "active", [], [], [], None
            c.terminated_on = c.termination_ground = c.termination_notice = c.termination_reason = None
            c.termination_notice_given_on = c.termination_version = None
            _settle(c)

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
                "versions": {"proposed": self.originator_version},
            }]

    class AmendmentSigned(LedgerEvent):
        amendment_id: UUID
        party: str
        signer: str

        def apply(self, c: Any) -> None:
            amendment = next(a for a in c.amendments if a["id"] == self.amendment_id)
            amendment["signatures"] = {**amendment["signatures"], self.party: self.signer}
            amendment["versions"] = {**amendment.get("versions", {}), self.party: self.originator_version}
            if set(amendment["signatures"]) == set(PARTIES):
                amendment["effective"] = True  # agreed: in force from its effective date
                c.term_changes = [*c.term_changes, {"on": amendment["effective_on"], "amendment_id": amendment["id"],
                                                    "changes": decode_changes(amendment["changes"], c.rep_id)}]
                _settle(c)

    class Renewed(LedgerEvent):
        new_ends_on: date
        renewed_on: date

        def apply(self, c: Any) -> None:
            c.renewed_on = self.renewed_on
            c.renewals = [*c.renewals, {"renewed_on": self.renewed_on, "new_ends_on": self.new_ends_on,
                                        "version": self.originator_version}]
            c.term_changes = [*c.term_changes, {"on": self.renewed_on, "amendment_id": None,
                                                "changes": {"ends_on": self.new_ends_on}}]
            _settle(c)

    class Terminated(LedgerEvent):
        """Version 2 adds `notice_given_on`, the day written notice was served."""

        class_version = 2
        terminated_on: date
        ground: str
        notice: str
        reason: str
        notice_given_on: date | None

        def apply(self, c: Any) -> None:
            c.status, c.terminated_on, c.termination_version = "terminated", self.terminated_on, self.originator_version
            c.termination_ground, c.termination_notice, c.termination_reason = self.ground, self.notice, self.reason
            c.termination_notice_given_on = self.notice_given_on

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Terminations recorded before notice dates were kept: none recorded."""
            state.setdefault("notice_given_on", None)

    @classmethod
    def sign(
        cls, *, id: UUID | None, rep_id: UUID, kind: str, starts_on: date, ends_on: date | None,
        probation_months: int, post: str, base_pay_amount: Decimal, currency: str, pay_period: str,
        commission_plan_id: UUID | None, performance_clause: str, **stamp: Any,
    ) -> Contract:
        one_of(kind, KINDS, "kind")
        one_of(pay_period, PAY_PERIODS, "pay_period")
        if kind == "fixed_term" and (ends_on is None or ends_on <= starts_on):
            raise Invalid("a fixed-term contract ends after it starts",
                          errors={"ends_on": ["required and after starts_on for a fixed-term contract"]})
        if kind == "open_ended" and ends_on is not None:
            raise Invalid("an open-ended contract has no end date", errors={"ends_on": ["must be empty"]})
        if not 0 <= probation_months <= MAX_PROBATION_MONTHS:
            raise Invalid("probation is 0 to 6 months", errors={"probation_months": ["must be 0..6"]})
        check_pay(base_pay_amount, currency, "base_pay_amount")
        return cls._start(
            cls.Signed, id, rep_id=rep_id, kind=kind, starts_on=starts_on, ends_on=ends_on,
            probation_months=probation_months, post=post, base_pay_amount=Personal(rep_id, base_pay_amount), currency=currency,
            pay_period=pay_period, commission_plan_id=commission_plan_id,
            performance_clause=performance_clause, **stamp,
        )

    def terms_on(self, day: date) -> dict[str, Any]:
        """Post, pay, end, plan and performance clause in force on `day`: as signed, with the agreed
        amendments effective by then and the renewals agreed by then."""
        return terms_on(self.signed_terms, self.term_changes, day)

    def status_on(self, day: date) -> str:
        """not_yet_started, active, renewed, terminated or expired on `day`, as far as recorded."""
        return status_on(day, starts_on=self.starts_on, ends_on=self.terms_on(day)["ends_on"],
                         terminated_on=self.terminated_on, renewed=any(r["renewed_on"] <= day for r in self.renewals))

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
        one_of(proposed_by, PARTIES, "proposed_by")
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
            check_pay(typed["base_pay_amount"].value, self.currency, "changes.base_pay_amount")
        if "ends_on" in typed:
            self._check_end(typed["ends_on"], "changes.ends_on")
        last_day = typed.get("ends_on", self.ends_on)
        if last_day is not None and effective_on > last_day:
            raise RuleViolation("an amendment cannot take effect after the contract ends", code="after-end",
                                errors={"effective_on": [f"after the contract's end {last_day}"]})
        if all(getattr(self, key) == value for key, value in typed.items()):
            raise RuleViolation("the amendment changes nothing", code="no-change", errors={"changes": ["same as now"]})
        self._record(self.AmendmentProposed, amendment_id=amendment_id, changes=encoded,
                     effective_on=effective_on, proposed_by=proposed_by, reason=reason, **stamp)
        return amendment_id

    def sign_amendment(self, *, amendment_id: UUID, party: str, signer: str, **stamp: Any) -> None:
        self.check_active()
        amendment = self.amendment(amendment_id)
        one_of(party, PARTIES, "party")
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
        # agreed after the term ran out, it would be a new contract, not a renewal (de facto employment meanwhile)
        if not self.starts_on <= renewed_on <= (self.ends_on or renewed_on):
            raise RuleViolation("a renewal is agreed while the contract runs", code="outside-term",
                                errors={"renewed_on": [f"not between {self.starts_on} and {self.ends_on}"]})
        self._record(self.Renewed, new_ends_on=new_ends_on, renewed_on=renewed_on, **stamp)

    def terminate(self, *, terminated_on: date, ground: str, notice: str, reason: str,
                  notice_given_on: date | None = None, **stamp: Any) -> None:
        self.check_active()
        one_of(ground, GROUNDS, "ground")
        one_of(notice, NOTICES, "notice")
        if terminated_on < self.starts_on:
            raise RuleViolation("a contract cannot end before it starts", code="before-start",
                                errors={"terminated_on": ["before starts_on"]})
        if ground == "expiry" and self.kind == "open_ended":
            raise RuleViolation("an open-ended contract does not expire", code="open-ended-contract",
                                errors={"ground": ["open-ended contracts do not expire"]})
        if ground == "expiry" and terminated_on != self.ends_on:
            raise RuleViolation("a contract expires on its end date", code="not-the-end",
                                errors={"terminated_on": [f"the contract ends on {self.ends_on}"]})
        if self.ends_on is not None and terminated_on > self.ends_on:
            raise RuleViolation("a contract cannot be terminated after it has ended", code="after-end",
                                errors={"terminated_on": [f"after the contract's end {self.ends_on}"]})
        if notice not in NOTICE_BY_GROUND[ground]:
            raise RuleViolation(f"{ground} allows notice {' or '.join(NOTICE_BY_GROUND[ground])}",
                                code="notice-not-allowed", errors={"notice": [f"not allowed for {ground}"]})
        self._check_notice(terminated_on, notice, notice_given_on)
        self._record(self.Terminated, terminated_on=terminated_on, ground=ground, notice=notice,
                     reason=reason, notice_given_on=notice_given_on, **stamp)

    def _check_notice(self, terminated_on: date, notice: str, notice_given_on: date | None) -> None:
        if notice_given_on is None:
            return
        if notice_given_on > terminated_on:
            raise RuleViolation("notice is given before the contract ends", code="notice-after-end",
                                errors={"notice_given_on": ["after terminated_on"]})
        if notice == "30_days" and terminated_on < notice_given_on + timedelta(days=NOTICE_DAYS):
            raise RuleViolation(f"{NOTICE_DAYS} days' notice ends on {notice_given_on + timedelta(days=NOTICE_DAYS)}",
                                code="notice-too-short",
                                errors={"terminated_on": [f"less than {NOTICE_DAYS} days after notice_given_on"]})

    def _check_end(self, ends_on: date, field: str) -> None:
        if self.kind == "open_ended":
            raise RuleViolation("an open-ended contract has no end date", code="open-ended-contract",
                                errors={field: ["the contract is open-ended"]})
        if ends_on <= self.starts_on:
            raise RuleViolation("a contract must end after it starts", code="ends-before-start",
                                errors={field: ["not after starts_on"]})
