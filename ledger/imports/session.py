"""ImportSession: the real command handlers over a write-behind unit of work that saves nothing by itself."""

from __future__ import annotations

import copy
import pickle
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import DomainEventProtocol

from ledger.base import Ctx, LedgerAggregate
from ledger.commission_plan import CommissionPlan
from ledger.complaint import Complaint
from ledger.customer import Customer
from ledger.deal import Deal
from ledger.errors import ConcurrentUpdate
from ledger.followup import FollowUp
from ledger.fx_rate import FxRate
from ledger.group import Group
from ledger.holdings import Holdings
from ledger.imports.spill import Encoder, Spilled
from ledger.pool_policy import PoolPolicy
from ledger.rep import Rep
from ledger.services.base import ServiceBase
from ledger.team import Team
from ledger.training import Training

A = TypeVar("A", bound=LedgerAggregate)

# No row of an import file can act on these once created, so they are never kept in memory.
LEAVES: tuple[type[LedgerAggregate], ...] = (FollowUp, Training, Complaint)

# Their events' `apply` assign new values (`h.customer_ids = [*h.customer_ids, c]`) instead of mutating in place
# (tests/unit/test_import_session.py holds them to it); others (a contract's amendments) are pickled.
REBINDING: frozenset[type[LedgerAggregate]] = frozenset({Team, Rep, Customer, Holdings, Deal, FxRate, PoolPolicy,
                                                           CommissionPlan, Group})


def _copy(aggregate: A) -> A:
    """An independent copy: a handler that fails half-way must leave the session's state untouched, as a
    failed command leaves the store untouched. Aggregates whose events only ever rebind attributes (never
    change a list or dict in place) share their values safely: a shallow copy, ~50x cheaper than pickling."""
    if type(aggregate) in REBINDING:
        twin = object.__new__(type(aggregate))
        twin.__dict__.update(aggregate.__dict__)
        twin._pending_events = []
        return twin
    try:
        copied: A = pickle.loads(pickle.dumps(aggregate, protocol=pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError):
        copied = copy.deepcopy(aggregate)
    return copied


def _keep_open() -> None:
    """`close` of a session's view of the application: the store it shares belongs to the application."""


class _Repository:
    """What handlers see as `self.repository`: aggregates changed by earlier rows first, then the store."""

    def __init__(self, session: ImportSession) -> None:
        self.session = session
        self.real = session.app.repository
        self.event_store = self.real.event_store

    def get(self, aggregate_id: UUID, *, version: int | None = None, **kwargs: Any) -> Any:
        if version is not None:  # a read of the past (idempotent replay): only the store has it
            return self.real.get(aggregate_id, version=version, **kwargs)
        return self.session.lookup(aggregate_id)

    def __contains__(self, aggregate_id: UUID) -> bool:
        try:
            self.session.lookup(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True


class ImportSession:
    """Runs the application's own handlers (`session.app_view.claim_customer(cmd, ctx)`), so every invariant
    of the API holds, over a write-behind unit of work: `commit` saves nothing, it makes the changed aggregates
    the session's state (what later rows' handlers load) and collects their events for `take_events`."""

    def __init__(self, app: ServiceBase, encoder: Encoder | None = None) -> None:
        self.app = app
        self.cache: dict[UUID, LedgerAggregate] = {}
        self.absent: set[UUID] = set()
        self.created: set[UUID] = set()  # ids named by rows (not derived), to refuse a second creation
        self.pending: list[DomainEventProtocol[UUID] | Spilled] = []
        self.encoder = encoder or Encoder(app.mapper)  # lean handlers may encode their events themselves
        # Into an empty ledger (a migration's usual target) nothing can be found: no read goes to the store. A
        # record someone else writes meanwhile still conflicts when the batch is saved (optimistic concurrency).
        self.store_empty = not app.recorder.max_notification_id()
        # A shallow copy shares the store, the mapper and the key store, but has its own repository and commit.
        view = copy.copy(app)
        view._repository = _Repository(self)  # type: ignore[assignment]  # what the `repository` property returns
        view.commit = self.commit  # type: ignore[method-assign]
        # Application.__del__ closes the store; the view's store is the app's, which must stay open.
        view.close = _keep_open  # type: ignore[method-assign]
        self.app_view = view

    def lookup(self, aggregate_id: UUID) -> LedgerAggregate:
        found = self.cache.get(aggregate_id)
        if found is not None:
            return _copy(found)
        if aggregate_id in self.absent or self.store_empty:
            raise AggregateNotFoundError(aggregate_id)
        try:
            loaded: LedgerAggregate = self.app.repository.get(aggregate_id)
        except AggregateNotFoundError:
            self.absent.add(aggregate_id)
            raise
        if isinstance(loaded, LEAVES):
            return loaded
        self.cache[aggregate_id] = loaded
        return _copy(loaded)

    def exists(self, aggregate_id: UUID) -> bool:
        """Whether a record with this id is in the session or the store (for rows that name their id)."""
        if aggregate_id in self.created or aggregate_id in self.cache:
            return True
        if aggregate_id in self.absent or self.store_empty:
            return False
        return bool(self.app.recorder.select_events(aggregate_id, limit=1))

    def commit(self, ctx: Ctx, result: A, *others: LedgerAggregate) -> A:
        """The handlers' unit of work, write-behind: the changed aggregates become the session's state."""
        touched: list[LedgerAggregate] = [result, *others]
        changed = [agg for agg in touched if agg.pending_events]
        for agg in changed:
            cached = self.cache.get(agg.id)
            if cached is not None and agg.pending_events[0].originator_version != cached.version + 1:
                raise ConcurrentUpdate(f"{agg.KIND} {agg.id} was changed twice in one command")
        for agg in changed:
            events = agg.collect_events()
            self.pending.extend(events)
            self.absent.discard(agg.id)
            if not isinstance(agg, LEAVES):
                self.cache[agg.id] = agg
        return result

    def record_leaf(self, created: DomainEventProtocol[UUID] | Spilled) -> None:
        """A lean handler's event (or the event spilled already) creating a record no later row can act on
        (ledger/imports/lean.py): what `commit` does for such a record."""
        self.pending.append(created)
        self.absent.discard(created[0] if type(created) is tuple else created.originator_id)  # type: ignore[union-attr]

    def note_created(self, aggregate_id: UUID) -> None:
        self.created.add(aggregate_id)

    def take_events(self) -> list[DomainEventProtocol[UUID] | Spilled]:
        """The events collected since the last call, in the order the handlers recorded them."""
        events, self.pending = self.pending, []
        return events
