"""Reminder commands: a contract's term is ending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID


@dataclass(frozen=True)
class SendContractReminder:
    """Remind HR and the manager, on day `on`, that the contract's term ending on `ends_on` is close."""

    contract_id: UUID
    ends_on: date
    on: date
    occurred_at: datetime
