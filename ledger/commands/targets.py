"""Target commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID


@dataclass(frozen=True)
class SetTarget:
    scope: str
    scope_id: UUID
    period: str
    indicator: str
    value: Decimal
    occurred_at: datetime
    reason: str = ""
