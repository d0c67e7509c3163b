"""Handlers for access: issuing, revoking and checking tokens; recording sensitive reads."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from ledger.base import Ctx
from ledger.commands.access import IssueToken, RecordSensitiveRead, RevokeToken
from ledger.read_audit import ReadAudit
from ledger.rep import Rep
from ledger.services.base import ServiceBase
from ledger.team import Team
from ledger.token import TOKEN_PREFIX, ApiToken, token_hash, token_id


class AccessService(ServiceBase):
    """Tokens are events like everything else: who was given which access, and when it ended."""

    def issue_token(self, cmd: IssueToken, ctx: Ctx) -> tuple[ApiToken, str]:
        """Returns the token and its secret; the secret is not stored and cannot be shown again."""
        for team in cmd.team_ids:
            self.load(Team, team, field="team_ids")
        if cmd.rep_id is not None:
            self.load(Rep, cmd.rep_id, field="rep_id").check_active()
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.issue(secret=secret, name=cmd.name, role=cmd.role, team_ids=cmd.team_ids, rep_id=cmd.rep_id,
                               expires_at=cmd.expires_at, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, token), secret

    def revoke_token(self, cmd: RevokeToken, ctx: Ctx) -> ApiToken:
        token = self.load(ApiToken, cmd.token_id)
        token.revoke(reason=cmd.reason, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, token)

    def authenticate(self, secret: str) -> ApiToken | None:
        """The usable token for a presented secret, or None. The hash comparison is constant-time."""
        hashed = token_hash(secret)
        try:
            token: object = self.repository.get(token_id(hashed))
        except AggregateNotFoundError:
            return None
        if not isinstance(token, ApiToken) or not hmac.compare_digest(token.hashed, hashed):
            return None
        return token if token.is_usable(datetime.now(timezone.utc)) else None

    def tokens(self) -> list[ApiToken]:
        """Every token ever issued, oldest first (revoked ones included)."""
        ids = [UUID(str(n.originator_id)) for n in self.recorder.select_notifications(
            start=1, limit=10**9, topics=[f"{ApiToken.__module__}:{ApiToken.Issued.__qualname__}"])]
        return [self.load(ApiToken, token) for token in ids]

    def record_sensitive_read(self, cmd: RecordSensitiveRead, ctx: Ctx) -> ReadAudit:
        record = ReadAudit.record(reader=cmd.reader, role=cmd.role, resource=cmd.resource, subject_ids=cmd.subject_ids,
                                  remote_addr=cmd.remote_addr, user_agent=cmd.user_agent, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, record)

    def access_log(self, after: int, limit: int) -> list[tuple[int, Any]]:
        """Sensitive reads after a position, in ledger order, as (position, event)."""
        topic = f"{ReadAudit.__module__}:{ReadAudit.SensitiveDataRead.__qualname__}"
        notifications = self.recorder.select_notifications(start=after + 1, limit=limit, topics=[topic])
        return [(n.id, self.mapper.to_domain_event(n)) for n in notifications]
