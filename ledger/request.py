"""RequestRecord: remembers an idempotency key, the request it came with and the result it produced."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from ledger.base import LedgerAggregate

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:idempotency-key")


def request_id(idempotency_key: str) -> UUID:
    """Stream id of the record for a key: saving a second record for one key conflicts."""
    return uuid5(_NAMESPACE, idempotency_key)


class RequestRecord(LedgerAggregate):
    """Saved in the same transaction as the events a keyed request produced."""

    KIND = "request"
    if TYPE_CHECKING:
        key: str
        actor: str
        fingerprint: str
        result_id: UUID
        result_version: int

    class Recorded(Aggregate.Created):
        key: str
        actor: str
        fingerprint: str
        result_id: UUID
        result_version: int

        def apply(self, r: Any) -> None:
            r.key, r.actor, r.fingerprint = self.key, self.actor, self.fingerprint
            r.result_id, r.result_version = self.result_id, self.result_version

    @classmethod
    def record(
        cls, *, key: str, scoped_key: str, actor: str, fingerprint: str, result_id: UUID, result_version: int,
    ) -> RequestRecord:
        """`key` as the client sent it; the stream id comes from the key qualified by its client."""
        return cls._create(cls.Recorded, id=request_id(scoped_key), key=key, actor=actor,
                           fingerprint=fingerprint, result_id=result_id, result_version=result_version)
