"""A rep's monthly statement as a printable PDF (English and Chinese labels)."""

from __future__ import annotations

import io
from typing import Any

LABELS = [("Deal / 交易", "deal_id"), ("Rule / 规则", "rule"), ("Plan v. / 方案版本", "plan_version"),
          ("Base / 基数", "base"), ("Rate / 比例", "rate"), ("Amount / 金额", "amount"),
          ("Events / 事件位置", "positions")]


def render(statement: dict[str, Any]) -> bytes:
    """Header figures, one table row per line, totals; every line shows the ledger positions behind it."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        style.fontName = "STSong-Light"
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=f"Statement {statement['period']}",
                            invariant=True)
    plan = statement.get("plan") or {}
    head = [
        f"Commission statement / 佣金对账单 — {statement['period']}",
        f"Rep / 销售: {statement['rep_id']}",
        f"Plan / 方案: {plan.get('name', '-')} v{plan.get('version', '-')}   Currency / 币种: {statement['currency']}",
        f"Quota / 指标: {statement['quota']}   Bookings / 业绩: {statement['bookings']}   "
        f"Attainment / 达成率: {statement['attainment']}%",
        f"Ledger position / 账本位置: {statement['as_of']} ({statement['as_of_time']})",
    ]
    story: list[Any] = [Paragraph(head[0], styles["Title"])] + [Paragraph(h, styles["Normal"]) for h in head[1:]]
    story.append(Spacer(1, 12))
    data = [["Kind / 类型"] + [label for label, _ in LABELS]]
    for line in statement["lines"]:
        data.append([line["kind"]] + [_cell(line.get(key)) for _, key in LABELS])
    table = Table(data, repeatRows=1)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("FONTSIZE", (0, 0), (-1, -1), 7),
                               ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]))
    story += [table, Spacer(1, 12)]
    for label, key in (("Earned / 应得", "earned"), ("Paid / 已付", "paid"), ("Due / 待付", "due"),
                       ("Draw balance / 预支余额", "draw_balance")):
        story.append(Paragraph(f"{label}: {statement[key]} {statement['currency'] or ''}", styles["Normal"]))
    for note in statement.get("notes", []):
        story.append(Paragraph(f"Note / 备注: {note}", styles["Normal"]))
    doc.build(story)
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def file_name(statement: dict[str, Any]) -> str:
    return f"statement-{statement['rep_id']}-{statement['period']}.pdf"
