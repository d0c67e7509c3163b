"""The scorecard cache against the full recomputation, on the suite's engine and the same data.

A generated history (reps in teams, follow-ups, deals, scores, trainings, targets, a KPI scheme and its
revision, FX rates) is imported into a fresh store. For many (rep, period, position), current and as of the
past, the cached answer must equal the answer worked out the way it was before the cache: every rule and
fact row read again, every card scored and ranked again. A new event is a new position: never a stale answer.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Iterator
from uuid import UUID, uuid4

import pytest

from ledger.application import LedgerApplication
from ledger.base import Ctx
from ledger.commands.sales import CloseDeal
from ledger.errors import NotFound
from ledger.periods import Period
from ledger.settings import Settings
from projections.readside import Moment
from projections.registry import Queries
from projections.scorecard_queries import NAME, Scorecards
from projections.scorecards import FACTS, FX, REP, SCHEME, TARGET, TEAM
from projections.scoring import Rules, eligible, months_of, rank, scorecard, total
from tests.integration.generated_store import generated_store

PERIODS = ["2025-03", "2025-Q2", "2025-11", "2026-01", "2026-Q1", "2026-06", "2026-Q3", "2026-10"]


@pytest.fixture(scope="module")
def store(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LedgerApplication, Queries]]:
    with generated_store(settings, tmp_path_factory.mktemp("scorecard-cache"), events=3000, seed=11) as found:
        yield found


def recomputed(queries: Queries, rep_id: str, label: str, moment: Moment, base: str = "CNY") -> dict[str, Any]:
    """The answer as it was worked out before the cache: rows read per kind, every card scored and ranked."""
    rs, period = queries.read_side, Period.parse(label)

    def rows(kind: str, part: str | None = None) -> dict[str, Any]:
        return {key: state for _, key, state in rs.rows(NAME, kind, moment, part=part)}

    rules = Rules(period=period, reps=rows(REP, ""), teams=rows(TEAM, ""), schemes=list(rows(SCHEME, "").values()),
                  targets={k: Decimal(v["value"]) for k, v in rows(TARGET, period.label).items()},
                  fx=rows(FX, ""), base_currency=base)
    monthly: dict[str, dict[str, Any]] = {}
    for month in months_of(period):
        for _, rep, facts in rs.rows(NAME, FACTS, moment, part=month):
            monthly.setdefault(rep, {})[month] = facts
    cards = {rep: scorecard(rules, rep, monthly.get(rep, {})) for rep in eligible(rules)}
    if rep_id not in rules.reps:
        raise NotFound(rep_id)
    card = cards.get(rep_id) or scorecard(rules, rep_id, {})

    def place(places: list[dict[str, Any]]) -> dict[str, Any] | None:
        return next(({k: p[k] for k in ("rank", "of", "percentile")} for p in places if p["rep_id"] == rep_id), None)

    card["rank"] = {"company": place(rank(list(cards.values()))),
                    "team": place(rank([c for c in cards.values() if c["team_id"] == card["team_id"]]))}
    card.update(position=moment.position, as_of=moment.at.isoformat(), unconverted_currencies=sorted(rules.unconverted))
    return card


def reps(queries: Queries) -> list[str]:
    return sorted(key for _, key, _ in queries.read_side.rows(NAME, REP, queries.read_side.moment(None)))


def test_cached_answers_equal_the_recomputation_now_and_as_of_the_past(store: tuple[LedgerApplication, Queries]) -> None:
    app, queries = store
    rng, everyone, head = random.Random(5), reps(queries), app.head()
    positions = [head, *sorted(rng.sample(range(head // 4, head), 6))]
    answered = 0
    for position in positions:
        moment = queries.read_side.moment(position)
        for label in PERIODS:
            for rep in rng.sample(everyone, 3):
                for _ in range(2):  # the second answer comes from the cache
                    try:
                        cached = queries.scorecards.rep(rep, label, moment)
                    except NotFound:
                        with pytest.raises(NotFound):
                            recomputed(queries, rep, label, moment)
                        break
                    assert cached == recomputed(queries, rep, label, moment)
                    answered += 1
    assert answered > 150
    assert any(c["total"] is not None for c in [queries.scorecards.rep(r, "2026-Q1", queries.read_side.moment(head))
                                                for r in everyone[:3]])


def test_a_cached_answer_is_a_copy_and_other_queries_agree_with_a_cold_cache(store: tuple[LedgerApplication, Queries]) -> None:
    _, queries = store
    moment, rep = queries.read_side.moment(None), reps(queries)[0]
    first = queries.scorecards.rep(rep, "2026-Q1", moment)
    first["total"], first["rank"]["company"] = "changed", None
    assert queries.scorecards.rep(rep, "2026-Q1", moment) == recomputed(queries, rep, "2026-Q1", moment)
    cold = Scorecards(queries.read_side, cached=0)
    team = first["team_id"]
    for label in ("2026-01", "2026-Q1"):
        assert queries.scorecards.leaderboard(label, moment) == cold.leaderboard(label, moment)
        assert queries.scorecards.leaderboard(label, moment, team_id=team) == cold.leaderboard(label, moment, team_id=team)
        assert queries.scorecards.team(team, label, moment) == cold.team(team, label, moment)


def test_a_new_event_is_a_new_position_and_never_gets_a_stale_answer(store: tuple[LedgerApplication, Queries]) -> None:
    app, queries = store
    rep = reps(queries)[1]
    before = queries.scorecards.rep(rep, "2026-10", queries.read_side.moment(None))
    customer = next(UUID(key) for _, key, _ in queries.read_side.rows("pool", "customer", queries.read_side.moment(None)))
    app.close_deal(CloseDeal(rep_id=UUID(rep), customer_id=customer, amount=Decimal("250000"), currency="CNY",
                             product="p", customer_type="existing", closed_on=date(2026, 10, 20),
                             occurred_at=datetime(2026, 10, 20, 10, tzinfo=timezone.utc)), Ctx("test", f"k-{uuid4()}"))
    now = queries.read_side.moment(None)
    after = queries.scorecards.rep(rep, "2026-10", now)
    assert after == recomputed(queries, rep, "2026-10", now)
    assert Decimal(after["actuals"]["revenue"]) == Decimal(before["actuals"]["revenue"]) + 250000
    old = queries.read_side.moment(before["position"])
    assert queries.scorecards.rep(rep, "2026-10", old)["actuals"] == before["actuals"]


def test_the_total_alone_equals_the_cards_total_for_every_rep_and_period(store: tuple[LedgerApplication, Queries]) -> None:
    app, queries = store
    head = app.head()
    checked = 0
    for position in (head, head // 2):
        moment = queries.read_side.moment(position)
        for label in PERIODS:
            rules, monthly = queries.scorecards._inputs(Period.parse(label), moment)
            for rep in eligible(rules):
                expected = scorecard(rules, rep, monthly.get(rep, {}))["total"]
                assert total(rules, rep, monthly.get(rep, {})) == expected
                checked += expected is not None
    assert checked > 20
