"""ReviewFlag: a rep at the bottom of their team for consecutive periods, flagged for a supportive review."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.base import LedgerAggregate, LedgerCreated
from ledger.errors import Invalid
from ledger.periods import check_period

# The only actions a review may suggest: support and development, never a dismissal.
SUGGESTED_ACTIONS = ("coaching", "improvement plan", "training", "internal transfer")
_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:review-flag")


def review_id(rep_id: UUID, period: str) -> UUID:
    """Stream id of a rep's review flag for a period: flagged at most once."""
    return uuid5(_NAMESPACE, f"{rep_id}:{period}")


class ReviewFlag(LedgerAggregate):
    """A performance-review flag with suggested supportive actions; a fact about a closed period."""

    KIND = "review-flag"
    if TYPE_CHECKING:
        rep_id: UUID
        team_id: UUID
        period: str
        rank: int
        of: int
        consecutive_periods: int
        suggested_actions: list[str]

    class Flagged(LedgerCreated):
        rep_id: UUID
        team_id: UUID
        period: str
        rank: int
        of: int
        consecutive_periods: int
        suggested_actions: list[str]

        def apply(self, f: Any) -> None:
            f.rep_id, f.team_id, f.period, f.rank, f.of = self.rep_id, self.team_id, self.period, self.rank, self.of
            f.consecutive_periods, f.suggested_actions = self.consecutive_periods, list(self.suggested_actions)

    @classmethod
    def flag(
        cls, *, rep_id: UUID, team_id: UUID, period: str, rank: int, of: int, consecutive_periods: int,
        suggested_actions: list[str], **stamp: Any,
    ) -> ReviewFlag:
        if not 1 <= rank <= of:
            raise Invalid("rank must lie between 1 and of", errors={"rank": [f"between 1 and {of}"]})
        if consecutive_periods < 1:
            raise Invalid("at least one period", errors={"consecutive_periods": ["must be at least 1"]})
        unknown = [a for a in suggested_actions if a not in SUGGESTED_ACTIONS]
        if unknown or not suggested_actions or len(set(suggested_actions)) != len(suggested_actions):
            raise Invalid("suggested actions must be distinct supportive actions",
                          errors={"suggested_actions": [f"one or more of {', '.join(SUGGESTED_ACTIONS)}"]})
        period = check_period(period)
        return cls._start(cls.Flagged, review_id(rep_id, period), rep_id=rep_id, team_id=team_id, period=period,
                          rank=rank, of=of, consecutive_periods=consecutive_periods,
                          suggested_actions=list(suggested_actions), **stamp)
