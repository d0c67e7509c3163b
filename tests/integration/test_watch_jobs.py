"""The watch jobs on the stored ledger: follow-up warnings, lagging groups, period close and the bottom review.

Each job runs through `jobs.base.run_job` for a fixed instant, twice and late, and must record each fact once.
Jobs that look at the whole company (groups, period close) run on a fresh, empty store.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator
from uuid import UUID, uuid4

import pytest

from jobs.base import JobContext, find_job, run_job
from ledger.application import build_application
from ledger.base import Ctx
from ledger.commands import org, performance, pool, rules, sales
from ledger.commands.watch import RepublishScorecard
from ledger.early_warning import EarlyWarning
from ledger.published_scorecard import PublishedScorecard, published_id
from ledger.review_flag import ReviewFlag
from ledger.settings import Settings
from projections.base import topic_of
from projections.registry import Queries
from tests.conftest import fresh_store


def at(moment: str) -> datetime:
    return datetime.fromisoformat(moment if "T" in moment else moment + "T10:00:00+00:00")


def ctx() -> Ctx:
    return Ctx("test", f"k-{uuid4()}", "fp")


def run(name: str, app: Any, queries: Any, settings: Settings, when: str) -> JobContext:
    return run_job(find_job(name), app, queries, settings, at(when))


def recorded(app: Any, after: int, event_class: type) -> list[Any]:
    found = app.recorder.select_notifications(start=after + 1, limit=10_000, stop=app.head(), topics=[topic_of(event_class)])
    return [app.mapper.to_domain_event(n) for n in found]


@contextmanager
def fresh(settings: Settings, directory: Path) -> Iterator[tuple[Any, Queries, Settings]]:
    with fresh_store(settings, directory) as chosen:
        app = build_application(chosen)
        queries = Queries(app, chosen)
        try:
            yield app, queries, chosen
        finally:
            queries.close()
            app.close()


def team_of(app: Any, hired: dict[str, str], scored: bool = True) -> tuple[UUID, dict[str, UUID]]:
    """A team of reps; with `scored`, a team KPI scheme of one manager-scored indicator, so a total = its score."""
    team = app.create_team(org.CreateTeam(name=f"team-{uuid4().hex[:6]}", occurred_at=at("2026-01-02")), ctx()).id
    reps = {name: app.onboard_rep(org.OnboardRep(name=name, team_id=team, hired_on=date.fromisoformat(day),
                                                 occurred_at=at("2026-01-02")), ctx()).id for name, day in hired.items()}
    if scored:
        app.define_kpi_scheme(rules.DefineKpiScheme(
            name="effort", effective_from=date(2026, 1, 1), team_ids=[team], occurred_at=at("2026-01-02"),
            indicators=[{"key": "effort", "dimension": "capability", "weight": Decimal(100)}]), ctx())
    return team, reps


def score(app: Any, rep: UUID, month: str, value: int) -> UUID:
    return app.record_score(performance.RecordScore(rep_id=rep, indicator="effort", value=Decimal(value), period=month,
                                                    occurred_at=at(f"{month}-15")), ctx()).id


# -- follow-up warning -------------------------------------------------------------------------------

def follow_ups(app: Any, rep: UUID, customer: UUID, first_day: str, count: int, hour: str = "10:00") -> None:
    for n in range(count):
        day = date.fromisoformat(first_day) + timedelta(days=n % 7)
        app.log_follow_up(sales.LogFollowUp(rep_id=rep, customer_id=customer, kind="call", stage="lead",
                                            occurred_at=at(f"{day}T{hour}:00+00:00")), ctx())


@pytest.fixture(scope="module")
def queries(ledger_app: Any, settings: Settings) -> Iterator[Queries]:
    shared = Queries(ledger_app, settings)
    yield shared
    shared.close()


def test_follow_up_warning_names_the_rep_below_average_two_weeks_running(ledger_app: Any, queries: Queries,
                                                                         settings: Settings) -> None:
    app = ledger_app
    team, reps = team_of(app, {"A": "2025-01-01", "B": "2025-01-01", "C": "2025-01-01", "D": "2025-01-01",
                               "E": "2026-07-01"}, scored=False)
    customer = app.register_customer(pool.RegisterCustomer(name="c", occurred_at=at("2026-06-01")), ctx()).id
    weeks = {"2026-06-22": {"A": 5, "B": 5, "C": 1, "D": 1},           # W26: average 3, C and D below
             "2026-06-29": {"A": 5, "B": 5, "C": 1, "D": 9, "E": 0}}   # W27: average 4 over five, C (and E) below
    for monday, counts in weeks.items():
        for name, count in counts.items():
            follow_ups(app, reps[name], customer, monday, count)
    follow_ups(app, reps["C"], customer, "2026-07-06", 10, hour="00")  # Monday of W28, before the run: not counted
    before = app.head()
    first = run("follow-up-warning", app, queries, settings, "2026-07-06T02:00:00+00:00")
    ours = [w for w in recorded(app, before, EarlyWarning.Raised) if w.team_id == team]
    assert [(w.subject_id, w.period, w.rule) for w in ours] == [(reps["C"], "2026-W27", "follow-ups-below-team-average")]
    warning = ours[0]
    assert warning.subject_kind == "rep" and warning.occurred_at == at("2026-07-06T02:00:00+00:00")
    assert warning.detail == {"weeks": ["2026-W26", "2026-W27"], "counts": [1, 1], "averages": ["3.00", "4.00"],
                              "team_sizes": [4, 5]}
    assert first.recorded >= 1
    head = app.head()  # the shared store may grow meanwhile (other writers): look at this team's warnings only
    run("follow-up-warning", app, queries, settings, "2026-07-06T02:00:00+00:00")
    run("follow-up-warning", app, queries, settings, "2026-07-09T17:30:00+00:00")  # late, same closed weeks
    assert [w for w in recorded(app, head, EarlyWarning.Raised) if w.team_id == team] == []
    stored = app.load(EarlyWarning, warning.originator_id)
    assert (stored.subject_id, stored.team_id, stored.detail) == (reps["C"], team, warning.detail)
    run("follow-up-warning", app, queries, settings, "2026-07-13T02:00:00+00:00")  # W27 + W28: only C works in W28
    assert [(w.subject_id, w.period) for w in recorded(app, head, EarlyWarning.Raised) if w.team_id == team] == [
        (reps["E"], "2026-W28")]  # E, below in W27 and W28; C caught up in W28


# -- lagging groups ----------------------------------------------------------------------------------

def test_a_group_is_warned_only_after_n_consecutive_last_places(settings: Settings, tmp_path: Path) -> None:
    with fresh(settings, tmp_path) as (app, queries, chosen):
        _, reps = team_of(app, {f"r{n}": "2025-01-01" for n in range(1, 7)})
        groups = {name: app.form_group(org.FormGroup(name=name, period=period, member_ids=[reps[m] for m in members],
                                                     occurred_at=at("2026-03-01")), ctx()).id
                  for name, period, members in (("G1", "2026-Q2", ("r1", "r2")), ("G2", "2026-Q2", ("r3", "r4")),
                                                ("G3", "2026-Q2", ("r5", "r6")), ("old", "2025-Q4", ("r3",)))}
        scores = {"2026-04": (80, 80, 70, 70, 60, 60),   # G3 last
                  "2026-05": (80, 80, 55, 65, 70, 70),   # G2 last (60); "old" (r3 alone, 55) does not compete
                  "2026-06": (80, 80, 45, 55, 90, 90)}   # G2 last (50)
        for month, values in scores.items():
            for n, value in enumerate(values, start=1):
                score(app, reps[f"r{n}"], month, value)
        before = app.head()
        assert run("lagging-groups", app, queries, chosen, "2026-06-01T02:00:00+00:00").recorded == 0  # G3, then G2
        three = replace(chosen, lagging_group_periods=3)
        assert run("lagging-groups", app, queries, three, "2026-07-01T02:00:00+00:00").recorded == 0  # G3, G2, G2
        assert app.head() == before
        assert run("lagging-groups", app, queries, chosen, "2026-07-01T02:00:00+00:00").recorded == 1  # G2, G2
        [warning] = recorded(app, before, EarlyWarning.Raised)
        assert (warning.subject_kind, warning.subject_id, warning.team_id, warning.rule, warning.period) == (
            "group", groups["G2"], None, "group-last-consecutive-periods", "2026-06")
        moment = queries.read_side.moment()
        means = [queries.scorecards.group(str(groups["G2"]), m, moment)["mean_total"] for m in ("2026-05", "2026-06")]
        assert warning.detail == {"months": ["2026-05", "2026-06"], "mean_totals": means, "groups_ranked": [3, 3]}
        assert means == ["60.00", "50.00"]
        head = app.head()
        assert run("lagging-groups", app, queries, chosen, "2026-07-01T02:00:00+00:00").recorded == 0
        assert run("lagging-groups", app, queries, chosen, "2026-07-20T09:00:00+00:00").recorded == 0
        assert app.head() == head


# -- period close and the bottom-ranking review ------------------------------------------------------

VETERANS = {f"V{n}": "2020-01-01" for n in range(1, 6)}


def test_period_close_publishes_the_scorecards_of_the_month_once(settings: Settings, tmp_path: Path) -> None:
    with fresh(settings, tmp_path) as (app, queries, chosen):
        team, reps = team_of(app, {**VETERANS, "N": "2026-06-01"})
        for n, name in enumerate(reps):
            score(app, reps[name], "2026-07", 50 + 5 * n)
        before = app.head()
        close = run("period-close", app, queries, chosen, "2026-08-01T03:00:00+00:00")
        published = recorded(app, before, PublishedScorecard.Published)
        assert close.recorded == len(published) == 6 and close.notes == []
        moment = queries.read_side.moment()
        for event in published:
            card = queries.scorecards.rep(str(event.rep_id), "2026-07", moment)
            assert event.period == "2026-07" and event.total == Decimal(card["total"])
            assert event.figures["indicators"]["effort"]["score"] == card["indicators"][0]["score"]
            assert event.figures["team_id"] == str(team) and "name" not in event.figures
        assert {e.rep_id: e.total for e in published}[reps["V3"]] == Decimal("60.00")
        head = app.head()
        assert run("period-close", app, queries, chosen, "2026-08-01T03:00:00+00:00").recorded == 0
        assert run("period-close", app, queries, chosen, "2026-08-25T12:00:00+00:00").recorded == 0  # late, same month
        assert app.head() == head
        score(app, reps["V3"], "2026-07", 100)  # back-dated into July after publication: mean 80 now
        rerun = run("period-close", app, queries, chosen, "2026-08-01T03:00:00+00:00")
        assert rerun.recorded == 0 and len(rerun.notes) == 1 and str(reps["V3"]) in rerun.notes[0]
        kept = app.load(PublishedScorecard, published_id(reps["V3"], "2026-07"))
        assert kept.total == Decimal("60.00") and kept.version == 1
        fixed = app.republish_scorecard(RepublishScorecard(
            rep_id=reps["V3"], period="2026-07", total=Decimal("80.00"), figures={**kept.figures}, reason="late score",
            occurred_at=at("2026-08-03")), ctx())
        assert (fixed.total, fixed.version) == (Decimal("80.00"), 2)


def test_bottom_review_flags_the_veteran_last_two_months_running(settings: Settings, tmp_path: Path) -> None:
    with fresh(settings, tmp_path) as (app, queries, chosen):
        team, reps = team_of(app, {**VETERANS, "N": "2026-06-01"})   # N is a new hire in ramp
        _, small = team_of(app, {"S1": "2020-01-01", "S2": "2020-01-01", "S3": "2020-01-01"})  # below minimum size
        months = {"2026-07": {"V1": 90, "V2": 85, "V3": 80, "V4": 50, "V5": 60, "N": 10, "S1": 90, "S2": 80, "S3": 5},
                  "2026-08": {"V1": 90, "V2": 85, "V3": 80, "V4": 75, "V5": 60, "N": 10, "S1": 90, "S2": 80, "S3": 5},
                  "2026-09": {"V1": 90, "V2": 85, "V3": 80, "V4": 75, "V5": 58, "N": 10, "S1": 90, "S2": 80, "S3": 5}}
        every = {**reps, **small}
        before = app.head()
        for month, values in months.items():
            for name, value in values.items():
                score(app, every[name], month, value)
        for when in ("2026-08-01", "2026-09-01"):  # July: no earlier month published; August: V4 then V5 at the bottom
            run("period-close", app, queries, chosen, f"{when}T03:00:00+00:00")
        assert recorded(app, before, ReviewFlag.Flagged) == []
        head = app.head()
        run("period-close", app, queries, chosen, "2026-10-01T03:00:00+00:00")
        [flag] = recorded(app, head, ReviewFlag.Flagged)
        assert (flag.rep_id, flag.team_id, flag.period, flag.rank, flag.of, flag.consecutive_periods) == (
            reps["V5"], team, "2026-09", 5, 5, 2)
        assert flag.suggested_actions == ["coaching", "improvement plan", "training", "internal transfer"]
        assert not [a for a in flag.suggested_actions if any(w in a.lower() for w in ("dismiss", "terminat", "fire"))]
        head = app.head()
        assert run("period-close", app, queries, chosen, "2026-10-01T03:00:00+00:00").recorded == 0
        assert app.head() == head
        wider = replace(chosen, review_min_team_size=3, review_bottom_share=Decimal("0.4"))
        run("period-close", app, queries, wider, "2026-10-01T03:00:00+00:00")  # small team counts; bottom 2 of 5
        flagged = {e.rep_id for e in recorded(app, head, ReviewFlag.Flagged)}
        assert flagged == {small["S3"], reps["V4"]} and reps["N"] not in flagged


def test_two_schedulers_closing_the_same_month_at_once_publish_each_scorecard_once(settings: Settings,
                                                                                  tmp_path: Path) -> None:
    with fresh(settings, tmp_path) as (app, queries, chosen):
        _, reps = team_of(app, {**VETERANS, "N": "2026-06-01"})
        for n, name in enumerate(reps):
            score(app, reps[name], "2026-07", 40 + 10 * n)
        other_app = build_application(chosen)
        other_queries = Queries(other_app, chosen)
        before = app.head()
        try:
            with ThreadPoolExecutor(2) as workers:
                runs = [workers.submit(run, "period-close", a, q, chosen, "2026-08-01T03:00:00+00:00")
                        for a, q in ((app, queries), (other_app, other_queries))]
                for finished in runs:
                    finished.result()  # neither failed
        finally:
            other_queries.close()
            other_app.close()
        published = recorded(app, before, PublishedScorecard.Published)
        assert sorted(e.rep_id for e in published) == sorted(reps.values())  # each exactly once
