"""The totals the scorecard fold keeps against the totals worked out at query time, at every kind of change.

A generated history is imported into a fresh store, then every rule that a total depends on changes after the
facts it scores: a rep moves team, a team target and a rep target are set and changed, the scheme is revised,
a back-dated exchange rate is recorded, a deal in a currency without a rate is closed, a score is corrected.
At positions around each change and at random positions of the history, the kept totals (and the currencies
they could not convert) must equal the ones worked out from the rules and facts as they stood there.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Iterator
from uuid import UUID, uuid4

import pytest

from ledger.application import LedgerApplication
from ledger.base import Ctx
from ledger.commands.org import TransferRep
from ledger.commands.rules import RecordFxRate, ReviseKpiScheme
from ledger.commands.sales import CloseDeal, LogFollowUp
from ledger.commands.targets import SetTarget
from ledger.periods import Period
from ledger.settings import Settings
from projections.registry import Queries
from projections.scorecard_queries import NAME, Scorecards
from projections.scorecard_totals import META, kept
from projections.scorecards import REP, SCHEME
from projections.scoring import eligible, total
from tests.integration.generated_store import generated_store

LABELS = ["2025-03", "2025-Q2", "2025-11", "2026-01", "2026-02", "2026-Q1", "2026-06", "2026-Q3", "2026-10",
          "2026-Q4", "2026-H1", "2026"]


@pytest.fixture(scope="module")
def store(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LedgerApplication, Queries]]:
    with generated_store(settings, tmp_path_factory.mktemp("scorecard-totals"), events=3000, seed=23) as found:
        yield found


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=timezone.utc)


def ctx() -> Ctx:
    return Ctx("test", f"k-{uuid4()}")


def worked_out(queries: Queries, label: str, position: int) -> tuple[dict[str, str | None], list[str]]:
    """Every eligible rep's total and the unconverted currencies, from the rules and facts read at the position."""
    rules, monthly = queries.scorecards._inputs(Period.parse(label), queries.read_side.moment(position))
    totals = {rep: total(rules, rep, monthly.get(rep, {})) for rep in eligible(rules)}
    return totals, sorted(rules.unconverted)


def kept_totals(queries: Queries, label: str, position: int) -> tuple[dict[str, str | None], list[str]] | None:
    found = queries.scorecards._totals(Period.parse(label), queries.read_side.moment(position))
    if found is None:
        return None
    rules, totals = found
    return {t["rep_id"]: t["total"] for t in totals}, sorted(rules.unconverted)


def changes(app: LedgerApplication, queries: Queries) -> list[int]:
    """Change every rule a total depends on, after the facts; the positions around each change."""
    moment = queries.read_side.moment(None)
    reps = {key: state for _, key, state in queries.read_side.rows(NAME, REP, moment, part="")}
    teams = sorted({state["team_id"] for state in reps.values()})
    mover = sorted(r for r, s in reps.items() if s["active"])[0]
    other_team = next(t for t in teams if t != reps[mover]["team_id"])
    customer = next(UUID(key) for _, key, _ in queries.read_side.rows("pool", "customer", moment))
    scheme = max((s for _, _, s in queries.read_side.rows(NAME, SCHEME, moment, part="")),
                 key=lambda s: (s["effective_from"], s["position"]))
    steps = [
        lambda: app.revise_kpi_scheme(ReviseKpiScheme(
            scheme_id=UUID(scheme["scheme_id"]), effective_from=date(2026, 2, 1), occurred_at=at("2026-10-05"),
            reason="process focus", indicators=[{"key": "revenue", "dimension": "result", "weight": Decimal(40)},
                                                {"key": "follow_ups", "dimension": "process", "weight": Decimal(35)},
                                                {"key": "visits", "dimension": "process", "weight": Decimal(25)}]), ctx()),
        lambda: app.set_target(SetTarget(scope="team", scope_id=UUID(other_team), period="2026-Q1", indicator="follow_ups",
                                         value=Decimal(40), occurred_at=at("2026-10-03")), ctx()),
        lambda: app.transfer_rep(TransferRep(rep_id=UUID(mover), team_id=UUID(other_team), occurred_at=at("2026-10-02")),
                                 ctx()),
        lambda: app.set_target(SetTarget(scope="team", scope_id=UUID(other_team), period="2026-Q1", indicator="follow_ups",
                                         value=Decimal(400), occurred_at=at("2026-10-04")), ctx()),
        # a follow-up moves a total only where follow-ups are scored: now they are, for the mover's Q1
        lambda: app.log_follow_up(LogFollowUp(rep_id=UUID(mover), customer_id=customer, kind="visit", stage="lead",
                                              occurred_at=at("2026-02-10")), ctx()),
        lambda: app.log_follow_up(LogFollowUp(rep_id=UUID(mover), customer_id=customer, kind="call", stage="lead",
                                              occurred_at=at("2026-02-11")), ctx()),
        lambda: app.set_target(SetTarget(scope="rep", scope_id=UUID(mover), period="2026-01", indicator="revenue",
                                         value=Decimal(90000), occurred_at=at("2026-10-04")), ctx()),
        lambda: app.close_deal(CloseDeal(rep_id=UUID(mover), customer_id=customer, amount=Decimal("5000"), currency="USD",
                                         product="p", customer_type="existing", closed_on=date(2026, 1, 22),
                                         occurred_at=at("2026-01-22")), ctx()),
        lambda: app.record_fx_rate(RecordFxRate(base="USD", quote="CNY", rate=Decimal("7.0123"), on=date(2026, 1, 20),
                                                occurred_at=at("2026-10-06")), ctx()),
        lambda: app.close_deal(CloseDeal(rep_id=UUID(mover), customer_id=customer, amount=Decimal("1200"), currency="CHF",
                                         product="p", customer_type="new", closed_on=date(2026, 1, 25),
                                         occurred_at=at("2026-01-25")), ctx()),
    ]
    positions = [app.head()]
    for step in steps:
        step()
        positions += [app.head() - 1, app.head()]
    return positions


def test_kept_totals_equal_the_worked_out_ones_around_every_change_and_back_in_time(
        store: tuple[LedgerApplication, Queries]) -> None:
    app, queries = store
    positions = changes(app, queries)
    head = app.head()
    positions += random.Random(3).sample(range(head // 5, head), 12)
    compared = differing = 0
    for position in sorted(set(positions)):
        for label in LABELS:
            found = kept_totals(queries, label, position)
            if not kept(label):
                assert found is None  # halves and years are worked out at query time
                continue
            assert found is not None, (label, position)
            expected = worked_out(queries, label, position)
            assert found == expected, (label, position)
            compared += len(expected[0])
            differing += sum(1 for value in expected[0].values() if value is not None)
    assert compared > 500 and differing > 200
    # the changes did change totals: the mover's January total moved with the target and the scheme
    january = [kept_totals(queries, "2026-01", p) for p in (positions[0], head)]
    assert january[0] is not None and january[1] is not None and january[0][0] != january[1][0]
    assert "CHF" in kept_totals(queries, "2026-Q1", head)[1]  # type: ignore[index]


def test_ranks_from_kept_totals_equal_a_cold_recomputation(store: tuple[LedgerApplication, Queries]) -> None:
    app, queries = store
    head = app.head()
    for position in (head, head // 2):
        moment = queries.read_side.moment(position)
        for label in ("2026-01", "2026-Q1", "2026-H1"):
            board = queries.scorecards.leaderboard(label, moment)
            cold = Scorecards(queries.read_side, cached=0)
            cold._totals = lambda period, moment: None  # type: ignore[method-assign]  # the query-time path
            assert board == cold.leaderboard(label, moment)
            rep = board["entries"][len(board["entries"]) // 2]["rep_id"]
            assert queries.scorecards.rep(rep, label, moment) == cold.rep(rep, label, moment)


def test_totals_are_not_used_when_the_fold_began_keeping_them_late(store: tuple[LedgerApplication, Queries]) -> None:
    app, queries = store
    period, now = Period.parse("2026-Q1"), queries.read_side.moment(None)
    assert Scorecards(queries.read_side)._totals(period, now) is not None
    assert Scorecards(queries.read_side, "EUR")._totals(period, now) is None  # kept in another currency
    where = "WHERE projection = ? AND kind = ? AND valid_to IS NULL"
    with queries.db.transaction() as cur:
        cur.execute(f"SELECT state FROM projection_rows {where}", (NAME, META))
        kept_state = cur.fetchone()[0]
        # as if code without totals had folded the projection's first events
        cur.execute(f"UPDATE projection_rows SET state = ? {where}",
                    (f'{{"totals_from": {app.head()}, "base_currency": "CNY"}}', NAME, META))
    try:
        assert Scorecards(queries.read_side)._totals(period, now) is None
    finally:
        with queries.db.transaction() as cur:
            cur.execute(f"UPDATE projection_rows SET state = ? {where}", (kept_state, NAME, META))
    assert Scorecards(queries.read_side)._totals(period, now) is not None
