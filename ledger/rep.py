"""Rep: a sales representative's employment facts (onboarding, transfers, departure)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, RuleViolation
from ledger.personal import Personal, personal


class Rep(LedgerAggregate):
    """A rep; `active` turns false for good when the rep leaves."""

    KIND = "rep"
    if TYPE_CHECKING:
        name: str
        team_id: UUID
        manager_id: UUID | None
        post: str
        hired_on: date
        active: bool
        left_on: date | None
        national_id: Personal | None
        phone: Personal | None
        home_address: Personal | None

    class Onboarded(LedgerCreated):
        name: str
        team_id: UUID
        manager_id: UUID | None
        post: str
        hired_on: date

        def apply(self, rep: Any) -> None:
            rep.name, rep.team_id, rep.manager_id = self.name, self.team_id, self.manager_id
            rep.post, rep.hired_on, rep.active, rep.left_on = self.post, self.hired_on, True, None
            rep.national_id = rep.phone = rep.home_address = None

    class Transferred(LedgerEvent):
        team_id: UUID
        post: str
        manager_id: UUID | None
        reason: str

        def apply(self, rep: Any) -> None:
            rep.team_id, rep.post, rep.manager_id = self.team_id, self.post, self.manager_id

    class Left(LedgerEvent):
        left_on: date
        reason: str

        def apply(self, rep: Any) -> None:
            rep.active, rep.left_on = False, self.left_on

    class PersonalDetailsRecorded(LedgerEvent):
        """Encrypted under the rep's own key; a field left None keeps its earlier value."""

        national_id: Personal | None
        phone: Personal | None
        home_address: Personal | None

        def apply(self, rep: Any) -> None:
            for name in ("national_id", "phone", "home_address"):
                if getattr(self, name) is not None:
                    setattr(rep, name, getattr(self, name))

    @classmethod
    def onboard(
        cls, *, id: UUID | None, name: str, team_id: UUID, manager_id: UUID | None,
        post: str, hired_on: date, **stamp: Any,
    ) -> Rep:
        return cls._start(
            cls.Onboarded, id, name=name, team_id=team_id, manager_id=manager_id,
            post=post, hired_on=hired_on, **stamp,
        )

    def check_active(self) -> None:
        if not self.active:
            raise RuleViolation(f"rep {self.id} left on {self.left_on}", code="rep-departed",
                                errors={"rep_id": ["the rep has left"]})

    def transfer(self, *, team_id: UUID, post: str | None, manager_id: UUID | None, reason: str, **stamp: Any) -> None:
        self.check_active()
        if team_id == self.team_id and (post is None or post == self.post) and manager_id == self.manager_id:
            raise RuleViolation("the transfer changes nothing", code="no-change")
        self._record(self.Transferred, team_id=team_id, post=post or self.post,
                     manager_id=manager_id, reason=reason, **stamp)

    def leave(self, *, left_on: date, reason: str, **stamp: Any) -> None:
        self.check_active()
        if left_on < self.hired_on:
            raise RuleViolation("a rep cannot leave before being hired", code="left-before-hired",
                                errors={"left_on": ["before hired_on"]})
        self._record(self.Left, left_on=left_on, reason=reason, **stamp)

    def record_personal_details(
        self, *, national_id: str | None, phone: str | None, home_address: str | None, **stamp: Any,
    ) -> None:
        details = {"national_id": national_id, "phone": phone, "home_address": home_address}
        if all(value is None for value in details.values()):
            raise Invalid("no personal detail given", errors={"national_id": ["give at least one detail"]})
        self._record(self.PersonalDetailsRecorded, **{k: personal(self.id, v) for k, v in details.items()}, **stamp)
