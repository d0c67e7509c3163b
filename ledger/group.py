"""Group: a competition group of reps (PK group) for a period, scored together."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import RuleViolation


class Group(LedgerAggregate):
    """A group of reps competing as one; membership changes are events too."""

    KIND = "group"
    if TYPE_CHECKING:
        name: str
        period: str
        member_ids: list[UUID]

    class Formed(LedgerCreated):
        name: str
        period: str
        member_ids: list[UUID]

        def apply(self, g: Any) -> None:
            g.name, g.period, g.member_ids = self.name, self.period, list(self.member_ids)

    class MembersChanged(LedgerEvent):
        added: list[UUID]
        removed: list[UUID]

        def apply(self, g: Any) -> None:
            kept = [m for m in g.member_ids if m not in self.removed]
            g.member_ids = kept + [m for m in self.added if m not in kept]

    @classmethod
    def form(cls, *, id: UUID | None, name: str, period: str, member_ids: list[UUID], **stamp: Any) -> Group:
        if len(set(member_ids)) != len(member_ids):
            raise RuleViolation("a rep is listed twice", code="duplicate-member",
                                errors={"member_ids": ["duplicate rep"]})
        return cls._start(cls.Formed, id, name=name, period=period, member_ids=list(member_ids), **stamp)

    def change_members(self, *, added: list[UUID], removed: list[UUID], **stamp: Any) -> None:
        if not added and not removed:
            raise RuleViolation("nothing to change", code="no-change")
        if any(m in self.member_ids for m in added):
            raise RuleViolation("a rep to add is already a member", code="already-member",
                                errors={"added": ["already a member"]})
        if any(m not in self.member_ids for m in removed):
            raise RuleViolation("a rep to remove is not a member", code="not-a-member",
                                errors={"removed": ["not a member"]})
        self._record(self.MembersChanged, added=list(added), removed=list(removed), **stamp)
