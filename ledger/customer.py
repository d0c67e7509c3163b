"""Customer: a pool customer and who owns it; at most one owner at any time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import RuleViolation
from ledger.personal import Personal, personal


class Customer(LedgerAggregate):
    """A customer; `owner_id` is None while the customer sits in the shared pool."""

    KIND = "customer"
    if TYPE_CHECKING:
        name: str
        segment: str
        source: str
        region: str
        level: str
        owner_id: UUID | None
        contacts: list[dict[str, Any]]
        since: datetime | None
        warning: dict[str, Any] | None
        recycled_from: dict[str, datetime]

    class Registered(LedgerCreated):
        name: str
        segment: str
        source: str
        region: str
        level: str

        def apply(self, c: Any) -> None:
            c.name, c.segment, c.source, c.region = self.name, self.segment, self.source, self.region
            c.level, c.owner_id, c.contacts = self.level, None, []
            c.since, c.warning, c.recycled_from = None, None, {}

    class Claimed(LedgerEvent):
        rep_id: UUID

        def apply(self, c: Any) -> None:
            c.owner_id, c.since, c.warning = self.rep_id, self.occurred_at, None

    class Assigned(LedgerEvent):
        """`ranking`: the candidates a distribution rule chose among, in its order (empty for manual)."""

        class_version = 2
        rep_id: UUID
        previous_owner_id: UUID | None
        reason: str
        rule: str
        seed: int | None
        ranking: list[dict[str, Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Assignments recorded before rankings were kept: none was used."""
            state.setdefault("ranking", [])

        def apply(self, c: Any) -> None:
            c.owner_id, c.since, c.warning = self.rep_id, self.occurred_at, None

    class Released(LedgerEvent):
        rep_id: UUID
        reason: str

        def apply(self, c: Any) -> None:
            c.owner_id, c.since, c.warning = None, None, None

    class Recycled(LedgerEvent):
        rep_id: UUID
        rule: str
        days_idle: int

        def apply(self, c: Any) -> None:
            c.owner_id, c.since, c.warning = None, None, None
            c.recycled_from = {**c.recycled_from, str(self.rep_id): self.occurred_at}

    class RecycleWarned(LedgerEvent):
        """Notice to the owner that the customer goes back to the pool on `recycle_on` unless worked."""

        rep_id: UUID
        rule: str
        days_idle: int
        recycle_on: date

        def apply(self, c: Any) -> None:
            c.warning = {"rep_id": self.rep_id, "rule": self.rule, "days_idle": self.days_idle,
                         "recycle_on": self.recycle_on, "warned_at": self.occurred_at}

    class ContactRecorded(LedgerEvent):
        """A contact person at the customer; name and phone encrypted under the customer's key."""

        name: Personal
        phone: Personal | None
        title: str

        def apply(self, c: Any) -> None:
            c.contacts = [*c.contacts, {"name": self.name, "phone": self.phone, "title": self.title}]

    @classmethod
    def register(
        cls, *, id: UUID | None, name: str, segment: str, source: str, region: str, level: str, **stamp: Any
    ) -> Customer:
        return cls._start(cls.Registered, id, name=name, segment=segment, source=source,
                          region=region, level=level, **stamp)

    def check_in_pool(self) -> None:
        if self.owner_id is not None:
            raise RuleViolation(f"customer {self.id} is owned by rep {self.owner_id}",
                                code="customer-owned", errors={"customer_id": ["already has an owner"]})

    def check_owned(self) -> UUID:
        if self.owner_id is None:
            raise RuleViolation(f"customer {self.id} is in the pool", code="customer-in-pool",
                                errors={"customer_id": ["has no owner"]})
        return self.owner_id

    def in_cooloff(self, rep_id: UUID, at: datetime, cooloff_days: int) -> bool:
        """Whether the customer was recycled from this rep less than `cooloff_days` before `at`."""
        recycled_at = self.recycled_from.get(str(rep_id))
        return recycled_at is not None and at < recycled_at + timedelta(days=cooloff_days)

    def claim(self, *, rep_id: UUID, cooloff_days: int = 0, **stamp: Any) -> None:
        self.check_in_pool()
        if self.in_cooloff(rep_id, stamp["occurred_at"], cooloff_days):
            until = self.recycled_from[str(rep_id)] + timedelta(days=cooloff_days)
            raise RuleViolation(f"customer {self.id} was recycled from rep {rep_id}; it may not be re-claimed "
                                f"by them before {until.isoformat()}", code="cool-off",
                                errors={"rep_id": [f"in cool-off for this customer until {until.isoformat()}"]})
        self._record(self.Claimed, rep_id=rep_id, **stamp)

    def assign(
        self, *, rep_id: UUID, reason: str, rule: str, seed: int | None, ranking: list[dict[str, Any]] | None = None,
        **stamp: Any,
    ) -> None:
        if self.owner_id == rep_id:
            raise RuleViolation("the rep already owns this customer", code="no-change",
                                errors={"rep_id": ["already the owner"]})
        self._record(self.Assigned, rep_id=rep_id, previous_owner_id=self.owner_id,
                     reason=reason, rule=rule, seed=seed, ranking=[dict(r) for r in ranking or []], **stamp)

    def release(self, *, reason: str, **stamp: Any) -> None:
        self._record(self.Released, rep_id=self.check_owned(), reason=reason, **stamp)

    def check_unprotected(self, at: datetime, protection_days: int) -> None:
        """A customer is protected from recycling for `protection_days` after being claimed or assigned."""
        if self.since is not None and at < self.since + timedelta(days=protection_days):
            until = self.since + timedelta(days=protection_days)
            raise RuleViolation(f"customer {self.id} is protected until {until.isoformat()}", code="protected",
                                errors={"customer_id": [f"protected from recycling until {until.isoformat()}"]})

    def warn_recycle(self, *, rule: str, days_idle: int, recycle_on: date, **stamp: Any) -> None:
        owner = self.check_owned()
        if recycle_on < stamp["occurred_at"].date():
            raise RuleViolation("a recycling notice cannot name a past day", code="recycle-on-past",
                                errors={"recycle_on": ["before the day of the notice"]})
        self._record(self.RecycleWarned, rep_id=owner, rule=rule, days_idle=days_idle, recycle_on=recycle_on,
                     **stamp)

    def recycle(self, *, rule: str, days_idle: int, protection_days: int = 0, **stamp: Any) -> None:
        owner = self.check_owned()
        self.check_unprotected(stamp["occurred_at"], protection_days)
        self._record(self.Recycled, rep_id=owner, rule=rule, days_idle=days_idle, **stamp)

    def record_contact(self, *, name: str, phone: str | None, title: str, **stamp: Any) -> None:
        self._record(self.ContactRecorded, name=Personal(self.id, name), phone=personal(self.id, phone),
                     title=title, **stamp)
