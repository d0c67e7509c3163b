"""Webhook delivery to real HTTP receivers on loopback: signed, retried with backoff, marked delivered once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator
from uuid import UUID, uuid4

import pytest

from jobs.base import JobContext, find_job, run_job
from ledger.application import LedgerApplication, build_application
from ledger.base import Ctx
from ledger.commands import contracts, org, performance
from ledger.commands.reminders import SendContractReminder
from ledger.notification import NotificationDelivery, delivery_id, webhook_label
from ledger.settings import Settings
from projections import outbox
from projections.registry import Queries
from tests.conftest import fresh_store

SECRET = "whsec-test-0123456789"
T0 = datetime(2031, 5, 4, 8, 0, tzinfo=timezone.utc)
Store = tuple[LedgerApplication, Queries, Settings]


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that checks each request's signature; `fail_first` answers 500 that many
    times per notification before it accepts it."""

    fail_first: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/{id(self)}"

    def accepted(self) -> Counter[str]:
        return Counter(r["id"] for r in self.received if r["status"] == 200)

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                nid = self.headers["X-Ledger-Notification"]
                tries = sum(1 for r in receiver.received if r["id"] == nid)
                status = 500 if tries < receiver.fail_first else 200
                receiver.received.append({
                    "id": nid, "status": status, "body": json.loads(body), "attempt": self.headers["X-Ledger-Attempt"],
                    "signed": hmac.compare_digest(expected, self.headers["X-Ledger-Signature"]),
                    "content_type": self.headers["Content-Type"]})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def store(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A ledger of its own with three notifications: a warning to a rep, a contract reminder to HR and the manager."""
    with fresh_store(settings, tmp_path_factory.mktemp("webhooks")) as fresh:
        app = build_application(fresh)
        queries = Queries(app, fresh)
        at = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
        team = app.create_team(org.CreateTeam(name="Hooks", occurred_at=at), ctx()).id
        rep = app.onboard_rep(org.OnboardRep(name="李雷", team_id=team, hired_on=date(2025, 1, 2), occurred_at=at), ctx()).id
        app.issue_warning(performance.IssueWarning(rep_id=rep, level="written", reason="late reports", occurred_at=at),
                          ctx())
        contract = app.sign_contract(contracts.SignContract(
            rep_id=rep, kind="fixed_term", starts_on=date(2025, 1, 2), ends_on=date(2026, 2, 1), post="sales",
            base_pay_amount=Decimal("8800.00"), currency="CNY", occurred_at=at), ctx()).id
        app.send_contract_reminder(SendContractReminder(contract_id=contract, ends_on=date(2026, 2, 1),
                                                        on=date(2026, 1, 5), occurred_at=at), ctx())
        yield app, queries, fresh
        queries.close()
        app.close()


@pytest.fixture()
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    steady, flaky = Receiver().start(), Receiver(fail_first=2).start()
    yield steady, flaky
    steady.stop()
    flaky.stop()


def ctx() -> Ctx:
    return Ctx("test", f"k-{uuid4()}")


def deliver(store: Store, at: datetime, *receivers: Receiver, secret: str = SECRET, app: Any = None) -> JobContext:
    ledger, queries, settings = store
    configured = replace(settings, webhook_urls=",".join(r.url for r in receivers), webhook_secret=secret)
    return run_job(find_job("deliver-notifications"), app or ledger, queries, configured, at)


def notifications(store: Store) -> dict[str, dict[str, Any]]:
    side = store[1].read_side
    return {state["id"]: state for _, _, state in side.rows(outbox.NAME, outbox.NOTE, side.moment())}


def stream(app: LedgerApplication, notification: str, receiver: Receiver) -> list[Any]:
    return list(app.repository.event_store.get(delivery_id(UUID(notification), webhook_label(receiver.url))))


def test_each_notification_is_posted_signed_and_marked_delivered_once(store: Store, receivers: Any) -> None:
    steady, _ = receivers
    notes = notifications(store)
    assert sorted(n["recipient"].split(":")[0] for n in notes.values()) == ["hr", "manager", "rep"]
    deliver(store, T0, steady)
    assert steady.accepted() == Counter({nid: 1 for nid in notes})
    assert all(r["signed"] and r["content_type"] == "application/json" and r["attempt"] == "1" for r in steady.received)
    for request in steady.received:
        assert request["body"] == outbox.message(notes[request["id"]])
    label = webhook_label(steady.url)
    for nid, note in notifications(store).items():
        assert note["deliveries"][label] == {"delivered": True, "attempts": 1, "last_status": None, "retry_at": None,
                                             "delivered_at": T0.isoformat()}
        [started, delivered] = stream(store[0], nid, steady)
        assert isinstance(delivered, NotificationDelivery.Delivered)
        assert (delivered.notification_id, delivered.webhook, delivered.attempts) == (UUID(nid), label, 1)
    head = store[0].head()
    for later in (T0 + timedelta(minutes=1), T0 + timedelta(days=1)):
        assert deliver(store, later, steady).recorded == 0
    assert len(steady.received) == len(notes) and store[0].head() == head


def test_a_receiver_failing_twice_gets_each_notification_after_backoff_marked_delivered_once(
    store: Store, receivers: Any,
) -> None:
    _, flaky = receivers
    notes = notifications(store)
    schedule = [(T0, 3), (T0 + timedelta(seconds=59), 0), (T0 + timedelta(minutes=1), 3),
                (T0 + timedelta(minutes=2, seconds=59), 0), (T0 + timedelta(minutes=3), 3),
                (T0 + timedelta(minutes=10), 0), (T0 + timedelta(hours=2), 0)]
    for at, posts in schedule:
        before = len(flaky.received)
        deliver(store, at, flaky)
        assert len(flaky.received) - before == posts, at
    assert flaky.accepted() == Counter({nid: 1 for nid in notes})
    assert all(r["signed"] for r in flaky.received)
    assert sorted(r["attempt"] for r in flaky.received) == ["1"] * 3 + ["2"] * 3 + ["3"] * 3
    label = webhook_label(flaky.url)
    for nid in notes:
        events = stream(store[0], nid, flaky)
        assert [type(e).__name__ for e in events] == ["Started", "AttemptFailed", "AttemptFailed", "Delivered"]
        assert [(e.attempt, e.status, e.retry_at) for e in events[1:3]] == [
            (1, 500, T0 + timedelta(minutes=1)), (2, 500, T0 + timedelta(minutes=3))]
        assert (events[3].attempts, events[3].occurred_at) == (3, T0 + timedelta(minutes=3))
        assert notifications(store)[nid]["deliveries"][label] == {
            "delivered": True, "attempts": 3, "last_status": 500, "retry_at": None,
            "delivered_at": (T0 + timedelta(minutes=3)).isoformat()}


def test_two_schedulers_at_once_mark_each_notification_delivered_once(store: Store, receivers: Any) -> None:
    steady, _ = receivers
    other = build_application(store[2])
    barrier, errors = threading.Barrier(2), []

    def worker(app: LedgerApplication) -> None:
        try:
            barrier.wait()
            deliver(store, T0, steady, app=app)
        except BaseException as error:  # surfaced below
            errors.append(error)

    try:
        threads = [threading.Thread(target=worker, args=(a,)) for a in (store[0], other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other.close()
    assert errors == []
    notes = notifications(store)
    assert set(steady.accepted()) == set(notes)  # each delivered at least once (perhaps twice)...
    for nid in notes:  # ...and marked delivered exactly once
        assert [type(e).__name__ for e in stream(store[0], nid, steady)] == ["Started", "Delivered"]


def test_an_unreachable_webhook_backs_off_and_holds_the_rest(store: Store, receivers: Any) -> None:
    steady, _ = receivers
    down = Receiver().start()
    down.stop()  # nothing listens on its port any more
    context = deliver(store, T0, down)
    failed = [nid for nid in notifications(store) if stream(store[0], nid, down)]
    assert len(failed) == 1 and any("no answer" in note for note in context.notes)
    [_, attempt] = stream(store[0], failed[0], down)
    assert (attempt.attempt, attempt.status, attempt.retry_at) == (1, 0, T0 + timedelta(minutes=1))


def test_without_a_secret_nothing_is_sent_unsigned(store: Store, receivers: Any) -> None:
    steady, _ = receivers
    head = store[0].head()
    context = deliver(store, T0, steady, secret="")
    assert steady.received == [] and store[0].head() == head
    assert any("LEDGER_WEBHOOK_SECRET" in note for note in context.notes)
