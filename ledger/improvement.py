"""ImprovementPlan: a performance improvement plan for a rep, started with goals and concluded once."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, RuleViolation

OUTCOMES = ("met", "not_met", "cancelled")


class ImprovementPlan(LedgerAggregate):
    """A plan is `open` until concluded; its outcome is then fixed for good."""

    KIND = "improvement-plan"
    if TYPE_CHECKING:
        rep_id: UUID
        goals: list[str]
        coach_id: UUID | None
        starts_on: date
        ends_on: date
        status: str
        outcome: str | None
        concluded_on: date | None
        summary: str

    class Started(LedgerCreated):
        rep_id: UUID
        goals: list[str]
        starts_on: date
        ends_on: date
        coach_id: UUID | None

        def apply(self, p: Any) -> None:
            p.rep_id, p.goals, p.coach_id = self.rep_id, list(self.goals), self.coach_id
            p.starts_on, p.ends_on, p.status = self.starts_on, self.ends_on, "open"
            p.outcome, p.concluded_on, p.summary = None, None, ""

    class Concluded(LedgerEvent):
        outcome: str
        concluded_on: date
        summary: str

        def apply(self, p: Any) -> None:
            p.outcome, p.concluded_on, p.summary, p.status = self.outcome, self.concluded_on, self.summary, "concluded"

    @classmethod
    def start(
        cls, *, id: UUID | None, rep_id: UUID, goals: list[str], starts_on: date, ends_on: date,
        coach_id: UUID | None, **stamp: Any,
    ) -> ImprovementPlan:
        if not goals or any(not g.strip() for g in goals):
            raise Invalid("a plan needs at least one non-empty goal", errors={"goals": ["at least one goal"]})
        if ends_on <= starts_on:
            raise RuleViolation("a plan must end after it starts", code="plan-ends-before-start",
                                errors={"ends_on": ["must be after starts_on"]})
        if coach_id == rep_id:
            raise RuleViolation("a rep cannot coach their own plan", code="self-coaching",
                                errors={"coach_id": ["is the rep on the plan"]})
        return cls._start(cls.Started, id, rep_id=rep_id, goals=list(goals), starts_on=starts_on, ends_on=ends_on,
                          coach_id=coach_id, **stamp)

    def conclude(self, *, outcome: str, concluded_on: date, summary: str, **stamp: Any) -> None:
        if outcome not in OUTCOMES:
            raise Invalid(f"unknown outcome {outcome!r}", errors={"outcome": [f"one of {', '.join(OUTCOMES)}"]})
        if self.status == "concluded":
            raise RuleViolation(f"plan {self.id} was concluded on {self.concluded_on}", code="plan-concluded",
                                errors={"outcome": ["the plan is already concluded"]})
        if concluded_on < self.starts_on:
            raise RuleViolation("a plan cannot conclude before it starts", code="concluded-before-start",
                                errors={"concluded_on": [f"before starts_on {self.starts_on}"]})
        self._record(self.Concluded, outcome=outcome, concluded_on=concluded_on, summary=summary, **stamp)
