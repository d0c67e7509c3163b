"""The fate of an outbox notification: read by its recipient, delivered to each webhook (with retries).

Two small aggregates of one family. A notification itself is a read model (projections/outbox.py),
derived from the events it tells about; what happens to it afterwards is recorded here as facts.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import RuleViolation

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:notification-delivery")
MAX_BACKOFF = timedelta(hours=1)


def webhook_label(url: str) -> str:
    """How a webhook is named in events and the outbox: its host and a hash of the whole URL, because
    webhook URLs often carry a secret in their path or query and must not be copied into the ledger."""
    parts = urlsplit(url)
    host = parts.hostname or "webhook"
    host = f"{host}:{parts.port}" if parts.port else host
    return f"{host}#{hashlib.sha256(url.encode()).hexdigest()[:12]}"


def delivery_id(notification_id: UUID, webhook: str) -> UUID:
    """One stream per notification and webhook, so that it is marked delivered exactly once."""
    return uuid5(_NAMESPACE, f"{notification_id}:{webhook}")


def backoff(attempt: int) -> timedelta:
    """Wait after the n-th failed attempt: 1, 2, 4, 8 ... minutes, at most an hour."""
    return min(timedelta(minutes=2 ** min(max(attempt, 1) - 1, 10)), MAX_BACKOFF)


class NotificationDelivery(LedgerAggregate):
    """Attempts to deliver one notification to one webhook; `delivered` turns true once, for good."""

    KIND = "notification-delivery"
    if TYPE_CHECKING:
        notification_id: UUID
        webhook: str
        failures: int
        last_status: int | None
        retry_at: datetime | None
        delivered: bool
        delivered_at: datetime | None

    class Started(LedgerCreated):
        notification_id: UUID
        webhook: str

        def apply(self, d: Any) -> None:
            d.notification_id, d.webhook, d.failures, d.last_status = self.notification_id, self.webhook, 0, None
            d.retry_at, d.delivered, d.delivered_at = None, False, None

    class AttemptFailed(LedgerEvent):
        notification_id: UUID
        webhook: str
        attempt: int
        status: int
        retry_at: datetime

        def apply(self, d: Any) -> None:
            d.failures, d.last_status, d.retry_at = self.attempt, self.status, self.retry_at

    class Delivered(LedgerEvent):
        notification_id: UUID
        webhook: str
        attempts: int

        def apply(self, d: Any) -> None:
            d.delivered, d.delivered_at, d.retry_at = True, self.occurred_at, None

    @classmethod
    def start(cls, *, notification_id: UUID, webhook: str, **stamp: Any) -> NotificationDelivery:
        return cls._start(cls.Started, delivery_id(notification_id, webhook), notification_id=notification_id,
                          webhook=webhook, **stamp)

    def due(self, at: datetime) -> bool:
        """Whether to try (again) at this instant: not delivered, and any backoff has passed."""
        return not self.delivered and (self.retry_at is None or at >= self.retry_at)

    def fail(self, *, status: int, **stamp: Any) -> None:
        """An attempt failed (`status` 0: no HTTP answer); the next waits `backoff(attempt)` from now."""
        self._check_open()
        attempt = self.failures + 1
        self._record(self.AttemptFailed, notification_id=self.notification_id, webhook=self.webhook, attempt=attempt,
                     status=status, retry_at=stamp["occurred_at"] + backoff(attempt), **stamp)

    def deliver(self, **stamp: Any) -> None:
        self._check_open()
        self._record(self.Delivered, notification_id=self.notification_id, webhook=self.webhook,
                     attempts=self.failures + 1, **stamp)

    def _check_open(self) -> None:
        if self.delivered:
            raise RuleViolation(f"notification {self.notification_id} was delivered to {self.webhook}",
                                code="already-delivered", errors={"notification_id": ["already delivered"]})


class Notification(LedgerAggregate):
    """What the ledger records about a notification (the stream id is the notification's id): it was read."""

    KIND = "notification"
    if TYPE_CHECKING:
        notification_id: UUID
        recipient: str
        read_at: datetime

    class Read(LedgerCreated):
        notification_id: UUID
        recipient: str

        def apply(self, n: Any) -> None:
            n.notification_id, n.recipient, n.read_at = self.notification_id, self.recipient, self.occurred_at

    @classmethod
    def read(cls, *, notification_id: UUID, recipient: str, **stamp: Any) -> Notification:
        return cls._start(cls.Read, notification_id, notification_id=notification_id, recipient=recipient, **stamp)
