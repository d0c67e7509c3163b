"""Notification commands: a recipient read one; a webhook took one, or an attempt to deliver it failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class MarkNotificationRead:
    notification_id: UUID
    recipient: str
    occurred_at: datetime


@dataclass(frozen=True)
class RecordDelivery:
    """The webhook (its label, see ledger.notification.webhook_label) answered 2xx."""

    notification_id: UUID
    webhook: str
    occurred_at: datetime


@dataclass(frozen=True)
class RecordFailedAttempt:
    """The webhook answered `status` (0: no HTTP answer at all); the next attempt backs off from occurred_at."""

    notification_id: UUID
    webhook: str
    status: int
    occurred_at: datetime
