"""Payroll export of an approved or paid run: one row per rep, as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.errors import RuleViolation
from ledger.money import quantum
from ledger.payout import PayoutRun

COLUMNS = ("run_id", "period", "team_id", "rep_id", "currency", "commission", "bonuses", "clawbacks", "draw",
           "adjustments", "total", "status", "approved_by", "paid_on", "reference")
BONUS = ("new-customer-bonus", "spiff", "team-pool")


def rows(run: PayoutRun) -> list[dict[str, Any]]:
    """Sums per rep: commission (incl. cap), bonuses, clawbacks, draw (incl. recovery), adjustments."""
    if run.status not in ("approved", "paid"):
        raise RuleViolation("only an approved or paid run can be exported to payroll", code="not-approved",
                            errors={"status": [f"is {run.status}"]})
    reps: dict[UUID, dict[str, Decimal]] = {}
    zero = quantum(run.currency) * 0  # 0.00 in CNY, 0 in JPY: every figure shows the currency's minor unit
    for line in run.lines:
        sums = reps.setdefault(line["rep_id"], {})
        kind = line.get("kind", "commission")
        column = ("bonuses" if kind in BONUS else "clawbacks" if kind == "clawback"
                  else "draw" if kind.startswith("draw") else "commission")
        sums[column] = sums.get(column, zero) + line["amount"]
    for adjustment in run.adjustments:
        sums = reps.setdefault(adjustment["rep_id"], {})
        sums["adjustments"] = sums.get("adjustments", zero) + adjustment["amount"]
    out = []
    for rep, sums in sorted(reps.items(), key=lambda item: str(item[0])):
        figures = {c: sums.get(c, zero) for c in ("commission", "bonuses", "clawbacks", "draw", "adjustments")}
        out.append({"run_id": run.id, "period": run.period, "team_id": run.team_id, "rep_id": rep,
                    "currency": run.currency, **figures, "total": sum(figures.values(), zero), "status": run.status,
                    "approved_by": run.approved_by, "paid_on": run.paid_on, "reference": run.reference})
    return out


def to_csv(found: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in found:
        writer.writerow({k: "" if v is None else str(v) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


def to_xlsx(found: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook  # imported here: only exports need it

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "payroll"
    sheet.append(list(COLUMNS))
    for row in found:
        # amounts go in as Decimal (exact, shown with the currency's decimals); ids and dates as text
        sheet.append([row[c] if isinstance(row[c], Decimal) else ("" if row[c] is None else str(row[c]))
                      for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export(run: PayoutRun, fmt: str) -> tuple[bytes, str, str]:
    """The payroll file of a run: (body, media type, file name)."""
    found = rows(run)
    name = f"payroll-{run.period}-{run.id}.{fmt}"
    if fmt == "xlsx":
        body, mime = to_xlsx(found), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, mime = to_csv(found), "text/csv"  # Flask adds "; charset=utf-8" to text types itself
    return body, mime, name
