"""ApiToken: a bearer credential with a role and a scope; only the token's hash is ever stored."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, RuleViolation

ROLES = ("admin", "hr", "legal", "auditor", "manager", "rep", "integration")
TEAM_SCOPED = ("manager", "integration")
TOKEN_PREFIX = "spl_"
_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:api-token")


def token_hash(secret: str) -> str:
    """SHA-256 of a high-entropy secret: enough for random tokens (no password stretching needed)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_id(hashed: str) -> UUID:
    """The stream id is derived from the hash, so a token is found without storing it anywhere else."""
    return uuid5(_NAMESPACE, hashed)


class ApiToken(LedgerAggregate):
    """Issued once (the secret is shown once and never stored), revoked for good."""

    KIND = "token"
    if TYPE_CHECKING:
        name: str
        role: str
        team_ids: list[UUID]
        rep_id: UUID | None
        hashed: str
        expires_at: datetime | None
        revoked: bool

    class Issued(LedgerCreated):
        name: str
        role: str
        team_ids: list[UUID]
        rep_id: UUID | None
        hashed: str
        expires_at: datetime | None

        def apply(self, t: Any) -> None:
            t.name, t.role, t.team_ids, t.rep_id = self.name, self.role, list(self.team_ids), self.rep_id
            t.hashed, t.expires_at, t.revoked = self.hashed, self.expires_at, False

    class Revoked(LedgerEvent):
        reason: str

        def apply(self, t: Any) -> None:
            t.revoked = True

    @classmethod
    def issue(
        cls, *, secret: str, name: str, role: str, team_ids: list[UUID], rep_id: UUID | None,
        expires_at: datetime | None, **stamp: Any,
    ) -> ApiToken:
        if role not in ROLES:
            raise Invalid(f"unknown role {role!r}", errors={"role": [f"one of {', '.join(ROLES)}"]})
        if role in TEAM_SCOPED and not team_ids:
            raise Invalid(f"a {role} token needs at least one team", errors={"team_ids": ["required for this role"]})
        if (role == "rep") != (rep_id is not None):
            raise Invalid("a rep token names exactly its rep; other roles name none", errors={"rep_id": ["rep role only"]})
        hashed = token_hash(secret)
        return cls._start(cls.Issued, token_id(hashed), name=name, role=role, team_ids=list(team_ids),
                          rep_id=rep_id, hashed=hashed, expires_at=expires_at, **stamp)

    def revoke(self, *, reason: str, **stamp: Any) -> None:
        if self.revoked:
            raise RuleViolation("the token is already revoked", code="token-revoked")
        self._record(self.Revoked, reason=reason, **stamp)

    def is_usable(self, now: datetime) -> bool:
        return not self.revoked and (self.expires_at is None or now < self.expires_at)
