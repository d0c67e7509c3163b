"""Per-person data keys (AES-256-GCM), stored wrapped under the master key beside the events; erasing one shreds its data."""

from __future__ import annotations

import base64
import os
import threading
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Callable
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.errors import Invalid, LedgerError, RuleViolation
from ledger.settings import Settings

TABLE = "ledger_subject_keys"
NONCE_BYTES = 12
CACHE_SECONDS = 5.0  # how long another process may go on decrypting with a key erased elsewhere
CACHE_SIZE = 10_000


class SubjectErased(RuleViolation):
    """New personal data for a subject whose key was destroyed: it could never be read, so it is refused."""

    code = "subject-erased"


class KeyStoreError(LedgerError):
    """The key table cannot be used: missing, unreachable, or its keys do not open with this master key."""

    code = "keystore-error"


class KeyStoreUnavailable(KeyStoreError):
    """The key table's database cannot be reached right now: retry shortly (503, as for the event store)."""

    http_status = 503
    title = "Service unavailable"
    code = "unavailable"


class KeyStore(ABC):
    """Wraps, caches and destroys data keys; subclasses only store the wrapped bytes."""

    def __init__(self, master_key: bytes, *, cache_seconds: float = CACHE_SECONDS) -> None:
        if len(master_key) != 32:
            raise Invalid("the master key must be 32 bytes")
        self._master = AESGCM(master_key)
        self._cache: dict[UUID, tuple[bytes | None, float]] = {}  # None: erased, for good
        self._cache_lock = threading.Lock()
        self.cache_seconds = cache_seconds
        self.clock: Callable[[], float] = time.monotonic

    # -- storage, per backend -------------------------------------------------------------------

    @abstractmethod
    def _insert_if_absent(self, subject: UUID, wrapped: bytes) -> None: ...

    @abstractmethod
    def _select(self, subject: UUID) -> tuple[bytes | None, bool] | None:
        """(wrapped key or None, erased) for a subject, or None when it has no row."""

    @abstractmethod
    def _destroy(self, subject: UUID) -> bool:
        """Delete the wrapped key (keeping the row, with erased_at); True if it was not erased before."""

    @abstractmethod
    def _any_wrapped(self) -> tuple[UUID, bytes] | None:
        """Some live wrapped key, if the table holds one (and exists)."""

    def verify(self) -> KeyStore:
        """Fail at start-up, not at the first read, when the master key is not the one the keys were made with."""
        sample = self._any_wrapped()
        if sample is not None:
            self._unwrap(*sample)
        return self

    def close(self) -> None:
        self.forget()

    # -- keys -------------------------------------------------------------------------------------

    def key_for_writing(self, subject: UUID) -> bytes:
        """The subject's data key, created on first use; refused once the subject is erased."""
        key = self._cached(subject)
        if key is not None:
            return key
        self._insert_if_absent(subject, self._wrap(subject, AESGCM.generate_key(bit_length=256)))
        key = self.key_for_reading(subject)  # whichever concurrent writer inserted first wins
        if key is None:
            raise SubjectErased(f"the personal data of {subject} was erased; nothing more can be recorded for it",
                                errors={"subject_id": ["erased"]})
        return key

    def key_for_reading(self, subject: UUID) -> bytes | None:
        """The subject's data key, or None when it was erased or never existed."""
        with self._cache_lock:
            hit = self._cache.get(subject)
        if hit is not None and hit[1] > self.clock():
            return hit[0]
        row = self._select(subject)
        if row is None:
            return None
        wrapped, erased = row
        key = None if erased or wrapped is None else self._unwrap(subject, wrapped)
        self._remember(subject, key)
        return key

    def erase(self, subject: UUID) -> bool:
        """Destroy the subject's key (idempotent); True if this call destroyed it."""
        destroyed = self._destroy(subject)
        self._remember(subject, None)
        return destroyed

    def status(self, subject: UUID) -> str:
        """"none" (no personal data yet), "active" or "erased"."""
        row = self._select(subject)
        return "none" if row is None else "erased" if row[1] else "active"

    def forget(self) -> None:
        """Drop every cached key (erased subjects are re-read too)."""
        with self._cache_lock:
            self._cache.clear()

    # -- sealing ----------------------------------------------------------------------------------

    def seal(self, subject: UUID, plaintext: bytes) -> dict[str, str]:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.key_for_writing(subject)).encrypt(nonce, plaintext, subject.hex.encode())
        return {"s": subject.hex, "n": _b64(nonce), "c": _b64(sealed)}

    def unseal(self, data: dict[str, str]) -> tuple[UUID, bytes | None]:
        """The subject and plaintext of sealed data; None as plaintext once the subject is erased."""
        subject = UUID(data["s"])
        key = self.key_for_reading(subject)
        if key is None:
            return subject, None
        try:
            return subject, AESGCM(key).decrypt(base64.b64decode(data["n"]), base64.b64decode(data["c"]), subject.hex.encode())
        except InvalidTag:
            raise KeyStoreError(f"personal data of {subject} fails authentication: altered, or not this subject's") from None

    def _cached(self, subject: UUID) -> bytes | None:
        with self._cache_lock:
            hit = self._cache.get(subject)
        return hit[0] if hit is not None and hit[1] > self.clock() else None

    def _remember(self, subject: UUID, key: bytes | None) -> None:
        with self._cache_lock:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[subject] = (key, float("inf") if key is None else self.clock() + self.cache_seconds)

    def _wrap(self, subject: UUID, key: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._master.encrypt(nonce, key, b"subject-key:" + subject.bytes)

    def _unwrap(self, subject: UUID, wrapped: bytes) -> bytes:
        try:
            return self._master.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], b"subject-key:" + subject.bytes)
        except InvalidTag:
            raise KeyStoreError("the master key does not open the stored subject keys: LEDGER_MASTER_KEY "
                                "(or the development .master-key file) is not the one they were made with") from None


class MemoryKeyStore(KeyStore):
    """For in-memory ledgers (unit tests, the `popo` store): keys live as long as the process."""

    def __init__(self, master_key: bytes | None = None, **kwargs: Any) -> None:
        super().__init__(master_key or AESGCM.generate_key(bit_length=256), **kwargs)
        self._rows: dict[UUID, bytes | None] = {}
        self._lock = threading.Lock()

    def _insert_if_absent(self, subject: UUID, wrapped: bytes) -> None:
        with self._lock:
            self._rows.setdefault(subject, wrapped)

    def _select(self, subject: UUID) -> tuple[bytes | None, bool] | None:
        with self._lock:
            return None if subject not in self._rows else (self._rows[subject], self._rows[subject] is None)

    def _destroy(self, subject: UUID) -> bool:
        with self._lock:
            was_live = self._rows.get(subject, b"") is not None
            self._rows[subject] = None
            return was_live

    def _any_wrapped(self) -> tuple[UUID, bytes] | None:
        with self._lock:
            return next(((s, w) for s, w in self._rows.items() if w is not None), None)


def master_key(settings: Settings) -> bytes:
    """The configured master key; in development on SQLite, one kept in a 0600 file beside the database."""
    configured = settings.master_key_bytes()
    if configured is not None:
        return configured
    if settings.production or settings.backend == "postgresql":
        raise Invalid("LEDGER_MASTER_KEY is required (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)")
    if _in_memory(settings.db_path):
        return AESGCM.generate_key(bit_length=256)
    return _development_key_file(Path(f"{settings.db_path}.master-key"), Path(settings.db_path))


def _development_key_file(path: Path, database: Path) -> bytes:
    if not path.exists():
        from ledger.keystore_sqlite import has_wrapped_keys

        if database.exists() and has_wrapped_keys(database):
            raise Invalid(f"{database} holds encrypted personal data but its key file {path} is missing: "
                          "restore the file or set LEDGER_MASTER_KEY to the key it held")
        temporary = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(base64.b64encode(AESGCM.generate_key(bit_length=256)).decode() + "\n")
        try:
            os.link(temporary, path)  # atomic: of two processes starting at once, one key wins
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    key = base64.b64decode(path.read_text().strip(), validate=True)
    if len(key) != 32:
        raise Invalid(f"{path} does not hold a base64 32-byte key")
    return key


def _in_memory(db_path: str) -> bool:
    return db_path == ":memory:" or "mode=memory" in db_path or db_path.startswith("file::memory:")


def open_keystore(settings: Settings) -> KeyStore:
    """The key store for the configured database: the same SQLite file or PostgreSQL database as the events."""
    key = master_key(settings)
    if settings.backend == "postgresql":
        from ledger.keystore_pg import PostgresKeyStore

        store: KeyStore = PostgresKeyStore(settings.database_url, key, create_table=settings.create_tables,
                                           lock_timeout_s=settings.lock_timeout_s)
    elif _in_memory(settings.db_path):
        store = MemoryKeyStore(key)
    else:
        from ledger.keystore_sqlite import SQLiteKeyStore

        store = SQLiteKeyStore(settings.db_path, key, create_table=settings.create_tables,
                               lock_timeout_s=settings.lock_timeout_s)
    try:
        return store.verify()
    except BaseException:
        store.close()
        raise


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
