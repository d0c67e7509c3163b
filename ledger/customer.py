"""Customer: a pool customer and who owns it; at most one owner at any time."""

from __future__ import annotations

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

    class Registered(LedgerCreated):
        name: str
        segment: str
        source: str
        region: str
        level: str

        def apply(self, c: Any) -> None:
            c.name, c.segment, c.source, c.region = self.name, self.segment, self.source, self.region
            c.level, c.owner_id, c.contacts = self.level, None, []

    class Claimed(LedgerEvent):
        rep_id: UUID

        def apply(self, c: Any) -> None:
            c.owner_id = self.rep_id

    class Assigned(LedgerEvent):
        rep_id: UUID
        previous_owner_id: UUID | None
        reason: str
        rule: str
        seed: int | None

        def apply(self, c: Any) -> None:
            c.owner_id = self.rep_id

    class Released(LedgerEvent):
        rep_id: UUID
        reason: str

        def apply(self, c: Any) -> None:
            c.owner_id = None

    class Recycled(LedgerEvent):
        rep_id: UUID
        rule: str
        days_idle: int

        def apply(self, c: Any) -> None:
            c.owner_id = None

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

    def claim(self, *, rep_id: UUID, **stamp: Any) -> None:
        self.check_in_pool()
        self._record(self.Claimed, rep_id=rep_id, **stamp)

    def assign(self, *, rep_id: UUID, reason: str, rule: str, seed: int | None, **stamp: Any) -> None:
        if self.owner_id == rep_id:
            raise RuleViolation("the rep already owns this customer", code="no-change",
                                errors={"rep_id": ["already the owner"]})
        self._record(self.Assigned, rep_id=rep_id, previous_owner_id=self.owner_id,
                     reason=reason, rule=rule, seed=seed, **stamp)

    def release(self, *, reason: str, **stamp: Any) -> None:
        self._record(self.Released, rep_id=self.check_owned(), reason=reason, **stamp)

    def recycle(self, *, rule: str, days_idle: int, **stamp: Any) -> None:
        self._record(self.Recycled, rep_id=self.check_owned(), rule=rule, days_idle=days_idle, **stamp)

    def record_contact(self, *, name: str, phone: str | None, title: str, **stamp: Any) -> None:
        self._record(self.ContactRecorded, name=Personal(self.id, name), phone=personal(self.id, phone),
                     title=title, **stamp)
