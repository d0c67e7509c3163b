"""Team: a sales team that reps belong to and compete as."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated


class Team(LedgerAggregate):
    """A team; its members are read from Rep streams, not stored here."""

    KIND = "team"
    if TYPE_CHECKING:
        name: str
        region: str
        manager_id: UUID | None

    class Created(LedgerCreated):
        name: str
        region: str
        manager_id: UUID | None

        def apply(self, team: Any) -> None:
            team.name, team.region, team.manager_id = self.name, self.region, self.manager_id

    @classmethod
    def create(cls, *, id: UUID | None, name: str, region: str, manager_id: UUID | None, **stamp: Any) -> Team:
        return cls._start(cls.Created, id, name=name, region=region, manager_id=manager_id, **stamp)
