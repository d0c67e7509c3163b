"""`ledger tokens`: create, list and revoke API tokens (the secret is shown once, stored as a hash)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Iterator
from uuid import UUID, uuid4

import click

from ledger.application import LedgerApplication
from ledger.base import Ctx
from ledger.token import ROLES

TEAM_TOPIC = "ledger.team:Team.Created"
REP_TOPIC = "ledger.rep:Rep.Onboarded"


def _open() -> Iterator[LedgerApplication]:
    from ledger.application import build_application
    from scripts.cli import _settings, _store_errors

    settings = _settings()
    with _store_errors(settings):
        app = build_application(settings)
        try:
            yield app
        finally:
            app.close()


def _find(app: LedgerApplication, topic: str, text: str, what: str) -> UUID:
    """An id given as a UUID, or found by exact (case-insensitive) name or region."""
    try:
        return UUID(text)
    except ValueError:
        pass
    matches = []
    for n in app.recorder.select_notifications(start=1, limit=10**9, topics=[topic]):
        event = app.mapper.to_domain_event(n)
        names = {getattr(event, "name", "").lower(), getattr(event, "region", "").lower()} - {""}
        if text.lower() in names:
            matches.append(event.originator_id)
    if len(matches) != 1:
        raise click.BadParameter(f"{len(matches)} {what}s match {text!r}; give the id instead")
    return matches[0]


def cli_ctx() -> Ctx:
    return Ctx("cli", f"cli-{uuid4()}")


@click.group()
def tokens() -> None:
    """Create, list and revoke API tokens."""


@tokens.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the token may do.")
@click.option("--name", required=True, help="Who or what holds it, e.g. 'Zhang Wei' or 'CRM sync'.")
@click.option("--team", "teams", multiple=True, help="Team id, name or region (repeatable); manager and integration need one.")
@click.option("--rep", help="The rep's id or name (role rep only).")
@click.option("--expires-in-days", type=click.IntRange(min=1), help="Expiry; default never.")
def create(role: str, name: str, teams: tuple[str, ...], rep: str | None, expires_in_days: int | None) -> None:
    """Issue a token and print its secret once; only its hash is kept."""
    from ledger.commands.access import IssueToken

    for app in _open():
        now = datetime.now(timezone.utc)
        command = IssueToken(
            name=name, role=role, occurred_at=now, team_ids=[_find(app, TEAM_TOPIC, t, "team") for t in teams],
            rep_id=_find(app, REP_TOPIC, rep, "rep") if rep else None,
            expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None)
        token, secret = app.issue_token(command, cli_ctx())
        click.echo(f"token {token.id} ({role}, {name}); the secret is shown only now:", err=True)
        click.echo(secret)


@tokens.command("list")
def list_tokens() -> None:
    """List every token ever issued (never the secrets)."""
    for app in _open():
        for token in app.tokens():
            state = "revoked" if token.revoked else "active"
            teams = ",".join(str(t) for t in token.team_ids) or "-"
            click.echo(f"{token.id}  {token.role:<11} {state:<7} {token.name}  teams={teams}  rep={token.rep_id or '-'}")


@tokens.command("revoke")
@click.argument("token_id", type=click.UUID)
@click.option("--reason", default="", help="Why, for the record.")
def revoke(token_id: UUID, reason: str) -> None:
    """Revoke a token for good; requests with it get 401 from then on."""
    from ledger.commands.access import RevokeToken

    for app in _open():
        app.revoke_token(RevokeToken(token_id=token_id, reason=reason, occurred_at=datetime.now(timezone.utc)), cli_ctx())
        click.echo(f"revoked {token_id}")
