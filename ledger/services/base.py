"""Shared plumbing for command handlers: loading, the unit of work and idempotent replay."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding
from eventsourcing.utils import EnvType

from ledger.base import Ctx, LedgerAggregate
from ledger.errors import ConcurrentUpdate, IdempotencyKeyMismatch, NotFound, UnknownReference
from ledger.keystore import KeyStore, MemoryKeyStore
from ledger.personal import ERASED, Personal
from ledger.request import RequestRecord, request_id

A = TypeVar("A", bound=LedgerAggregate)


class DateAsISO(Transcoding):
    """Business dates (hired_on, contract terms) stored as ISO 8601 strings."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class PersonalAsCiphertext(Transcoding):
    """Personal values stored as AES-GCM ciphertext under their subject's key (AAD: the subject id).
    The inner value goes through the same transcoder first, so decimals and dates come back typed;
    once the subject's key is destroyed the value decodes as "[erased]"."""

    type = Personal
    name = "personal"

    def __init__(self, keystore: KeyStore, transcoder: JSONTranscoder) -> None:
        self.keystore, self.transcoder = keystore, transcoder

    def encode(self, obj: Personal) -> dict[str, str]:
        return self.keystore.seal(obj.subject_id, self.transcoder.encode(obj.value))

    def decode(self, data: dict[str, str]) -> Personal:
        subject, plaintext = self.keystore.unseal(data)
        return Personal(subject, ERASED if plaintext is None else self.transcoder.decode(plaintext))


class ServiceBase(Application[UUID]):
    """The write side's unit of work: every command saves all it changed in one transaction."""

    name = "Ledger"

    def __init__(self, env: EnvType | None = None, keystore: KeyStore | None = None) -> None:
        # The transcoder, built inside Application.__init__, needs the key store already.
        self.keystore = keystore if keystore is not None else MemoryKeyStore()
        super().__init__(env)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        transcoder.register(PersonalAsCiphertext(self.keystore, transcoder))

    def close(self) -> None:
        super().close()
        self.keystore.close()

    def load(self, cls: type[A], id: UUID, *, field: str | None = None, version: int | None = None) -> A:
        """Load an aggregate; unknown ids in the path are 404, unknown references in a body 409."""
        agg: object
        try:
            agg = self.repository.get(id, version=version)
        except AggregateNotFoundError:
            agg = None
        if not isinstance(agg, cls):
            if field is None:
                raise NotFound(f"no {cls.KIND} with id {id}") from None
            raise UnknownReference(f"no {cls.KIND} with id {id}", errors={field: [f"unknown {cls.KIND}"]}) from None
        return agg

    def replay(self, ctx: Ctx) -> LedgerAggregate | None:
        """The result a keyed request already produced, as it stood then; None if the key is new."""
        if not (ctx.idempotency_key and ctx.fingerprint):
            return None
        try:
            record: object = self.repository.get(request_id(ctx.request_key))
        except AggregateNotFoundError:
            return None
        assert isinstance(record, RequestRecord)
        if record.fingerprint != ctx.fingerprint:
            raise IdempotencyKeyMismatch(
                "this Idempotency-Key was already used with a different request",
                errors={"Idempotency-Key": ["already used with a different request"]},
            )
        result: object = self.repository.get(record.result_id, version=record.result_version)
        assert isinstance(result, LedgerAggregate)
        return result

    def commit(self, ctx: Ctx, result: A, *others: LedgerAggregate) -> A:
        """Save the result, everything else the command changed and the request record, atomically."""
        records = []
        if ctx.idempotency_key and ctx.fingerprint:  # a keyed request whose retries must replay
            records.append(RequestRecord.record(
                key=ctx.idempotency_key, scoped_key=ctx.request_key, actor=ctx.actor, fingerprint=ctx.fingerprint,
                result_id=result.id, result_version=result.version,
            ))
        try:
            self.save(result, *others, *records)
        except IntegrityError:
            earlier = self.replay(ctx)
            if earlier is not None:
                return earlier  # type: ignore[return-value]
            raise ConcurrentUpdate(
                "another request changed the same record first; reload and retry"
            ) from None
        return result

    def head(self) -> int:
        """Position of the newest event in the ledger (0 when empty)."""
        return self.recorder.max_notification_id() or 0

    def current(self, cls: type[A], id: UUID) -> A:
        return self.load(cls, id)

    def history(self, cls: type[A], id: UUID) -> list[Any]:
        self.load(cls, id)
        return list(self.repository.event_store.get(id))
