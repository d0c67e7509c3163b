"""Watching the team: follow-up warnings, lagging groups, and period close with its bottom-ranking review.

Every rule reads "now" from `context.at` only and counts facts by the business time they occurred at,
so a late run for a past instant records what an on-time run would have; each fact has a deterministic
stream id and idempotency key per subject and period, so a rerun or a second scheduler records nothing new.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

from jobs.base import Job, JobContext
from ledger.commands.watch import FlagForReview, PublishScorecard, RaiseEarlyWarning
from ledger.errors import Invalid
from ledger.periods import Period
from ledger.published_scorecard import PublishedScorecard
from ledger.rep import Rep
from ledger.review_flag import SUGGESTED_ACTIONS
from projections import scorecard_queries, scorecards, weekly
from projections.base import topic_of
from projections.readside import Moment
from projections.scoring import q

FOLLOW_UPS_RULE = "follow-ups-below-team-average"
GROUP_LAST_RULE = "group-last-consecutive-periods"
RAMP_MONTHS = 6  # new hires in their first six months are not ranked for review


def closed_months(at: datetime, count: int) -> list[Period]:
    """The `count` calendar months (UTC) that ended before `at`, oldest first."""
    day = at.astimezone(timezone.utc).date()
    year, month, found = day.year, day.month, []
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        found.append(Period.parse(f"{year}-{month:02d}"))
    return found[::-1]


def closed_weeks(at: datetime, count: int) -> list[str]:
    """The `count` ISO weeks (UTC, Monday to Sunday) that ended before `at`, oldest first."""
    day = at.astimezone(timezone.utc).date()
    monday = day - timedelta(days=day.weekday())
    return [weekly.iso_week(monday - timedelta(weeks=n)) for n in range(count, 0, -1)]


# -- follow-up warning -------------------------------------------------------------------------------

def follow_up_warning(context: JobContext) -> None:
    """A rep below their team's average follow-up count in both of the last two closed ISO weeks."""
    weeks = closed_weeks(context.at, 2)
    rs = context.queries.read_side
    moment = rs.moment()
    reps = {key: state for _, key, state in rs.rows(weekly.NAME, weekly.REP, moment, part="")}
    below: list[dict[str, tuple[str, int, Decimal, int]]] = []  # per week: rep -> (team, count, average, size)
    for week in weeks:
        first, last = weekly.week_bounds(week)
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=timezone.utc)
        counts = {key: state["count"] for _, key, state in rs.rows(weekly.NAME, weekly.COUNT, moment, part=week)}
        teams = {rep_id: weekly.team_at(rep, end) for rep_id, rep in reps.items()
                 if weekly.employed_during(rep, first, last)}
        members: dict[str, list[str]] = {}
        for rep_id, team in teams.items():
            members.setdefault(team, []).append(rep_id)
        found = {}
        for team, ids in members.items():
            total = sum(counts.get(r, 0) for r in ids)
            for rep_id in ids:
                if counts.get(rep_id, 0) * len(ids) < total:  # count < total / size, exactly
                    found[rep_id] = (team, counts.get(rep_id, 0), Decimal(total) / len(ids), len(ids))
        below.append(found)
    for rep_id in sorted(set(below[0]) & set(below[1])):
        team = below[1][rep_id][0]
        detail = {"weeks": weeks, "counts": [b[rep_id][1] for b in below],
                  "averages": [q(b[rep_id][2]) for b in below], "team_sizes": [b[rep_id][3] for b in below]}
        command = RaiseEarlyWarning(subject_kind="rep", subject_id=UUID(rep_id), team_id=UUID(team),
                                    rule=FOLLOW_UPS_RULE, period=weeks[-1], detail=detail, occurred_at=context.at)
        context.record(context.app.raise_early_warning, command, context.ctx("follow-up-warning", rep_id, weeks[-1]))


# -- lagging groups ----------------------------------------------------------------------------------

def lagging_groups(context: JobContext) -> None:
    """A competition group last (lowest mean total, strictly below the best) in each of the last N closed months."""
    months = closed_months(context.at, context.settings.lagging_group_periods)
    rs = context.queries.read_side
    moment = rs.moment()
    groups = {key: state for _, key, state in rs.rows(scorecard_queries.NAME, scorecards.GROUP, moment, part="")}
    standings = [_group_standing(context, groups, month, moment) for month in months]
    lasts = [{g for g, mean in s.items() if mean == min(s.values())} if len(set(s.values())) > 1 else set()
             for s in standings]
    for group_id in sorted(set.intersection(*lasts)):
        detail = {"months": [m.label for m in months], "mean_totals": [q(s[group_id]) for s in standings],
                  "groups_ranked": [len(s) for s in standings]}
        command = RaiseEarlyWarning(subject_kind="group", subject_id=UUID(group_id), team_id=None,
                                    rule=GROUP_LAST_RULE, period=months[-1].label, detail=detail,
                                    occurred_at=context.at)
        context.record(context.app.raise_early_warning, command,
                       context.ctx("lagging-groups", group_id, months[-1].label))


def _group_standing(context: JobContext, groups: dict[str, Any], month: Period,
                    moment: Moment) -> dict[str, Decimal]:
    """Mean total of every group competing in the month (its period overlaps it) that has a scored member."""
    means = {}
    for group_id, group in sorted(groups.items()):
        try:
            period = Period.parse(group["period"])
        except Invalid:
            continue
        if period.start > month.end or period.end < month.start:
            continue
        mean = context.queries.scorecards.group(group_id, month.label, moment)["mean_total"]
        if mean is not None:
            means[group_id] = Decimal(mean)
    return means


# -- period close ------------------------------------------------------------------------------------

def period_close(context: JobContext) -> None:
    """Publish every eligible rep's scorecard of the month just closed, then run the bottom-ranking review."""
    month = closed_months(context.at, 1)[0]
    publish_month(context, month, context.queries.read_side.moment())
    bottom_review(context, month)


def publish_month(context: JobContext, month: Period, moment: Moment) -> None:
    cards = context.queries.scorecards
    for entry in cards.leaderboard(month.label, moment)["entries"]:
        rep_id = entry["rep_id"]
        card = cards.rep(rep_id, month.label, moment)
        total = Decimal(card["total"]) if card["total"] is not None else None
        figures = published_figures(card)
        command = PublishScorecard(rep_id=UUID(rep_id), period=month.label, total=total, figures=figures,
                                   occurred_at=context.at)
        published = context.record(context.app.publish_scorecard, command,
                                   context.ctx("period-close", "publish", rep_id, month.label))
        if (published.total, published.figures) != (total, figures):
            context.notes.append(f"rep {rep_id} {month.label}: the scorecard differs from the one published "
                                 f"(total {published.total} then, {total} now); published results are kept")


def published_figures(card: dict[str, Any]) -> dict[str, Any]:
    """What a published scorecard keeps: team, tenure, cohort, scheme and per-indicator figures; no names (ranks follow from the totals)."""
    scheme = card["scheme"]
    return {
        "team_id": card["team_id"], "tenure_months": card["tenure_months"], "cohort": card["cohort"],
        "scheme": {"scheme_id": scheme["scheme_id"], "version": scheme["version"]} if scheme else None,
        "base_currency": card["base_currency"], "unscored": list(card["unscored"]),
        "unconverted_currencies": list(card["unconverted_currencies"]),
        "indicators": {i["key"]: {k: i[k] for k in ("actual", "target", "score", "weight", "contribution")}
                       for i in card["indicators"]},
    }


def published_scorecards(context: JobContext, periods: set[str]) -> dict[str, dict[str, tuple[Decimal | None, Any]]]:
    """Published (and republished) scorecards of some periods, read from the event log: period -> rep -> (total, figures)."""
    app = context.app
    topics = [topic_of(PublishedScorecard.Published), topic_of(PublishedScorecard.Republished)]
    streams: dict[UUID, tuple[str, str]] = {}
    found: dict[str, dict[str, tuple[Decimal | None, Any]]] = {p: {} for p in periods}
    head, start = app.head(), 1
    while start <= head:
        batch = app.recorder.select_notifications(start=start, limit=1000, stop=head, topics=topics)
        if not batch:
            break
        for notification in batch:
            event: Any = app.mapper.to_domain_event(notification)
            if isinstance(event, PublishedScorecard.Published):
                streams[event.originator_id] = (event.period, str(event.rep_id))
            period, rep_id = streams.get(event.originator_id, ("", ""))
            if period in periods:
                found[period][rep_id] = (event.total, event.figures)
        start = batch[-1].id + 1
    return found


def bottom_of(published: dict[str, tuple[Decimal | None, Any]], share: Decimal,
              min_size: int) -> dict[str, tuple[str, int, int]]:
    """Reps in the bottom share (at least one) of their team's ranking of scored reps past ramp: rep -> (team, rank, of).
    Teams with fewer than `min_size` such reps are not ranked."""
    teams: dict[str, list[tuple[Decimal, str]]] = {}
    for rep_id, (total, figures) in published.items():
        if total is not None and figures["tenure_months"] >= RAMP_MONTHS:
            teams.setdefault(figures["team_id"], []).append((total, rep_id))
    bottom = {}
    for team, ranked in teams.items():
        if len(ranked) < min_size:
            continue
        ordered = sorted(ranked, key=lambda t: (-t[0], t[1]))
        count = max(1, int(share * len(ordered)))
        for place in range(len(ordered) - count, len(ordered)):
            bottom[ordered[place][1]] = (team, place + 1, len(ordered))
    return bottom


def bottom_review(context: JobContext, month: Period) -> None:
    """Flag reps in their team's bottom share for K consecutive closed months, by the published scorecards."""
    settings = context.settings
    window = closed_months(context.at, settings.review_consecutive)
    published = published_scorecards(context, {p.label for p in window})
    bottoms = [bottom_of(published[p.label], settings.review_bottom_share, settings.review_min_team_size)
               for p in window]
    for rep_id in sorted(set.intersection(*(set(b) for b in bottoms))):
        rep = context.app.load(Rep, UUID(rep_id))
        if rep.left_on is not None and rep.left_on <= month.end:
            continue
        team, rank, of = bottoms[-1][rep_id]
        command = FlagForReview(rep_id=UUID(rep_id), team_id=UUID(team), period=month.label, rank=rank, of=of,
                                consecutive_periods=len(window), suggested_actions=list(SUGGESTED_ACTIONS),
                                occurred_at=context.at)
        context.record(context.app.flag_for_review, command, context.ctx("period-close", "review", rep_id, month.label))


JOBS = [
    Job("follow-up-warning", "warn about reps below their team's follow-up average two ISO weeks running",
        "0 2 * * 1", follow_up_warning),
    Job("lagging-groups", "warn about competition groups last for LEDGER_LAGGING_GROUP_PERIODS months running",
        "0 2 1 * *", lagging_groups),
    Job("period-close", "publish last month's scorecards, then flag reps at their team's bottom for review",
        "0 3 1 * *", period_close),
]


