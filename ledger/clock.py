"""The one clock: rules take "now" from here, so tests and operators can replay any instant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time, timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


@dataclass(frozen=True)
class FixedClock:
    """A clock stopped at one instant (for `ledger jobs run --at`, and for tests)."""

    at: datetime

    def now(self) -> datetime:
        return self.at
