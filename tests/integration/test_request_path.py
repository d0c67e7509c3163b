"""The request path's speed-ups keep every outcome: group commit, prefetched reads, the verified-token cache."""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from ledger.application import build_application
from ledger.base import Ctx
from ledger.commands.access import IssueToken, RevokeToken
from ledger.commands.org import CreateTeam, OnboardRep
from ledger.commands.pool import RegisterCustomer
from ledger.commands.sales import LogFollowUp
from ledger.errors import RuleViolation
from ledger.followup import FollowUp
from ledger.rep import Rep
from ledger.services import token_cache
from ledger.settings import Settings
from ledger.team import Team

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=timezone.utc)


def ctx() -> Ctx:
    return Ctx("test", f"k-{uuid4()}", "fp")


def rep_and_customer(app: Any) -> tuple[UUID, UUID]:
    team = app.create_team(CreateTeam(name=f"Group commit {uuid4().hex[:6]}", occurred_at=NOW), ctx())
    rep = app.onboard_rep(OnboardRep(name="Qian", team_id=team.id, hired_on=date(2025, 1, 6), occurred_at=NOW), ctx())
    customer = app.register_customer(RegisterCustomer(name=f"Acme {uuid4().hex[:6]}", occurred_at=NOW), ctx())
    return rep.id, customer.id


def stored(app: Any, aggregate: Any) -> list[Any]:
    return [app.mapper.to_stored_event(event) for event in aggregate.collect_events()]


def new_team(name: str) -> Team:
    return Team.create(id=None, name=name, region="", manager_id=None, occurred_at=NOW, actor="t", idempotency_key="k")


def test_concurrent_commands_are_each_recorded_once_at_their_own_positions(ledger_app: Any) -> None:
    rep_id, customer_id = rep_and_customer(ledger_app)
    results: list[FollowUp] = []
    lock = threading.Lock()

    def log(count: int) -> None:
        for _ in range(count):
            follow_up = ledger_app.log_follow_up(LogFollowUp(rep_id=rep_id, customer_id=customer_id, kind="call",
                                                             stage="lead", occurred_at=NOW), ctx())
            with lock:
                results.append(follow_up)

    threads = [threading.Thread(target=log, args=(15,)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({f.id for f in results}) == 90
    positions = [n.id for n in ledger_app.recorder.select_notifications(start=1, limit=10**9)
                 if UUID(str(n.originator_id)) in {f.id for f in results}]
    assert len(positions) == len(set(positions)) == 90
    for follow_up in results[:10]:
        assert ledger_app.load(FollowUp, follow_up.id).customer_id == customer_id


def test_a_conflicting_save_in_a_group_fails_alone_and_the_others_are_written(ledger_app: Any) -> None:
    taken = new_team("Taken")
    ledger_app.save(taken)
    first = ledger_app.recorder.select_events(taken.id)  # its version 1 exists: writing it again conflicts
    before, after = new_team("Before"), new_team("After")
    committer = ledger_app.events.committer
    outcomes = committer.write_together([stored(ledger_app, before), first, stored(ledger_app, after)])
    assert isinstance(outcomes[1], IntegrityError)
    assert all(isinstance(outcome, list) and len(outcome) == 1 for outcome in (outcomes[0], outcomes[2]))
    assert outcomes[0][0] < outcomes[2][0]  # type: ignore[index]  # arrival order is position order
    assert ledger_app.load(Team, before.id).name == "Before" and ledger_app.load(Team, after.id).name == "After"
    assert [e.originator_version for e in ledger_app.repository.event_store.get(taken.id)] == [1]


def test_a_group_without_conflicts_is_one_transaction_with_consecutive_positions(ledger_app: Any) -> None:
    teams = [new_team(f"T{i}") for i in range(3)]
    outcomes = ledger_app.events.committer.write_together([stored(ledger_app, t) for t in teams])
    positions = [outcome[0] for outcome in outcomes]
    assert positions == list(range(positions[0], positions[0] + 3))


def test_a_stale_command_still_conflicts_when_saved_beside_others(ledger_app: Any) -> None:
    rep_id, _ = rep_and_customer(ledger_app)
    first, second = ledger_app.load(Rep, rep_id), ledger_app.load(Rep, rep_id)
    first.leave(left_on=date(2026, 5, 1), reason="moved", occurred_at=NOW, actor="t", idempotency_key="a")
    second.leave(left_on=date(2026, 5, 2), reason="moved", occurred_at=NOW, actor="t", idempotency_key="b")
    outcomes = ledger_app.events.committer.write_together(
        [stored(ledger_app, first), stored(ledger_app, new_team("Bystander")), stored(ledger_app, second)])
    assert isinstance(outcomes[0], list) and isinstance(outcomes[1], list) and isinstance(outcomes[2], IntegrityError)


def test_a_prefetched_read_is_used_once_and_never_after_a_save(ledger_app: Any) -> None:
    rep_id, customer_id = rep_and_customer(ledger_app)
    with ledger_app.prefetched(rep_id, customer_id, uuid4()):
        rep = ledger_app.load(Rep, rep_id)
        ledger_app.log_follow_up(LogFollowUp(rep_id=rep_id, customer_id=customer_id, kind="visit", stage="qualified",
                                             occurred_at=NOW), ctx())
        rep.leave(left_on=date(2026, 5, 1), reason="moved", occurred_at=NOW, actor="t", idempotency_key="c")
        ledger_app.save(rep)
        assert ledger_app.load(Rep, rep_id).version == rep.version  # read after the save: the stored state
        with pytest.raises(RuleViolation):  # the departed rep's follow-up is refused on the fresh state
            ledger_app.log_follow_up(LogFollowUp(rep_id=rep_id, customer_id=customer_id, kind="visit",
                                                 stage="qualified", occurred_at=NOW), ctx())


def test_a_token_revoked_elsewhere_stops_working_within_the_cache_lifetime(
    ledger_app: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(token_cache, "TTL_S", 0.3)
    token, secret = ledger_app.issue_token(IssueToken(name=f"t-{uuid4().hex[:6]}", role="auditor", occurred_at=NOW),
                                           ctx())
    assert ledger_app.authenticate(secret).id == token.id  # now remembered by this application
    other = build_application(settings)  # another process: the CLI's `ledger tokens revoke`
    try:
        other.revoke_token(RevokeToken(token_id=token.id, occurred_at=NOW), ctx())
    finally:
        other.close()
    deadline = datetime.now(timezone.utc).timestamp() + 2
    while ledger_app.authenticate(secret) is not None:
        assert datetime.now(timezone.utc).timestamp() < deadline, "the revocation never took effect"
    assert ledger_app.authenticate(secret) is None


def test_a_revocation_saved_here_takes_effect_at_once_and_unknown_secrets_are_not_kept(ledger_app: Any) -> None:
    token, secret = ledger_app.issue_token(IssueToken(name=f"t-{uuid4().hex[:6]}", role="auditor", occurred_at=NOW),
                                           ctx())
    assert ledger_app.authenticate(secret) is not None
    ledger_app.revoke_token(RevokeToken(token_id=token.id, occurred_at=NOW), ctx())
    assert ledger_app.authenticate(secret) is None
    assert ledger_app.authenticate("spl_" + uuid4().hex) is None
    assert all(entry[1].id != token.id for entry in ledger_app._verified.values())
