"""`ledger demo`: a deterministic demo organisation with a year of activity, recorded as events."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import click

from ledger.application import LedgerApplication
from ledger.base import Ctx

TEAMS = [("华东 East", "east"), ("华北 North", "north"), ("华南 South", "south")]
REP_NAMES = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴婷", "徐明", "孙丽"]
PRODUCTS = [("CRM Standard", Decimal("12000")), ("CRM Pro", Decimal("36000")), ("Analytics add-on", Decimal("8000")),
            ("Implementation", Decimal("20000"))]
KINDS = ["call", "call", "call", "visit", "meeting", "wechat", "email", "proposal", "demo"]
STAGES = ["lead", "qualified", "proposal", "negotiation"]


@dataclass
class DemoWriter:
    """Issues commands with deterministic ids and idempotency keys, so a rerun records nothing twice."""

    app: LedgerApplication
    seed: int
    counter: int = 0
    written: int = 0
    replayed: int = 0
    ids: dict[str, UUID] = field(default_factory=dict)

    def id(self, name: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"urn:sales-ledger:demo:{self.seed}:{name}")

    def do(self, method: Callable[[Any, Ctx], Any], cmd: Any, actor: str = "demo", stable: str | None = None) -> Any:
        """`stable` names a command whose body is computed from the ledger (a payout run), so that a rerun,
        seeing a longer ledger, still replays the first result instead of refusing the key."""
        self.counter += 1
        if getattr(cmd, "id", "") is None:  # deterministic stream ids: same seed, same ledger
            cmd = replace(cmd, id=self.id(f"cmd-{self.counter}"))
        fingerprint = hashlib.sha256((stable or repr(cmd)).encode()).hexdigest()
        ctx = Ctx(actor=actor, idempotency_key=f"demo-{self.seed}-{self.counter}", fingerprint=fingerprint)
        earlier = self.app.replay(ctx)
        if earlier is not None:
            self.replayed += 1
            return earlier
        self.written += 1
        return method(cmd, ctx)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=timezone.utc)


def quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def month(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def build_demo(app: LedgerApplication, seed: int, until: date, progress: Callable[[int], None],
               queries: Any) -> DemoWriter:
    """Record the demo organisation; `progress(n)` is called as weeks of activity complete. `queries`
    (projections.registry.Queries over the same store) computes the year-end payout runs."""
    from scripts import demo_steps

    w = DemoWriter(app, seed)
    rng = random.Random(seed)
    start = until - timedelta(days=364)
    org = demo_steps.organisation(w, rng, start)
    demo_steps.rules(w, org, start)
    demo_steps.contracts(w, org, start)
    for week in range(52):
        demo_steps.week(w, rng, org, start + timedelta(days=7 * week))
        progress(1)
    demo_steps.year_end(w, rng, org, until, queries)
    return w


def demo_tokens(app: LedgerApplication, w: DemoWriter) -> list[tuple[str, str, str]]:
    """One fresh token per role: a manager and an integration for the first team, a rep for its first rep."""
    from ledger.commands.access import IssueToken
    from ledger.token import ROLES

    team, rep = w.id("team-0"), w.id("rep-0")
    issued = []
    for role in ROLES:
        scope: dict[str, Any] = {"team_ids": [team]} if role in ("manager", "integration") else {}
        if role == "rep":
            scope = {"rep_id": rep}
        command = IssueToken(name=f"demo {role}", role=role, occurred_at=datetime.now(timezone.utc), **scope)
        _, secret = app.issue_token(command, Ctx("demo", f"demo-token-{uuid4()}"))
        whose = f"team {TEAMS[0][0]}" if "team_ids" in scope else f"rep {REP_NAMES[0]}" if role == "rep" else "all teams"
        issued.append((role, secret, whose))
    return issued


@click.command()
@click.option("--seed", default=7, show_default=True, help="Random seed: the same seed gives the same ledger.")
@click.option("--until", "until", default="2026-10-31", show_default=True,
              type=click.DateTime(formats=["%Y-%m-%d"]), help="Last business day of the demo year.")
def demo(seed: int, until: datetime) -> None:
    """Fill the ledger with a demo organisation: 3 teams, 12 reps, 200 customers, a year of activity.

    Deterministic for a seed; running it again records nothing new (every command carries an
    idempotency key derived from the seed).
    """
    from tqdm import tqdm

    from ledger.application import build_application
    from projections.registry import Queries
    from scripts.cli import _settings, _store_errors, _where

    settings = _settings()
    with _store_errors(settings):
        app = build_application(settings)
        queries = Queries(app, settings)
        try:
            head = app.head()
            with tqdm(total=52, unit="week", desc="demo year") as bar:
                writer = build_demo(app, seed, until.date(), bar.update, queries)
            click.echo(f"{writer.written} commands recorded, {writer.replayed} already present; "
                       f"ledger head {head} -> {app.head()} in {_where(settings)}")
            click.echo("tokens for the tour (shown once; `ledger tokens revoke ID` ends one):")
            for role, secret, whose in demo_tokens(app, writer):
                click.echo(f"  {role:<12} {secret}  {whose}")
        finally:
            queries.close()
            app.close()
