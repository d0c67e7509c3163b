"""`ledger statement`, `ledger payouts ...`: commission statements, payout runs and payroll files from the shell."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import click

from scripts.readcli import _table, read_side


@click.command()
@click.argument("rep")
@click.option("--period", required=True, help="A month, YYYY-MM.")
@click.option("--as-of", "as_of", help="A ledger position or an ISO timestamp: the statement as it stood then.")
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False, path_type=Path), help="Also write a PDF here.")
def statement(rep: str, period: str, as_of: str | None, pdf: Path | None) -> None:
    """Print a rep's commission statement for a month (REP is the rep's id or exact name)."""
    from projections.reports import statement_pdf
    from scripts.tokens import REP_TOPIC, _find

    with read_side() as (queries, _):
        rep_id = _find(queries.read_side.app, REP_TOPIC, rep, "rep")
        found = queries.commissions.statement(rep_id, period, as_of)
        plan = found["plan"] or {}
        click.echo(f"{found['rep_id']}  {period}  plan {plan.get('name', '-')} v{plan.get('version', '-')}  "
                   f"quota {found['quota'] or '-'}  bookings {found['bookings']}  attainment "
                   f"{found['attainment'] or '-'}%  as of position {found['as_of']}")
        _table([[x["kind"], str(x["deal_id"] or "-")[:8], x["rule"], x["plan_version"] or "-", x["base"] or "-",
                 x["rate"] if x["rate"] is not None else "-", x["amount"], ",".join(map(str, x["positions"]))]
                for x in found["lines"]], ["kind", "deal", "rule", "v", "base", "rate", "amount", "positions"])
        click.echo(f"earned {found['earned']}  paid {found['paid']}  due {found['due']}  {found['currency'] or ''}")
        for note in found["notes"]:
            click.echo(f"note: {note}")
        if pdf is not None:
            pdf.write_bytes(statement_pdf.render(found))
            click.echo(f"wrote {pdf}")


@click.group()
def payouts() -> None:
    """Payout runs: calculate a team's month, export an approved run for payroll."""


@payouts.command("calculate")
@click.option("--team", "team", required=True, type=click.UUID, help="The team's id.")
@click.option("--period", required=True, help="A month, YYYY-MM.")
@click.option("--by", "actor", default="cli", show_default=True, help="Who calculates (recorded; approval needs someone else).")
def calculate(team: UUID, period: str, actor: str) -> None:
    """Calculate and record a team's payout run for a month (or recalculate it if it exists and is unpaid)."""
    from ledger.base import Ctx
    from ledger.commands.payouts import CalculatePayout, RecalculatePayout
    from ledger.errors import NotFound
    from ledger.payout import PayoutRun
    from ledger.services.payouts import run_id
    from ledger.team import Team

    with read_side() as (queries, _):
        app, now = queries.read_side.app, datetime.now(timezone.utc)
        app.load(Team, team, field="team")
        ctx = Ctx(actor=f"cli:{actor}", idempotency_key=f"cli-{uuid4()}")
        try:
            app.load(PayoutRun, run_id(team, period))
        except NotFound:
            computed = queries.commissions.calculation(team, period)
            run = app.calculate_payout(CalculatePayout(period=period, team_id=team, **computed,
                                                       calculated_by=ctx.actor, occurred_at=now), ctx)
        else:
            computed = queries.commissions.calculation(team, period, run_id(team, period))
            run = app.recalculate_payout(RecalculatePayout(
                run_id=run_id(team, period), lines=computed["lines"], adjustments=computed["adjustments"],
                through_position=computed["through_position"], recalculated_by=ctx.actor, occurred_at=now), ctx)
        click.echo(f"run {run.id}  {run.period}  {run.status}  {len(run.lines)} lines, "
                   f"{len(run.adjustments)} adjustments  total {run.total} {run.currency}")


@payouts.command("export")
@click.argument("run", type=click.UUID)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
def export(run: UUID, fmt: str, out: Path) -> None:
    """Write the payroll file of an approved or paid run: one row per rep."""
    from ledger.payout import PayoutRun
    from projections.reports import payroll

    with read_side() as (queries, _):
        found = payroll.rows(queries.read_side.app.load(PayoutRun, run))
        out.write_bytes(payroll.to_xlsx(found) if fmt == "xlsx" else payroll.to_csv(found))
        click.echo(f"wrote {out}: {len(found)} reps")


@payouts.command("simulate")
@click.argument("draft", type=click.File("r"))
@click.option("--from", "period_from", required=True, help="First month, YYYY-MM.")
@click.option("--to", "period_to", required=True, help="Last month, YYYY-MM.")
@click.option("--plan", "plan_id", type=click.UUID, help="The plan the draft replaces (default: every rep).")
@click.option("--team", "team_id", type=click.UUID, help="Only this team.")
def simulate(draft: Any, period_from: str, period_to: str, plan_id: UUID | None, team_id: UUID | None) -> None:
    """What-if: pay under a draft plan (DRAFT: a JSON file {"currency": ..., "rules": {...}}) beside the actual."""
    from api.parser import loads_exact

    body = loads_exact(draft.read())
    with read_side() as (queries, _):
        found = queries.commissions.simulate(currency=body["currency"], rules=body["rules"], period_from=period_from,
                                             period_to=period_to, plan_id=plan_id, team_id=team_id)
        _table([[str(r["rep_id"])[:8], r["period"], r["actual"], r["simulated"], r["difference"]] for r in found["rows"]],
               ["rep", "period", "actual", "simulated", "difference"])
        click.echo(json.dumps({k: str(v) for k, v in found["totals"].items()}))
