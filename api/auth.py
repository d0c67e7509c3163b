"""Bearer-token authentication: every /api/v1 request but the OpenAPI document names its principal."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from flask import g, request

from api.ext import ledger
from ledger.errors import LedgerError

PUBLIC_ENDPOINTS = frozenset({"healthz", "static", "api-docs.openapi_json"})


class Unauthorized(LedgerError):
    """No usable credential: missing, malformed, unknown, expired or revoked token."""

    http_status = 401
    title = "Unauthorized"
    code = "unauthorized"


class Forbidden(LedgerError):
    """The principal's role or scope does not allow this request."""

    http_status = 403
    title = "Forbidden"
    code = "forbidden"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's id, name, role and scope."""

    token_id: UUID
    name: str
    role: str
    team_ids: frozenset[UUID]
    rep_id: UUID | None

    @property
    def actor(self) -> str:
        """How the principal is named in the events it records."""
        return f"{self.role}:{self.name}"


def authenticate() -> Principal:
    """Parse `Authorization: Bearer <token>` and load the token; 401 on anything else."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        raise Unauthorized("an Authorization: Bearer <token> header is required")
    if scheme.lower() != "bearer" or not secret.strip() or len(secret) > 200:
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    token = ledger().authenticate(secret.strip())
    if token is None:
        raise Unauthorized("the token is unknown, expired or revoked")
    return Principal(token.id, token.name, token.role, frozenset(token.team_ids), token.rep_id)


def current_principal() -> Principal:
    principal: Principal = g.principal
    return principal
