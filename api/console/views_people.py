"""People pages: warnings and notifications, the contract calendar, payout runs and statements, evidence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import redirect, render_template, request

from api.console import pages
from api.console.access import allows, permit, principal, require_role, role_may
from api.console.blueprint import bp, link
from api.ext import ledger
from api.resources.evidence import download, reader_ctx
from api.resources.reads import queries
from ledger.application import LedgerApplication
from ledger.errors import NotFound
from ledger.readiness import checklist
from projections import commissions, outbox
from projections.contracts import rep_contract
from projections.evidence.builder import EARLIEST, LAW
from projections.evidence.collect import collect
from projections.evidence.facts import facts
from projections.readside import Moment

WARNING_KINDS = ("warning-issued", "early-warning", "review-flag", "recycle-warning", "contract-expiry",
                 "customer-recycled")
NOTES_SHOWN = 100
WINDOWS = (30, 60, 90)


@bp.get("/notifications")
def notifications() -> Any:
    """Warnings first, then every notification, newest first, for the recipients the role may read."""
    who = principal()
    recipient = request.args.get("recipient") or None
    if recipient is None and who.role == "rep":
        return redirect(link("console.notifications", recipient=f"rep:{who.rep_id}"))
    if recipient is None and who.role == "manager":
        return redirect(link("console.notifications", recipient=f"manager:{sorted(who.team_ids)[0]}"))
    permit("notifications.notifications")  # its resolver reads ?recipient= exactly as the API does
    rows = queries().read_side.rows(outbox.NAME, outbox.NOTE, pages.moment(), part=recipient)
    notes = sorted((n for _, _, n in rows), key=lambda n: (-n["source"]["position"], n["recipient"]))
    warnings = [n for n in notes if n["kind"] in WARNING_KINDS]
    return render_template("console/notifications.html", warnings=warnings[:NOTES_SHOWN], notes=notes[:NOTES_SHOWN],
                           total=len(notes), recipient=recipient or "")


@bp.get("/contracts")
def contracts() -> Any:
    """Fixed-term contracts ending within 30, 60 or 90 days of the day shown, for the reps in scope."""
    require_role("contracts.rep_contract_on")
    within = request.args.get("within", type=int) or 90
    within = within if within in WINDOWS else 90
    moment, app = pages.moment(), ledger()
    today, ending = moment.at.date(), []
    all_reps = pages.reps()
    for rep_id, rep in sorted(pages.reps_in_scope(all_reps).items(), key=lambda r: r[1]["name"]):
        if not rep.get("active", True) or not allows("contracts.rep_contract_on", rep_id=UUID(rep_id)):
            continue
        entry = _ending(rep_id, rep["name"], today, moment, app)
        if entry is not None and 0 <= entry["days_left"] <= max(WINDOWS):
            ending.append(entry)
    ending.sort(key=lambda e: e["days_left"])
    counts = {w: sum(1 for e in ending if e["days_left"] <= w) for w in WINDOWS}
    return render_template("console/contracts.html", ending=[e for e in ending if e["days_left"] <= within], counts=counts,
                           within=within, today=today)


def _ending(rep_id: str, name: str, today: date, moment: Moment, app: LedgerApplication) -> dict[str, Any] | None:
    """The rep's contract in force today if it is a fixed term still running, with its end and days left."""
    try:
        found = rep_contract(queries().read_side, app, UUID(rep_id), today, moment)
    except NotFound:  # no contract recorded yet
        return None
    ends_on = found["clauses"].get("ends_on")
    if ends_on is None or found["status"] not in ("active", "renewed"):
        return None
    return {"rep_id": rep_id, "name": name, "kind": found["kind"], "status": found["status"],
            "ends_on": ends_on, "days_left": (ends_on - today).days, "contract_id": found["contract_id"]}


@bp.get("/payouts")
def payouts() -> Any:
    """Payout runs the role may read (by the API's run rule), and a statement picker."""
    moment, names = pages.moment(), {k: v["name"] for k, v in pages.teams().items()}
    runs = []
    if role_may("payouts.payout-run_get"):
        for _, run_id, state in queries().read_side.rows(commissions.CommissionFactsProjection.name, commissions.RUN, moment):
            if allows("payouts.payout-run_get", id=UUID(run_id)):
                total = sum((Decimal(str(line.get("amount") or 0)) for line in state["lines"]), Decimal(0))
                runs.append({"id": run_id, "period": state["period"], "team": names.get(state["team_id"] or "", ""),
                             "status": state["status"], "lines": len(state["lines"]), "total": total,
                             "currency": state.get("currency") or ""})
    else:
        require_role("payouts.statement")
    runs.sort(key=lambda r: (r["period"], r["team"]), reverse=True)
    return render_template("console/payouts.html", runs=runs, reps=pages.reps_in_scope(pages.reps()), period=pages.month_arg())


@bp.get("/payout-runs/<uuid:run_id>")
def payout_run(run_id: UUID) -> Any:
    """One payout run's lines as of the moment shown, each with its rule and the ledger positions behind it."""
    permit("payouts.payout-run_get", id=run_id)
    found = queries().read_side.rows(commissions.CommissionFactsProjection.name, commissions.RUN, pages.moment(),
                                     key=str(run_id))
    if not found:
        raise NotFound(f"no payout run with id {run_id} at position {pages.moment().position}")
    return render_template("console/payout_run.html", run=found[0][2], reps=pages.reps())


@bp.get("/reps/<uuid:rep_id>/statement")
def statement(rep_id: UUID) -> Any:
    """A rep's commission statement for a month, as of the moment shown."""
    permit("payouts.statement", rep_id=rep_id)
    found = queries().commissions.statement(rep_id, pages.month_arg(), request.args.get("as_of") or None)
    return render_template("console/statement.html", st=found, rep=pages.reps().get(str(rep_id), {}))


@bp.get("/evidence")
def evidence() -> Any:
    """HR and legal: pick a rep, see the art. 40(2) readiness checklist, download the bundle."""
    chosen = pages.uuid_arg("rep")
    if chosen is None:
        require_role("evidence.evidence")
        return render_template("console/evidence.html", reps=pages.reps(), rep="", readiness=None)
    permit("evidence.evidence", rep_id=chosen)
    moment = pages.moment()
    collected = collect(ledger(), chosen, EARLIEST, moment.at.date(), moment.position)
    readiness = {"law": LAW, **checklist(facts(collected, moment.at.date()))}
    return render_template("console/evidence.html", reps=pages.reps(), rep=str(chosen), readiness=readiness,
                           name=pages.reps().get(str(chosen), {}).get("name", ""))


@bp.get("/reps/<uuid:rep_id>/evidence.zip")
def evidence_download(rep_id: UUID) -> Any:
    """The same bundle as GET /api/v1/reps/<id>/evidence (proven, recorded as an export)."""
    permit("evidence.evidence", rep_id=rep_id)
    ctx = reader_ctx()
    bundle = queries().evidence.build(rep_id, None, None, ctx, as_of=request.args.get("as_of") or None)
    ledger().record_evidence_export(bundle.export(ctx.actor), ctx)
    return download(bundle)
