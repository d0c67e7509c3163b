"""Handlers for reminders: at most one per contract term, however many schedulers ask."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from ledger.base import Ctx
from ledger.commands.reminders import SendContractReminder
from ledger.contract import Contract
from ledger.contract_reminder import ContractReminder, reminder_id
from ledger.errors import ConcurrentUpdate
from ledger.services.base import ServiceBase


class ReminderService(ServiceBase):
    """Contract-expiry reminders."""

    def send_contract_reminder(self, cmd: SendContractReminder, ctx: Ctx) -> ContractReminder:
        """The term's reminder; one already sent (by this or another process) is returned, nothing recorded."""
        contract = self.load(Contract, cmd.contract_id, field="contract_id")
        earlier = self.contract_reminder(cmd.contract_id, cmd.ends_on)
        if earlier is not None:
            return earlier
        reminder = ContractReminder.send(contract=contract, ends_on=cmd.ends_on, on=cmd.on, **ctx.stamp(cmd.occurred_at))
        try:
            return self.commit(ctx, reminder)
        except ConcurrentUpdate:
            earlier = self.contract_reminder(cmd.contract_id, cmd.ends_on)
            if earlier is None:
                raise
            return earlier  # another process reminded first: the term is reminded, once

    def contract_reminder(self, contract_id: UUID, ends_on: date) -> ContractReminder | None:
        """The reminder of that contract term, if one was sent."""
        try:
            found: object = self.repository.get(reminder_id(contract_id, ends_on))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, ContractReminder) else None
