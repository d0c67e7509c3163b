"""Handlers for notification facts: each is recorded once, whichever process gets there first."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from ledger.base import Ctx, LedgerAggregate
from ledger.commands.notifications import MarkNotificationRead, RecordDelivery, RecordFailedAttempt
from ledger.errors import ConcurrentUpdate
from ledger.notification import Notification, NotificationDelivery, delivery_id
from ledger.services.base import ServiceBase

A = TypeVar("A", bound=LedgerAggregate)
DELIVERY_RETRIES = 3


class NotificationService(ServiceBase):
    """Read receipts and webhook deliveries of outbox notifications."""

    def existing(self, cls: type[A], id: UUID) -> A | None:
        """The aggregate, or None if its stream does not exist (yet)."""
        try:
            found: object = self.repository.get(id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, cls) else None

    def notification_delivery(self, notification_id: UUID, webhook: str) -> NotificationDelivery | None:
        return self.existing(NotificationDelivery, delivery_id(notification_id, webhook))

    def mark_notification_read(self, cmd: MarkNotificationRead, ctx: Ctx) -> Notification:
        """Idempotent: a notification read before stays read as it was; nothing new is recorded."""
        earlier = self.existing(Notification, cmd.notification_id)
        if earlier is not None:
            return earlier
        receipt = Notification.read(notification_id=cmd.notification_id, recipient=cmd.recipient,
                                    **ctx.stamp(cmd.occurred_at))
        try:
            return self.commit(ctx, receipt)
        except ConcurrentUpdate:
            earlier = self.existing(Notification, cmd.notification_id)
            if earlier is None:
                raise
            return earlier

    def record_delivery(self, cmd: RecordDelivery, ctx: Ctx) -> NotificationDelivery:
        """Mark delivered, exactly once; a failure recorded meanwhile by another process is built upon."""
        for _ in range(DELIVERY_RETRIES):
            delivery = self.notification_delivery(cmd.notification_id, cmd.webhook)
            if delivery is not None and delivery.delivered:
                return delivery
            delivery = delivery or NotificationDelivery.start(
                notification_id=cmd.notification_id, webhook=cmd.webhook, **ctx.stamp(cmd.occurred_at))
            delivery.deliver(**ctx.stamp(cmd.occurred_at))
            try:
                return self.commit(ctx, delivery)
            except ConcurrentUpdate:
                continue
        raise ConcurrentUpdate("the delivery stream kept changing; the next run will record it")

    def record_failed_attempt(self, cmd: RecordFailedAttempt, ctx: Ctx) -> NotificationDelivery:
        """Record a failed attempt with its backoff; if another process recorded anything first, keep theirs."""
        delivery = self.notification_delivery(cmd.notification_id, cmd.webhook)
        if delivery is not None and delivery.delivered:
            return delivery
        delivery = delivery or NotificationDelivery.start(
            notification_id=cmd.notification_id, webhook=cmd.webhook, **ctx.stamp(cmd.occurred_at))
        delivery.fail(status=cmd.status, **ctx.stamp(cmd.occurred_at))
        try:
            return self.commit(ctx, delivery)
        except ConcurrentUpdate:
            current = self.notification_delivery(cmd.notification_id, cmd.webhook)
            if current is None:
                raise
            return current
