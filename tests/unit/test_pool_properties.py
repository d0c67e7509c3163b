"""Property: no sequence of pool commands gives a customer two owners or a rep more than the limit allows."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from ledger.application import LedgerApplication
from ledger.base import Ctx
from ledger.commands import org, pool, rules
from ledger.customer import Customer
from ledger.errors import LedgerError
from ledger.holdings import Holdings, holdings_id

START = datetime(2025, 3, 3, 9, tzinfo=timezone.utc)
REPS, CUSTOMERS = 3, 5
index = st.integers(min_value=0, max_value=CUSTOMERS - 1)
rep_index = st.integers(min_value=0, max_value=REPS - 1)
hours = st.integers(min_value=0, max_value=120)


def ctx() -> Ctx:
    return Ctx("property", f"k-{uuid4()}", f"fp-{uuid4()}")


class PoolMachine(RuleBasedStateMachine):
    """Random claims, assignments, releases, recycling, limit changes and departures on the in-memory ledger."""

    def __init__(self) -> None:
        super().__init__()
        self.app = LedgerApplication()
        self.now = START
        self.team = self.app.create_team(org.CreateTeam(name="T", occurred_at=self.now), ctx()).id
        self.reps = [self.app.onboard_rep(org.OnboardRep(name=f"r{n}", team_id=self.team, hired_on=date(2025, 1, 1),
                                                         occurred_at=self.now), ctx()).id for n in range(REPS)]
        self.customers = [self.app.register_customer(pool.RegisterCustomer(name=f"c{n}", occurred_at=self.now),
                                                     ctx()).id for n in range(CUSTOMERS)]
        self.limit = 2
        self._policy(self.limit)
        self.departed: set[UUID] = set()

    def _policy(self, limit: int) -> None:
        self.app.set_pool_policy(rules.SetPoolPolicy(
            team_id=self.team, effective_from=self.now.date(), max_customers=limit, cooloff_days=2,
            protection_days=1, occurred_at=self.now), ctx())

    def _try(self, command: Any, cmd: Any) -> bool:
        """Run a command; a refusal must record nothing at all."""
        before = self.app.head()
        try:
            command(cmd, ctx())
        except LedgerError:
            assert self.app.head() == before, "a refused command recorded events"
            event(f"refused {type(cmd).__name__}")
            return False
        event(f"accepted {type(cmd).__name__}")
        return True

    def _held(self, rep: UUID) -> list[UUID]:
        try:
            holdings = self.app.repository.get(holdings_id(rep))
        except Exception:  # never took a customer
            return []
        assert isinstance(holdings, Holdings)
        return list(holdings.customer_ids)

    def _after_take(self, rep: UUID) -> None:
        assert rep not in self.departed, "a customer was given to a rep who left"
        assert len(self._held(rep)) <= self.limit, "a take went past the holding limit in force"

    @rule(c=index, r=rep_index, later=hours)
    def claim(self, c: int, r: int, later: int) -> None:
        self.now += timedelta(hours=later)
        if self._try(self.app.claim_customer, pool.ClaimCustomer(self.customers[c], self.reps[r], self.now)):
            self._after_take(self.reps[r])

    @rule(c=index, r=rep_index, later=hours)
    def assign(self, c: int, r: int, later: int) -> None:
        self.now += timedelta(hours=later)
        if self._try(self.app.assign_customer, pool.AssignCustomer(self.customers[c], self.reps[r], self.now, "p")):
            self._after_take(self.reps[r])

    @rule(c=index, later=hours)
    def release(self, c: int, later: int) -> None:
        self.now += timedelta(hours=later)
        self._try(self.app.release_customer, pool.ReleaseCustomer(self.customers[c], self.now))

    @rule(c=index, later=hours)
    def recycle(self, c: int, later: int) -> None:
        self.now += timedelta(hours=later)
        self._try(self.app.recycle_customer, pool.RecycleCustomer(self.customers[c], self.now, "idle", 30))

    @rule(limit=st.integers(min_value=1, max_value=3), later=st.integers(min_value=24, max_value=96))
    def change_limit(self, limit: int, later: int) -> None:
        self.now += timedelta(hours=later)  # a new day: the policy applies from then on
        self._policy(limit)
        self.limit = limit

    @rule(r=rep_index)
    def rep_leaves(self, r: int) -> None:
        if self._try(self.app.record_rep_left, org.RecordRepLeft(self.reps[r], self.now.date(), self.now)):
            self.departed.add(self.reps[r])

    @invariant()
    def every_customer_has_at_most_one_owner_and_holdings_agree(self) -> None:
        owners = {}
        for customer_id in self.customers:
            customer = self.app.repository.get(customer_id)
            assert isinstance(customer, Customer)
            owners[customer_id] = customer.owner_id
        for rep in self.reps:
            held = self._held(rep)
            assert len(held) == len(set(held))
            assert set(held) == {c for c, owner in owners.items() if owner == rep}

    @invariant()
    def no_version_of_a_customer_ever_had_two_owners(self) -> None:
        for customer_id in self.customers:
            owner: Any = None
            for fact in self.app.repository.event_store.get(customer_id):
                kind = type(fact).__name__
                if kind == "Claimed":
                    assert owner is None, "claimed while owned"
                    owner = fact.rep_id
                elif kind == "Assigned":
                    assert fact.previous_owner_id == owner, "an assignment named the wrong previous owner"
                    owner = fact.rep_id
                elif kind in ("Released", "Recycled"):
                    assert owner is not None and fact.rep_id == owner
                    owner = None


PoolMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None, database=None)
test_pool_commands_keep_one_owner_and_the_holding_limit = PoolMachine.TestCase
