"""The hash chain over the stored bytes, on the suite's engine: tampering, deletion and checkpoints are caught."""

from __future__ import annotations

import base64
import sqlite3
import threading
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator
from uuid import UUID, uuid4

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.application import LedgerApplication, build_application
from ledger.base import Ctx
from ledger.chain import GENESIS, checkpoint_message, frame, link, merkle_root, verify_inclusion
from ledger.commands.integrity import RecordCheckpoint
from ledger.commands.org import CreateTeam, OnboardRep, PersonalDetails
from ledger.commands.privacy import EraseDataSubject
from ledger.rep import Rep
from ledger.settings import Settings
from ledger.signing import load_private_key, load_public_key, public_pem, verify
from projections.db import Database
from projections.integrity import Integrity
from projections.registry import Queries
from tests.conftest import fresh_store
from tests.integrity_keys import public_key_file, write_key

NOW = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)


@dataclass
class World:
    settings: Settings
    app: LedgerApplication
    queries: Queries
    reps: list[UUID]

    @property
    def integrity(self) -> Integrity:
        return self.queries.integrity

    def raw(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Plain SQL on the store, around the application: what someone with database access could do."""
        if not self.settings.database_url:
            with sqlite3.connect(self.settings.db_path) as conn:
                rows = conn.execute(sql, params).fetchall()
            conn.close()
            return rows
        with psycopg.connect(self.settings.database_url, autocommit=True) as pg:
            cursor = pg.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    @property
    def table(self) -> tuple[str, str]:
        return self.app.recorder.events_table_name, "notification_id" if self.settings.database_url else "rowid"  # type: ignore[attr-defined]

    def stored(self) -> list[tuple[int, str, int, str, bytes]]:
        table, pos = self.table
        rows = self.raw(f"SELECT {pos}, originator_id, originator_version, topic, state FROM {table} ORDER BY {pos}")
        return [(int(p), str(UUID(str(o))), int(v), t, bytes(s)) for p, o, v, t, s in rows]

    def write(self, n: int = 3) -> None:
        team = self.app.create_team(CreateTeam(name=f"t-{uuid4().hex[:6]}", occurred_at=NOW), ctx())
        for i in range(n):
            rep = self.app.onboard_rep(OnboardRep(name=f"王{i}", team_id=team.id, hired_on=date(2025, 3, 1), occurred_at=NOW,
                                                  personal=PersonalDetails(phone=f"+86 139 0000 {i:04d}")), ctx())
            self.reps.append(rep.id)


def ctx() -> Ctx:
    return Ctx("test", f"k-{uuid4()}", "fp")


@pytest.fixture()
def world(settings: Settings, tmp_path: Path) -> Iterator[World]:
    """A fresh store of its own on the suite's engine: these tests corrupt it on purpose."""
    with fresh_store(settings, tmp_path) as fresh:
        app = build_application(fresh)
        queries = Queries(app, fresh)
        w = World(fresh, app, queries, [])
        w.write()
        yield w
        queries.close()
        app.close()


def recomputed(rows: list[tuple[int, str, int, str, bytes]]) -> list[tuple[int, bytes]]:
    chain, prev = [], GENESIS
    for position, stream, version, topic, state in rows:
        prev = link(prev, frame(position, stream, version, topic, state))
        chain.append((position, prev))
    return chain


def test_the_chain_holds_the_hash_of_every_stored_event_in_ledger_order(world: World) -> None:
    world.integrity.catch_up()
    world.write(2)  # a second catch-up continues the same chain from its tracking position
    assert world.integrity.catch_up() == world.app.head()
    expected = recomputed(world.stored())
    table = world.raw("SELECT position, ordinal, hash FROM integrity_chain ORDER BY position")
    assert [(int(p), bytes(h)) for p, _, h in table] == expected
    assert [int(o) for _, o, _ in table] == list(range(len(expected)))
    status = world.integrity.status()
    assert status["merkle_root"] == merkle_root([h for _, h in expected]).hex()
    assert (status["position"], status["size"], status["behind"]) == (world.app.head(), len(expected), 0)
    report = world.integrity.verify()
    assert (report["ok"], report["checked"], report["first_bad_position"], report["problem"]) == (True, len(expected), None, None)


def test_concurrent_followers_chain_each_position_once(world: World) -> None:
    world.write(6)
    followers = [Integrity(world.app, Database(world.settings), world.settings, batch=3) for _ in range(2)]
    threads = [threading.Thread(target=f.catch_up) for f in followers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    table = world.raw("SELECT position, hash FROM integrity_chain ORDER BY position")
    assert [(int(p), bytes(h)) for p, h in table] == recomputed(world.stored())
    for follower in followers:
        follower.db.close()


def change_one_byte(world: World, position: int) -> None:
    table, pos = world.table
    (state,) = world.raw(f"SELECT state FROM {table} WHERE {pos} = ?", (position,))[0]
    state = bytes(state)
    at = state.index(b'"actor"')  # flip a letter inside the JSON, as a quiet edit would
    world.raw(f"UPDATE {table} SET state = ? WHERE {pos} = ?", (state[:at + 2] + b"A" + state[at + 3:], position))


def test_changing_one_stored_byte_is_reported_at_that_position(world: World) -> None:
    signed = world.integrity.sign(ctx())
    target = world.stored()[3][0]
    change_one_byte(world, target)
    report = world.integrity.verify()
    assert report["ok"] is False
    assert (report["first_bad_position"], report["problem"], report["problem_count"]) == (target, "changed", 1)
    assert f"position {target}" in report["detail"]
    verdict = next(c for c in report["checkpoints"] if c["position"] == signed.position)
    assert verdict["ok"] is False and "Merkle root" in verdict["reason"]


def test_deleting_a_stored_event_names_the_gap(world: World) -> None:
    world.integrity.catch_up()
    table, pos = world.table
    target = world.stored()[2][0]
    world.raw(f"DELETE FROM {table} WHERE {pos} = ?", (target,))
    report = world.integrity.verify()
    assert (report["ok"], report["first_bad_position"], report["problem"]) == (False, target, "missing")
    assert report["problem_count"] == 1  # the events after the gap still check out one by one


def test_a_stored_event_the_sealer_never_chained_is_reported(world: World) -> None:
    world.integrity.catch_up()
    target = world.stored()[1][0]
    world.raw("DELETE FROM integrity_chain WHERE position = ?", (target,))
    report = world.integrity.verify()
    assert (report["ok"], report["first_bad_position"], report["problem"]) == (False, target, "extra")


def test_a_chain_table_rewritten_to_match_an_edit_is_caught_by_the_signed_checkpoint(world: World) -> None:
    signed = world.integrity.sign(ctx())
    target = world.stored()[3][0]
    change_one_byte(world, target)
    for position, h in recomputed(world.stored()):  # the forger recomputes every later link
        world.raw("UPDATE integrity_chain SET hash = ? WHERE position = ?", (h, position))
    report = world.integrity.verify()
    assert report["ok"] is False
    assert (report["problem"], report["first_bad_position"]) == ("checkpoint", signed.position)
    assert f"between positions 1 and {signed.position}" in report["detail"]


def test_a_checkpoint_signature_verifies_with_the_signing_key_and_fails_with_another(world: World, tmp_path: Path) -> None:
    signed = world.integrity.sign(ctx())
    message = checkpoint_message(signed.position, signed.size, bytes.fromhex(signed.chain_head),
                                 bytes.fromhex(signed.merkle_root))
    key = load_private_key(world.settings.signing_key_file)
    assert verify(key.public_key(), bytes.fromhex(signed.signature), message)
    assert not verify(Ed25519PrivateKey.generate().public_key(), bytes.fromhex(signed.signature), message)
    other = write_key(tmp_path / "other.pem", Ed25519PrivateKey.generate())
    stranger = Integrity(world.app, world.queries.db, replace(world.settings, signing_key_file=other))
    verdict = stranger.verify()["checkpoints"][0]
    assert verdict["ok"] is False and "not configured" in verdict["reason"]
    published = public_key_file(world.settings.signing_key_file, tmp_path / "published.pub.pem")
    auditor = Integrity(world.app, world.queries.db, replace(world.settings, signing_key_file="", verify_key_files=published))
    assert auditor.verify()["ok"] is True  # the public key alone verifies


def test_the_same_position_is_checkpointed_once(world: World) -> None:
    world.integrity.catch_up()
    status = world.integrity.status()
    key = load_private_key(world.settings.signing_key_file)
    message = checkpoint_message(status["position"], status["size"], bytes.fromhex(status["chain_head"]),
                                 bytes.fromhex(status["merkle_root"]))
    command = RecordCheckpoint(position=status["position"], size=status["size"], chain_head=status["chain_head"],
                               merkle_root=status["merkle_root"], signature=key.sign(message).hex(),
                               public_key=public_pem(key.public_key()), occurred_at=NOW)
    first = world.app.record_checkpoint(command, Ctx("signer-1", "a"))
    head = world.app.head()
    second = world.app.record_checkpoint(command, Ctx("signer-2", "b"))
    assert second.id == first.id and second.version == first.version == 1
    assert world.app.head() == head


def test_erasing_a_person_keeps_every_proof(world: World) -> None:
    world.integrity.sign(ctx())
    before = {row[0]: row[4] for row in world.stored()}
    world.app.erase_data_subject(EraseDataSubject(subject_id=world.reps[0], reason="request", occurred_at=NOW), ctx())
    assert world.app.load(Rep, world.reps[0]).phone.shown() == "[erased]"
    after = {row[0]: row[4] for row in world.stored()}
    assert {p: s for p, s in after.items() if p in before} == before  # no stored byte changed
    report = world.integrity.verify()
    assert report["ok"] is True and all(c["ok"] for c in report["checkpoints"])


def test_the_oldest_covering_checkpoint_proves_each_event_offline(world: World) -> None:
    first = world.integrity.sign(ctx())
    world.write(2)
    second = world.integrity.sign(ctx())
    early, late = world.stored()[1][0], second.position
    covering: Callable[[int], dict[str, Any]] = lambda p: world.integrity.checkpoint_covering(p, ctx())  # noqa: E731
    assert covering(early)["position"] == first.position
    assert covering(first.position + 1)["position"] == second.position
    checkpoint = covering(late)
    public = load_public_key(checkpoint["public_key"].encode())
    root = bytes.fromhex(checkpoint["merkle_root"])
    assert verify(public, bytes.fromhex(checkpoint["signature"]), checkpoint_message(
        checkpoint["position"], checkpoint["size"], bytes.fromhex(checkpoint["chain_head"]), root))
    for position, entry in world.integrity.chain([early, late]).items():
        h = link(bytes.fromhex(entry["prev"]), frame(position, entry["stream_id"], entry["version"], entry["topic"],
                                                     base64.b64decode(entry["state_b64"])))
        assert h.hex() == entry["hash"]
        proof = [bytes.fromhex(p) for p in world.integrity.proof(position, checkpoint)]
        assert verify_inclusion(h, entry["ordinal"], checkpoint["size"], proof, root)
    assert world.integrity.chain([early])[early]["prev"] != GENESIS.hex()
    assert world.integrity.chain([1])[1]["prev"] == GENESIS.hex()
