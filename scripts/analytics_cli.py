"""`ledger analytics`: which indicators move revenue, suggested weights, what-if and incentives, for humans."""

from __future__ import annotations

import json
from typing import Any

import click


def _r(corr: dict[str, Any]) -> str:
    return "-" if corr["r"] is None else f"{corr['r']:+.3f}"


def _ci(corr: dict[str, Any]) -> str:
    return "-" if corr["ci95"] is None else f"[{corr['ci95'][0]:+.2f}, {corr['ci95'][1]:+.2f}]"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _print(report: dict[str, Any]) -> None:
    from scripts.readcli import _table

    scheme = report["scheme"]
    click.echo(f"{report['period_from']}..{report['period_to']}  team {report['team_id'] or 'all'}  "
               f"{report['observations']['count']} observations ({report['observations']['reps']} reps)  "
               f"scheme {scheme['name'] + ' v' + str(scheme['version']) if scheme else '-'}  "
               f"as of position {report['position']}")
    _table([[i["key"], i["dimension"], str(i["value"]["n"]), _r(i["value"]["pearson"]), _ci(i["value"]["pearson"]),
             _r(i["value"]["spearman"]), i["current_weight"], str(i["suggested_weight"])] for i in report["indicators"]],
           ["indicator", "dimension", "n", "pearson", "95% CI", "spearman", "weight", "suggested"])
    weights = report["weights"]
    click.echo(f"suggested weights: proportional to positive Pearson r, each {weights['min']}..{weights['max']}, sum 100")
    for month in report["what_if"]:
        tau = "-" if month["kendall_tau"] is None else f"{month['kendall_tau']:.3f}"
        click.echo(f"what-if {month['period']}: {month['moved']} of {month['reps']} reps move, Kendall tau {tau}")
    training = report["training"]
    click.echo(f"training hours vs next-month revenue growth: pearson {_r(training['pearson'])} "
               f"{_ci(training['pearson'])}, spearman {_r(training['spearman'])}, n {training['n']}")
    top = report["top_performers"]
    if top["top"] is not None:
        rows = [[label, str(g["reps"]), "-" if g["follow_ups_per_deal"] is None else f"{g['follow_ups_per_deal']:.1f}",
                 _share(g["new_customer_revenue_share"]),
                 " ".join(f"{c['from'][:4]}>{c['to'][:4]} {_share(c['rate'])}" for c in g["stage_conversion"])]
                for label, g in (("top decile", top["top"]), ("rest", top["rest"]))]
        _table(rows, ["group", "reps", "follow-ups/deal", "new-customer revenue", "stage conversion"])
    incentives = report["incentives"]
    _table([[r["name"], r["quadrant"] or "-", r["suggestion"] or "-",
             "-" if r["figures"]["result_score"] is None else f"{r['figures']['result_score']:.1f}",
             "-" if r["figures"]["capability_score"] is None else f"{r['figures']['capability_score']:.1f}",
             str(r["figures"]["tenure_months"])] for r in incentives["reps"]],
           ["rep", "quadrant", "suggestion", f"result ({incentives['result_basis']})",
            f"capability ({incentives['capability_basis']})", "tenure"])


@click.command()
@click.option("--from", "period_from", required=True, help="First month, YYYY-MM.")
@click.option("--to", "period_to", required=True, help="Last month, YYYY-MM (at most 36 months after --from).")
@click.option("--team", help="Only this team (id or exact name); default: every team.")
@click.option("--as-of", "as_of", help="A ledger position or an ISO timestamp: the answer as the ledger stood then.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="A readable summary, or the whole report as JSON.")
def analytics(period_from: str, period_to: str, team: str | None, as_of: str | None, output: str) -> None:
    """Correlate each KPI indicator with revenue over reps and months, suggest weights, replay the rankings
    under them (nothing is written), relate training to growth, compare the top decile, suggest incentives."""
    from projections.analytics import indicator_analytics
    from scripts.readcli import read_side
    from scripts.tokens import TEAM_TOPIC, _find

    with read_side() as (queries, _):
        team_id = str(_find(queries.read_side.app, TEAM_TOPIC, team, "team")) if team else None
        report = indicator_analytics(queries, period_from, period_to, team_id=team_id, as_of=as_of)
    if output == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print(report)
