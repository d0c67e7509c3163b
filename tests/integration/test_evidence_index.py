"""The evidence index's fast path against the full scan, on the suite's engine and the same data: a generated
history (follow-ups, claims, assignments with rankings, deals and reversals, scores, trainings, contracts) plus
the two dismissal stories (published scorecards, review flags, plans, protected status, notice).

For every rep, several ranges and two positions, `collect_indexed` must collect what `collect` does, and the
bundles built both ways must be the same bytes and pass the offline verifier.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Iterator
from uuid import UUID, uuid4

import pytest

from api.schemas.imports import build_command
from ledger.application import LedgerApplication, build_application
from ledger.base import Ctx
from ledger.commands.performance import RecordTraining
from ledger.imports.runner import import_file
from ledger.settings import Settings
from ledger.signing import generate_key_file, public_pem
from projections.evidence.builder import EARLIEST, Evidence
from projections.evidence.collect import Collected, collect, collect_indexed
from projections.evidence.index import mentions
from projections.integrity_store import Row
from projections.registry import Queries
from scripts.generate import generate
from scripts.verify_bundle import verify
from tests.conftest import fresh_store
from tests.integration.evidence_world import World, build

RANGES = [(EARLIEST, date(2026, 12, 31)), (date(2025, 6, 1), date(2025, 12, 31)), (date(2026, 3, 1), date(2026, 5, 31))]


@dataclass
class Store:
    app: LedgerApplication
    queries: Queries
    world: World
    reps: list[UUID]
    public_key: bytes

    def full_scan(self) -> Evidence:
        return Evidence(self.app, self.queries.read_side, self.queries.integrity, indexed=False)


@pytest.fixture(scope="module")
def store(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    tmp = tmp_path_factory.mktemp("evidence-index")
    key = generate_key_file(tmp / "signing.pem")
    with fresh_store(replace(settings, signing_key_file=str(tmp / "signing.pem")), tmp) as fresh:
        generate(tmp / "history.jsonl", events=3000, seed=3)
        app = build_application(fresh)
        queries = Queries(app, fresh)
        try:
            import_file(app, tmp / "history.jsonl", build=build_command, actor="test")
            world = build(app, queries)
            moment = queries.read_side.moment(None)
            reps = sorted(UUID(key) for _, key, _ in queries.read_side.rows("scorecards", "rep", moment))
            yield Store(app, queries, world, reps, public_pem(key.public_key()).encode())
        finally:
            queries.close()
            app.close()


def peers(c: Collected) -> set[str]:
    return {r for r, team in c.members.items() if team == c.team} | {str(c.rep_id)}


def assert_same(full: Collected, fast: Collected) -> None:
    """Everything the bundle's files are made of (received and candidacies: of the rep and the team mates)."""
    assert [i.position for i in fast.items] == [i.position for i in full.items]
    assert [i.stored.state for i in fast.items] == [i.stored.state for i in full.items]
    assert [type(i.event) for i in fast.items] == [type(i.event) for i in full.items]
    assert (fast.rep_teams, fast.team, fast.members, fast.left_on) == (full.rep_teams, full.team, full.members, full.left_on)
    assert fast.published == full.published
    assert {r: fast.received.get(r) for r in peers(full)} == {r: full.received.get(r) for r in peers(full)}
    assert fast.candidacies.get(str(full.rep_id)) == full.candidacies.get(str(full.rep_id))


def test_the_index_collects_what_the_full_scan_collects_for_every_rep_range_and_position(store: Store) -> None:
    index = store.queries.evidence.index
    head = index.catch_up()
    assert len(store.reps) >= 10
    compared = 0
    for rep in store.reps:
        for start, end in RANGES:
            for position in (head, head * 2 // 3):
                full = collect(store.app, rep, start, end, position)
                assert_same(full, collect_indexed(store.app, index, rep, start, end, position))
                compared += len(full.items)
    assert compared > 3000  # the stories and the generated history, not empty ranges


def test_indexed_bundles_are_the_full_scans_bytes_and_verify_offline(store: Store) -> None:
    fast, slow = store.queries.evidence, store.full_scan()
    position = store.app.head()
    generated = [r for r in store.reps if r not in (store.world.lin, store.world.zhao)][:2]
    for rep in [store.world.lin, store.world.zhao, *generated]:
        for start, end in (RANGES[0], RANGES[2]):
            built = fast.build(rep, start, end, Ctx("test", f"k-{uuid4()}"), as_of=position)
            assert built.zip_bytes == slow.build(rep, start, end, Ctx("test", f"k-{uuid4()}"), as_of=position).zip_bytes
            lines: list[str] = []
            assert verify(built.zip_bytes, store.public_key, out=lines.append), lines[-5:]


def test_the_index_follows_events_recorded_after_it_caught_up(store: Store) -> None:
    fast, slow = store.queries.evidence, store.full_scan()
    rep = store.world.zhao
    fast.index.catch_up()
    store.app.record_training(RecordTraining(rep_id=rep, course="Negotiation", hours=Decimal("4"),
                                             completed_on=date(2026, 9, 1), occurred_at=datetime(2026, 9, 1, tzinfo=timezone.utc)),
                              Ctx("test", f"k-{uuid4()}"))
    position = store.app.head()
    built = fast.build(rep, None, None, Ctx("test", f"k-{uuid4()}"), as_of=position)
    assert built.zip_bytes == slow.build(rep, None, None, Ctx("test", f"k-{uuid4()}"), as_of=position).zip_bytes
    assert fast.index.position() >= position
    assert position in fast.index.mentioning([rep], position)


def test_an_event_is_indexed_under_its_stream_and_every_id_it_holds_typed_or_as_text() -> None:
    rep, customer, stream = uuid4(), uuid4(), uuid4()
    state = (b'{"rep_id":{"_type_":"uuid_hex","_data_":"' + rep.hex.encode() + b'"},"ranking":[{"rep_id":"'
             + str(customer).upper().encode() + b'"}],"sha":"' + b"ab" * 32 + b'","n":12345678}')
    found = mentions(Row(7, str(stream), 1, "ledger.x:X.Happened", state))
    assert found == {rep.hex, customer.hex, stream.hex}  # a 64-digit hash is not two ids
