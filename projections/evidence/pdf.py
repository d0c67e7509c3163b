"""summary.pdf: the bundle as a printable report for a lawyer, in Chinese and English, with a score chart."""

from __future__ import annotations

import functools
import io
from typing import Any

FONT = "STSong-Light"
STATUS = {"met": "met / 满足", "not_met": "not met / 不满足", "unknown": "unknown / 无法判断"}


@functools.cache
def prepare() -> None:
    """Import reportlab and make the CJK font once per process (0.1-0.2 s). The evidence builder calls this when it
    is made with the read side, so that the process pays it there and not in its first bundle (`render` still
    registers the font itself, as cheap once this has run)."""
    from reportlab import platypus  # noqa: F401  (imported here for its one-time cost)
    from reportlab.graphics import shapes  # noqa: F401
    from reportlab.graphics.charts import legends, linecharts  # noqa: F401
    from reportlab.lib import colors, pagesizes, styles  # noqa: F401
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _chart(periods: list[dict[str, Any]]) -> Any:
    """Total score per period beside the team median, with the 100 (target) line."""
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    drawing = Drawing(480, 220)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 45, 40, 400, 150

    def number(value: Any) -> float | None:
        return None if value is None else float(value)  # drawing coordinates only; figures stay decimal strings

    chart.data = [[number(p["total"]) for p in periods],
                  [number(p["team_distribution"]["median"]) for p in periods],
                  [100.0 for _ in periods]]
    chart.categoryAxis.categoryNames = [p["period"] for p in periods]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.valueMin = 0
    for index, colour in enumerate((colors.darkblue, colors.grey, colors.red)):
        chart.lines[index].strokeColor = colour
    chart.lines[2].strokeDashArray = (3, 3)
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y, legend.fontName, legend.fontSize = 50, 215, FONT, 7
    legend.columnMaximum, legend.alignment, legend.deltax = 1, "right", 140
    legend.colorNamePairs = [(colors.darkblue, "Rep total / 本人总分"), (colors.grey, "Team median / 团队中位数"),
                             (colors.red, "Target 100 / 达标线")]
    drawing.add(legend)
    drawing.add(String(45, 5, "Score over time / 得分趋势", fontName=FONT, fontSize=8))
    return drawing


def _table(rows: list[list[Any]], widths: list[float] | None = None) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table([[("" if v is None else str(v)) for v in row] for row in rows], colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 7),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]))
    return table


def render(meta: dict[str, Any], readiness: dict[str, Any], scorecards: dict[str, Any], allocation: dict[str, Any],
           contracts: dict[str, Any]) -> bytes:
    """The same inputs always give the same bytes (reportlab's invariant mode: no clock, fixed ids)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        style.fontName = FONT
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=f"Evidence {meta['rep_id']}", invariant=True,
                            leftMargin=36, rightMargin=36)
    h2, body = styles["Heading2"], styles["Normal"]
    story: list[Any] = [Paragraph("Dismissal evidence bundle / 解除劳动合同证据包", styles["Title"])]
    for line in (f"Rep / 员工: {meta['name']} ({meta['rep_id']})", f"Range / 期间: {meta['from']} — {meta['to']}",
                 f"Ledger position / 账本位置: {meta['position']} ({meta['recorded_at']})",
                 f"Checkpoint / 检查点: position {meta['checkpoint_position']}, Merkle root {meta['merkle_root']}, "
                 f"key {meta['key_id']}", f"Events / 事件数: {meta['events']}"):
        story.append(Paragraph(line, body))
    verdict = "READY / 条件具备" if readiness["ready"] else "NOT READY / 条件不具备"
    story += [Spacer(1, 8), Paragraph(f"Art. 40(2) readiness / 第四十条第（二）项: {verdict}", h2)]
    rows = [["Item / 事项", "Status / 结论", "Proving positions / 证明事件位置", "Reason / 说明"]]
    rows += [[f"{i['label_en']}\n{i['label_zh']}", STATUS[i["status"]], ", ".join(map(str, i["positions"])) or "-",
              i["reason"]] for i in readiness["items"]]
    story.append(_table(rows, [150, 60, 90, 220]))
    flag = readiness["ranking_only"]
    if flag["flag"]:
        story.append(Paragraph(f"Ranking-only evidence / 仅有排名证据 (positions {flag['positions']}): {flag['reason']}",
                               body))
    periods = scorecards["periods"]
    story += [Spacer(1, 8), Paragraph("Scorecards as published / 已发布的考核结果", h2)]
    if periods:
        story.append(_chart(periods))
        rows = [["Period / 期间", "Total / 总分", "Team median / 中位数", "Q1–Q3 / 四分位", "Rank / 排名",
                 "Targets told (positions) / 目标告知"]]
        rows += [[p["period"], p["total"], p["team_distribution"]["median"],
                  f"{p['team_distribution']['q1']}–{p['team_distribution']['q3']}", f"{p['rank']}/{p['of']}",
                  ", ".join(f"{t['indicator']} {t['value']} @{t['position']}" for t in p["targets"]) or "-"]
                 for p in periods]
        story.append(_table(rows, [55, 50, 65, 80, 45, 225]))
    else:
        story.append(Paragraph("No published scorecard in the range / 期间内无已发布考核结果", body))
    mine, others = allocation["rep"], allocation["team_others"]
    story += [Spacer(1, 8), Paragraph("Customer allocation / 客户分配", h2),
              Paragraph(f"Received / 获得客户: {mine['received']} (claimed / 认领 {mine['claimed']}, assigned / 分配 "
                        f"{mine['assigned']}); team median of the others / 团队其他成员中位数: {others['median']} "
                        f"(n={others['n']}); difference / 差异: {allocation['difference_from_median']}", body)]
    story += [Spacer(1, 8), Paragraph("Contract / 劳动合同", h2)]
    for entry in contracts["contracts"]:
        terms = entry["signed"]["terms"]
        story.append(Paragraph(f"{terms.get('kind')} {terms.get('starts_on')} — {terms.get('ends_on') or '…'}, post / 岗位 "
                               f"{terms.get('post')}, signed at position {entry['signed']['position']}; amendments / 变更 "
                               f"{len(entry['amendments'])}; termination / 解除: "
                               f"{_termination(entry['termination'])}", body))
    story += [Spacer(1, 8), Paragraph("How to verify / 如何核验", h2),
              Paragraph("python verify_bundle.py BUNDLE.zip --public-key KEY.pem — checks every file's SHA-256, "
                        "every event's Merkle inclusion proof and the checkpoint's Ed25519 signature, offline. "
                        "离线核验每个文件的哈希、每个事件的默克尔包含证明和检查点签名。", body)]
    doc.build(story)
    return buffer.getvalue()


def _termination(termination: dict[str, Any] | None) -> str:
    if termination is None:
        return "none / 无"
    return (f"{termination['ground']}, notice / 通知 {termination['notice']}, on {termination['terminated_on']} "
            f"(position {termination['position']})")
