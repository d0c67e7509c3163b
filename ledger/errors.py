"""One error tree for the domain; each family carries the HTTP status it maps to."""

from __future__ import annotations

from typing import Mapping, Sequence


class LedgerError(Exception):
    """Base of every error the ledger raises on purpose."""

    http_status = 500
    title = "Ledger error"
    code = "ledger-error"

    def __init__(
        self,
        detail: str,
        *,
        errors: Mapping[str, Sequence[str]] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = {k: list(v) for k, v in (errors or {}).items()}
        if code is not None:
            self.code = code


class Invalid(LedgerError):
    """The request is well formed but its values cannot be accepted."""

    http_status = 422
    title = "Invalid request"
    code = "invalid"


class NotFound(LedgerError):
    """The addressed resource does not exist."""

    http_status = 404
    title = "Not found"
    code = "not-found"


class Conflict(LedgerError):
    """The request conflicts with the current state of the ledger."""

    http_status = 409
    title = "Conflict"
    code = "conflict"


class RuleViolation(Conflict):
    """A business rule (an invariant of an aggregate) refuses the command."""

    title = "Business rule violated"
    code = "rule-violation"


class UnknownReference(Conflict):
    """The request refers to an entity the ledger does not know."""

    title = "Unknown reference"
    code = "unknown-reference"


class ConcurrentUpdate(Conflict):
    """Another writer changed the same aggregate first; retry with fresh state."""

    title = "Concurrent update"
    code = "concurrent-update"


class IdempotencyKeyInUse(Conflict):
    """A request with this idempotency key is still being processed."""

    title = "Idempotency key in use"
    code = "idempotency-key-in-use"


class IdempotencyKeyMismatch(Invalid):
    """The idempotency key was already used with a different request."""

    title = "Idempotency key reused with a different request"
    code = "idempotency-key-reused"


class Unavailable(LedgerError):
    """The event store cannot be reached right now."""

    http_status = 503
    title = "Service unavailable"
    code = "unavailable"
