"""`ledger replay` and `ledger events --from/--until` as a user runs them, against a store of their own.

A replay at a past position must equal a pure fold of the events up to that position, differ from
the projection now, and leave the live read models untouched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator
from uuid import UUID, uuid4

import pytest

from ledger.application import LedgerApplication, build_application
from ledger.base import Ctx
from ledger.commands import contracts, org, pool
from ledger.settings import Settings
from projections.base import fold_all
from projections.contracts import rep_contract
from projections.feed import read_feed
from projections.pool import PoolProjection
from projections.registry import Queries
from projections.store import tracked_position
from tests.conftest import fresh_store

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


@dataclass
class Store:
    app: LedgerApplication
    queries: Queries
    env: dict[str, str]
    middle: int  # after registering the customers, before any claim
    rep_id: UUID
    contract_id: UUID
    signed_at: int  # the contract signed, its amendment not yet


def ctx() -> Ctx:
    return Ctx("test", f"k-{uuid4()}")


@pytest.fixture(scope="module")
def store(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with fresh_store(settings, tmp_path_factory.mktemp("replay")) as fresh:
        app = build_application(fresh)
        queries = Queries(app, fresh)
        team = app.create_team(org.CreateTeam(name="Replay", occurred_at=AT), ctx()).id
        rep = app.onboard_rep(org.OnboardRep(name="王芳", team_id=team, hired_on=date(2025, 1, 2), occurred_at=AT), ctx()).id
        customers = [app.register_customer(pool.RegisterCustomer(name=f"c{i}", occurred_at=AT), ctx()).id for i in range(4)]
        contract = app.sign_contract(contracts.SignContract(
            rep_id=rep, kind="fixed_term", starts_on=date(2025, 1, 2), ends_on=date(2028, 1, 1), post="sales",
            base_pay_amount=Decimal("9000.00"), currency="CNY", occurred_at=AT), ctx())
        middle = app.head()
        for customer in customers[:3]:
            app.claim_customer(pool.ClaimCustomer(customer_id=customer, rep_id=rep, occurred_at=AT), ctx())
        amendment = app.propose_amendment(contracts.ProposeAmendment(
            contract_id=contract.id, changes={"post": "lead"}, effective_on=date(2026, 1, 1), proposed_by="employer",
            occurred_at=AT), ctx()).amendments[-1]["id"]
        for party in ("employer", "employee"):
            app.sign_amendment(contracts.SignAmendment(contract_id=contract.id, amendment_id=amendment, party=party,
                                                       signer=party, occurred_at=AT), ctx())
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
        env.update({"LEDGER_MASTER_KEY": fresh.master_key, "PYTHONIOENCODING": "utf-8", "LEDGER_CREATE_TABLES": "no"})
        env.update({"LEDGER_DATABASE_URL": fresh.database_url} if fresh.database_url else {"LEDGER_DB": fresh.db_path})
        try:
            yield Store(app, queries, env, middle, rep, contract.id, middle)
        finally:
            queries.close()
            app.close()


def ledger(store: Store, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scripts.cli", *args], env=store.env, cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


def replayed(store: Store, until: str, name: str = "pool") -> dict[str, Any]:
    done = ledger(store, "replay", "--until", until, "--projection", name, "--json")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def by_address(document: dict[str, Any]) -> dict[tuple[str, str, str], Any]:
    return {(r["kind"], r["part"], r["key"]): r["state"] for r in document["rows"]}


def folded(app: LedgerApplication, until: int) -> dict[tuple[str, str, str], Any]:
    """The reference: a pure in-memory fold of every event up to the position."""
    events = [(n.id, app.mapper.to_domain_event(n)) for n in app.recorder.select_notifications(start=1, limit=10**6, stop=until)]
    return {address: json.loads(json.dumps(state)) for address, state in fold_all(PoolProjection(), events).states.items()}


def test_replay_at_a_past_position_equals_a_fold_up_to_it_and_differs_from_now(store: Store) -> None:
    then = replayed(store, str(store.middle))
    assert then["position"] == store.middle and then["projection"] == "pool"
    assert by_address(then) == folded(store.app, store.middle)
    now = replayed(store, str(store.app.head()))
    assert by_address(now) == folded(store.app, store.app.head()) != by_address(then)
    owners = [s.get("owner_id") for (kind, _, _), s in by_address(now).items() if kind == "customer"]
    assert owners.count(str(store.rep_id)) == 3 and str(store.rep_id) not in json.dumps(then["rows"])


def test_replay_by_time_resolves_like_as_of(store: Store) -> None:
    [last] = read_feed(store.app, store.middle - 1, 1)["events"]
    then = replayed(store, last["recorded_at"].isoformat())
    assert then["position"] == store.queries.read_side.moment(last["recorded_at"].isoformat()).position == store.middle
    assert by_address(then) == folded(store.app, store.middle)
    assert replayed(store, "1999-01-01T00:00:00+00:00")["rows"] == []


def test_replay_leaves_the_live_read_models_untouched(store: Store) -> None:
    store.queries.read_side.runner("pool").catch_up()

    def live() -> tuple[int, int]:
        with store.queries.db.transaction(write=False) as cur:
            cur.execute("SELECT COUNT(*) FROM projection_rows WHERE projection = 'pool'")
            rows = int(cur.fetchone()[0])
            return tracked_position(cur, "pool"), rows

    before = live()
    replayed(store, str(store.middle))
    assert live() == before and before[0] == store.app.head()


def test_replay_prints_a_table_with_progress_on_stderr(store: Store, tmp_path: Path) -> None:
    scratch = tmp_path / "kept.sqlite"
    done = ledger(store, "replay", "--until", str(store.middle), "--projection", "contracts", "--scratch", str(scratch))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"contracts as of position {store.middle} (") and "2 rows" in lines[0]
    assert lines[1].split() == ["kind", "part", "key", "state"] and len(lines) == 5
    assert "replay contracts" in done.stderr and scratch.exists()  # tqdm's bar, and the store kept for inspection


def test_replay_refuses_a_bad_bound_or_projection_with_one_line(store: Store) -> None:
    for args, named in ((["--until", "yesterday", "--projection", "pool"], "--until"),
                        (["--until", "2026-01-01T00:00:00", "--projection", "pool"], "--until"),
                        (["--until", "5", "--projection", "nope"], "--projection")):
        done = ledger(store, "replay", *args)
        assert done.returncode == 2 and "Traceback" not in done.stderr and named in done.stderr, done.stderr


def test_contract_in_force_as_the_ledger_stood_before_the_amendment(store: Store) -> None:
    read_side = store.queries.read_side
    now = rep_contract(read_side, store.app, store.rep_id, date(2026, 6, 1), read_side.moment())
    then = rep_contract(read_side, store.app, store.rep_id, date(2026, 6, 1), read_side.moment(store.signed_at))
    assert (now["clauses"]["post"], then["clauses"]["post"]) == ("lead", "sales")
    assert now["clauses"]["base_pay_amount"].value == Decimal("9000.00") and now["status"] == "active"
    assert [e["type"] for e in then["events"]] == ["Contract.Signed"] and then["amendments"] == []
    assert now["amendments"][0]["positions"]["employee"] == now["events"][-1]["position"] <= store.app.head()


def test_events_cli_reads_between_positions_and_between_times(store: Store) -> None:
    everything = read_feed(store.app, 0, 1000)["events"]
    first, last = everything[2], everything[6]

    def printed(*args: str) -> list[int]:
        done = ledger(store, "events", *args)
        assert done.returncode == 0, done.stderr
        return [json.loads(line)["position"] for line in done.stdout.splitlines()]

    expected = [e["position"] for e in everything if first["position"] <= e["position"] <= last["position"]]
    assert printed("--from", str(first["position"]), "--until", str(last["position"])) == expected
    assert printed("--from", first["recorded_at"].isoformat(), "--until", last["recorded_at"].isoformat()) == expected
    assert printed("--until", str(last["position"]), "--follow") == [e["position"] for e in everything[:7]]
    done = ledger(store, "events", "--from", "soon")
    assert done.returncode == 2 and "--from" in done.stderr and "Traceback" not in done.stderr
