"""Holdings: the customers one rep holds, saved with every ownership change so limits hold under races."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import RuleViolation

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:holdings")


def holdings_id(rep_id: UUID) -> UUID:
    """One stream per rep, found without an index."""
    return uuid5(_NAMESPACE, str(rep_id))


class Holdings(LedgerAggregate):
    """A rep's held customers. Every claim or assignment saves this stream in the same transaction as the
    customer's, so two concurrent takes read the same version and only one of them can be saved."""

    KIND = "holdings"
    if TYPE_CHECKING:
        rep_id: UUID
        customer_ids: list[UUID]

    class Opened(LedgerCreated):
        rep_id: UUID

        def apply(self, h: Any) -> None:
            h.rep_id, h.customer_ids = self.rep_id, []

    class Taken(LedgerEvent):
        customer_id: UUID

        def apply(self, h: Any) -> None:
            h.customer_ids = [*h.customer_ids, self.customer_id]

    class Given(LedgerEvent):
        customer_id: UUID

        def apply(self, h: Any) -> None:
            h.customer_ids = [c for c in h.customer_ids if c != self.customer_id]

    @classmethod
    def open(cls, *, rep_id: UUID, **stamp: Any) -> Holdings:
        return cls._start(cls.Opened, holdings_id(rep_id), rep_id=rep_id, **stamp)

    @property
    def count(self) -> int:
        return len(self.customer_ids)

    def holds(self, customer_id: UUID) -> bool:
        return customer_id in self.customer_ids

    def check_room(self, limit: int | None) -> None:
        """Refuse a further customer when the rep already holds `limit` (None: no limit in force)."""
        if limit is not None and self.count >= limit:
            raise RuleViolation(f"rep {self.rep_id} already holds {self.count} customers, the most the pool "
                                f"policy allows ({limit})", code="holding-limit",
                                errors={"rep_id": [f"holds {self.count} of at most {limit} customers"]})

    def take(self, *, customer_id: UUID, limit: int | None, **stamp: Any) -> None:
        if self.holds(customer_id):
            return  # already counted (a stream opened after the customer was taken)
        self.check_room(limit)
        self._record(self.Taken, customer_id=customer_id, **stamp)

    def give(self, *, customer_id: UUID, **stamp: Any) -> None:
        """Record that the customer left the rep; nothing if it was never counted here (taken before holdings
        were kept)."""
        if self.holds(customer_id):
            self._record(self.Given, customer_id=customer_id, **stamp)
