"""The outbox fold (who hears about what), its listing, and the delivery aggregate's backoff."""

from __future__ import annotations

import importlib
from datetime import date, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import pytest

from ledger.errors import RuleViolation
from ledger.notification import NotificationDelivery, backoff, webhook_label
from ledger.personal import Personal
from projections import outbox
from projections.base import MemoryView, fold_all, topic_of

AT = datetime(2026, 7, 1, 2, tzinfo=timezone.utc)
TEAM, OTHER_TEAM, REP = uuid4(), uuid4(), uuid4()


def fake(topic: str, **fields: Any) -> Any:
    """An event of that topic (module:qualname) without importing its module: the outbox reads by topic."""
    module, qualname = topic.split(":")
    cls = type(qualname.rsplit(".", 1)[-1], (SimpleNamespace,), {"__module__": module, "__qualname__": qualname})
    return cls(**{"originator_id": uuid4(), "timestamp": AT, "occurred_at": AT, **fields})


def fold(*events: Any) -> MemoryView:
    onboarded = fake(outbox.REP_ONBOARDED, originator_id=REP, name="张伟", team_id=TEAM)
    return fold_all(outbox.OutboxProjection(), enumerate([onboarded, *events], start=1))


def notes(view: MemoryView) -> list[dict[str, Any]]:
    return sorted((s for (kind, _, _), s in view.states.items() if kind == outbox.NOTE),
                  key=lambda n: (n["source"]["position"], n["recipient"]))


def recipients(view: MemoryView) -> list[str]:
    return [n["recipient"] for n in notes(view)]


def test_every_topic_read_names_the_event_class_it_means() -> None:
    for topic in outbox.OutboxProjection.topics:
        module, qualname = topic.split(":")
        owner, event = qualname.split(".")
        cls = getattr(getattr(importlib.import_module(module), owner), event)
        assert topic_of(cls) == topic


def test_recycle_warning_and_recycling_go_to_the_rep_and_the_team_manager() -> None:
    view = fold(fake(outbox.RECYCLE_WARNED, rep_id=REP, rule="idle", days_idle=27, recycle_on=date(2026, 7, 4)),
                fake(outbox.RECYCLED, rep_id=REP, rule="idle", days_idle=30))
    assert recipients(view) == [f"manager:{TEAM}", f"rep:{REP}"] * 2
    warned = notes(view)[0]
    assert (warned["kind"], warned["source"]["position"], warned["source"]["type"]) == (
        "recycle-warning", 2, "Customer.RecycleWarned")
    assert "2026-07-04" in warned["body"] and "张伟" in warned["body"] and warned["data"]["days_idle"] == 27
    assert warned["id"] == str(outbox.notification_id(2, f"manager:{TEAM}"))
    assert (warned["read"], warned["deliveries"], warned["created_at"]) == (False, {}, AT.isoformat())


def test_assignments_notify_the_new_owner_only_when_a_distribution_rule_chose_them() -> None:
    view = fold(fake(outbox.ASSIGNED, rep_id=REP, rule="ranked", seed=None),
                fake(outbox.ASSIGNED, rep_id=REP, rule="random", seed=42),
                fake(outbox.ASSIGNED, rep_id=REP, rule="manual", seed=None))
    assert recipients(view) == [f"rep:{REP}", f"rep:{REP}"]
    assert [n["data"]["rule"] for n in notes(view)] == ["ranked", "random"]


def test_early_warnings_go_to_the_manager_and_for_a_rep_also_to_hr() -> None:
    group = uuid4()
    view = fold(fake(outbox.EARLY_WARNING, subject_kind="rep", subject_id=REP, team_id=TEAM, rule="follow-ups-below-average",
                     period="2026-W26", detail={"weeks": ["2026-W25", "2026-W26"], "phone": Personal(REP, "139")}),
                fake(outbox.EARLY_WARNING, subject_kind="group", subject_id=group, team_id=None, rule="lagging-group",
                     period="2026-Q2", detail={}),
                fake(outbox.EARLY_WARNING, subject_kind="group", subject_id=group, team_id=OTHER_TEAM,
                     rule="lagging-group", period="2026-Q3", detail={}))
    assert recipients(view) == ["hr", f"manager:{TEAM}", f"manager:{OTHER_TEAM}"]  # a group without a team: nobody
    assert notes(view)[1]["data"]["detail"] == {"weeks": ["2026-W25", "2026-W26"]}  # personal values never copied


def test_review_flags_go_to_the_manager_and_hr_with_the_suggested_actions() -> None:
    view = fold(fake(outbox.REVIEW_FLAG, rep_id=REP, team_id=TEAM, period="2026-Q2", rank=9, of=10,
                     consecutive_periods=2, suggested_actions=["coaching", "training"]))
    assert recipients(view) == ["hr", f"manager:{TEAM}"]
    assert "coaching, training" in notes(view)[0]["body"] and "dismiss" not in notes(view)[0]["body"]


def test_contract_reminders_follow_the_rep_to_a_new_team() -> None:
    contract = uuid4()
    view = fold(fake(outbox.REP_TRANSFERRED, originator_id=REP, team_id=OTHER_TEAM),
                fake(outbox.CONTRACT_REMINDER, contract_id=contract, rep_id=REP, ends_on=date(2026, 7, 31), days_before=30))
    assert recipients(view) == ["hr", f"manager:{OTHER_TEAM}"]
    assert "ends on 2026-07-31, in 30 days" in notes(view)[0]["body"]


def test_a_warning_tells_its_rep() -> None:
    view = fold(fake(outbox.WARNING_ISSUED, rep_id=REP, level="written", reason="private matter"))
    [note] = notes(view)
    assert (note["recipient"], note["kind"]) == (f"rep:{REP}", "warning-issued")
    assert "private matter" not in str(note)


def test_reads_and_delivery_attempts_update_the_notification() -> None:
    view = fold(fake(outbox.WARNING_ISSUED, rep_id=REP, level="verbal"))
    nid = UUID(notes(view)[0]["id"])
    later = AT + timedelta(minutes=5)
    for position, event in enumerate([
        fake(outbox.ATTEMPT_FAILED, notification_id=nid, webhook="a#1", attempt=1, status=503, retry_at=later),
        fake(outbox.DELIVERED, notification_id=nid, webhook="a#1", attempts=2, occurred_at=later),
        fake(outbox.ATTEMPT_FAILED, notification_id=nid, webhook="b#2", attempt=1, status=0, retry_at=later),
        fake(outbox.READ, notification_id=nid, recipient=f"rep:{REP}", occurred_at=later),
        fake(outbox.READ, notification_id=uuid4(), recipient=f"rep:{REP}"),  # not a notification: ignored
    ], start=10):
        view.position = position
        outbox.OutboxProjection().fold(view, position, event)
    [note] = notes(view)
    assert (note["read"], note["read_at"]) == (True, later.isoformat())
    assert note["deliveries"] == {
        "a#1": {"delivered": True, "attempts": 2, "last_status": 503, "retry_at": None, "delivered_at": later.isoformat()},
        "b#2": {"delivered": False, "attempts": 1, "last_status": 0, "retry_at": later.isoformat(), "delivered_at": None}}
    assert [w["webhook"] for w in outbox.public(note)["deliveries"]] == ["a#1", "b#2"]
    assert set(outbox.message(note)) == {"id", "recipient", "kind", "title", "body", "created_at", "occurred_at",
                                         "source", "data"}


def test_a_page_never_splits_one_events_notifications() -> None:
    view = fold(*[fake(outbox.CONTRACT_REMINDER, contract_id=uuid4(), rep_id=REP, ends_on=date(2026, 8, 1), days_before=30)
                  for _ in range(3)])
    rows = [(part, key, state) for (kind, part, key), state in view.states.items() if kind == outbox.NOTE]
    first = outbox.listing(rows, unread=None, after=0, limit=3)
    assert [n["source"]["position"] for n in first["notifications"]] == [2, 2] and first["next_after"] == 2
    rest = outbox.listing(rows, unread=None, after=2, limit=1)
    assert [n["source"]["position"] for n in rest["notifications"]] == [3, 3] and rest["next_after"] == 3
    assert outbox.listing(rows, unread=True, after=4, limit=10) == {"notifications": [], "next_after": 4}
    assert outbox.listing(rows, unread=False, after=0, limit=10)["notifications"] == []


@pytest.mark.parametrize(("recipient", "parsed"), [
    ("hr", ("hr", None)), (f"rep:{REP}", ("rep", REP)), (f"manager:{TEAM}", ("manager", TEAM)),
    ("rep:nope", ("", None)), ("boss", ("", None)), ("hr:x", ("", None)),
])
def test_recipients_parse(recipient: str, parsed: tuple[str, UUID | None]) -> None:
    assert outbox.parse_recipient(recipient) == parsed


def test_backoff_doubles_from_a_minute_up_to_an_hour() -> None:
    assert [backoff(n) // timedelta(minutes=1) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_webhook_labels_keep_secrets_in_urls_out_of_the_ledger() -> None:
    label = webhook_label("https://hooks.example.com:8443/services/T0/SECRET?token=abc")
    assert label.startswith("hooks.example.com:8443#") and "SECRET" not in label and "abc" not in label
    assert label != webhook_label("https://hooks.example.com:8443/services/T0/OTHER")


def test_a_delivery_fails_with_backoff_then_is_delivered_once() -> None:
    stamp = dict(occurred_at=AT, actor="t", idempotency_key="k")
    delivery = NotificationDelivery.start(notification_id=uuid4(), webhook="h#1", **stamp)
    delivery.fail(status=500, **stamp)
    later = dict(stamp, occurred_at=AT + timedelta(minutes=1))
    assert (delivery.failures, delivery.retry_at, delivery.due(AT), delivery.due(later["occurred_at"])) == (
        1, AT + timedelta(minutes=1), False, True)
    delivery.fail(status=502, **later)
    assert delivery.retry_at == AT + timedelta(minutes=3)
    delivery.deliver(**later)
    assert (delivery.delivered, delivery.due(AT + timedelta(days=1))) == (True, False)
    assert delivery.collect_events()[-1].attempts == 3
    with pytest.raises(RuleViolation) as refused:
        delivery.deliver(**later)
    assert refused.value.code == "already-delivered"
