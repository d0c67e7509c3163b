"""Property: an amendment changes the terms only from its effective date, and only once both parties signed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID, uuid4

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ledger.application import LedgerApplication
from ledger.base import Ctx
from ledger.commands import contracts, org
from ledger.contract import Contract
from ledger.errors import LedgerError

NOW = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
STARTS, ENDS = date(2026, 1, 1), date(2028, 12, 31)
offset = st.integers(min_value=0, max_value=(ENDS - STARTS).days)
party = st.sampled_from(["employer", "employee"])
pick = st.integers(min_value=0, max_value=1_000)


def ctx() -> Ctx:
    return Ctx("property", f"k-{uuid4()}", f"fp-{uuid4()}")


@dataclass
class Proposed:
    """The test's own record of an amendment: the oracle the contract is compared with."""

    id: UUID
    post: str
    effective_on: date
    signatures: set[str] = field(default_factory=set)
    agreed: int | None = None  # order in which it became agreed (its second signature)


class AmendmentMachine(RuleBasedStateMachine):
    """Random proposals and signatures (by either party, in any order, repeated) on one contract."""

    def __init__(self) -> None:
        super().__init__()
        self.app = LedgerApplication()
        team = self.app.create_team(org.CreateTeam(name="T", occurred_at=NOW), ctx()).id
        rep = self.app.onboard_rep(org.OnboardRep(name="r", team_id=team, hired_on=STARTS, occurred_at=NOW), ctx()).id
        self.contract = self.app.sign_contract(contracts.SignContract(
            rep_id=rep, kind="fixed_term", starts_on=STARTS, ends_on=ENDS, post="junior", currency="CNY",
            base_pay_amount=Decimal("8000.00"), occurred_at=NOW), ctx()).id
        self.proposed: list[Proposed] = []
        self.agreements = 0

    @rule(days=offset)
    def propose(self, days: int) -> None:
        post = f"post-{len(self.proposed)}"
        effective_on = STARTS + timedelta(days=days)
        amendment = uuid4()
        self.app.propose_amendment(contracts.ProposeAmendment(
            contract_id=self.contract, changes={"post": post}, effective_on=effective_on, proposed_by="employer",
            occurred_at=NOW, amendment_id=amendment), ctx())
        self.proposed.append(Proposed(amendment, post, effective_on))

    @precondition(lambda self: bool(self.proposed))
    @rule(which=pick, who=party)
    def sign(self, which: int, who: str) -> None:
        amendment = self.proposed[which % len(self.proposed)]
        before = self.app.head()
        try:
            self.app.sign_amendment(contracts.SignAmendment(
                contract_id=self.contract, amendment_id=amendment.id, party=who, signer=who, occurred_at=NOW), ctx())
        except LedgerError:
            assert who in amendment.signatures, "a first signature by a party was refused"
            assert self.app.head() == before
            event("second signature by the same party refused")
            return
        assert who not in amendment.signatures, "a party signed the same amendment twice"
        amendment.signatures.add(who)
        if len(amendment.signatures) == 2:
            amendment.agreed = self.agreements
            self.agreements += 1
            event("amendment agreed")

    def expected_post(self, day: date | None) -> str:
        """Signed terms, then agreed amendments by effective date (same date: the later agreement wins)."""
        agreed = sorted((a for a in self.proposed if a.agreed is not None), key=lambda a: (a.effective_on, a.agreed))
        post = "junior"
        for amendment in agreed:
            if day is None or amendment.effective_on <= day:
                post = amendment.post
        return post

    @invariant()
    def terms_follow_only_agreed_amendments_from_their_dates(self) -> None:
        contract = self.app.repository.get(self.contract)  # rebuilt from its stored events
        assert isinstance(contract, Contract)
        days = {STARTS, ENDS, STARTS + timedelta(days=400)} | {a.effective_on for a in self.proposed} | {
            a.effective_on - timedelta(days=1) for a in self.proposed if a.effective_on > STARTS}
        for day in sorted(days):
            assert contract.terms_on(day)["post"] == self.expected_post(day), day
        assert contract.post == self.expected_post(None)
        for amendment in self.proposed:
            stored = contract.amendment(amendment.id)
            assert set(stored["signatures"]) == amendment.signatures


AmendmentMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None, database=None)
test_amendments_take_effect_only_when_both_signed_and_from_their_date = AmendmentMachine.TestCase
