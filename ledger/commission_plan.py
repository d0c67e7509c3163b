"""CommissionPlan: commission rules as data, effective-dated, and the reps and teams it is assigned to."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.commissions.rules import PlanRules
from ledger.errors import Invalid, RuleViolation
from ledger.money import check_currency

SCOPES = ("rep", "team")


def check_rules(rules: Any) -> dict[str, Any]:
    """Rules as stored: every key known and well-formed (see ledger/commissions/rules.py), or Invalid."""
    PlanRules.parse(rules)
    return dict(rules)


class CommissionPlan(LedgerAggregate):
    """A commission plan; `revisions` keeps every version so history is paid under the plan in force."""

    KIND = "commission-plan"
    if TYPE_CHECKING:
        name: str
        currency: str
        effective_from: date
        rules: dict[str, Any]
        reason: str
        revisions: list[dict[str, Any]]
        assignments: list[dict[str, Any]]

    class Defined(LedgerCreated):
        name: str
        currency: str
        effective_from: date
        rules: dict[str, Any]

        def apply(self, p: Any) -> None:
            p.name, p.currency, p.effective_from, p.rules, p.reason = (
                self.name, self.currency, self.effective_from, dict(self.rules), "")
            p.revisions = [{"version": self.originator_version, "effective_from": self.effective_from, "reason": ""}]
            p.assignments = []

    class Revised(LedgerEvent):
        rules: dict[str, Any]
        effective_from: date
        reason: str

        def apply(self, p: Any) -> None:
            p.rules, p.effective_from, p.reason = dict(self.rules), self.effective_from, self.reason
            p.revisions = [*p.revisions, {"version": self.originator_version,
                                          "effective_from": self.effective_from, "reason": self.reason}]

    class Assigned(LedgerEvent):
        scope: str
        scope_id: UUID
        starts_on: date
        ends_on: date | None

        def apply(self, p: Any) -> None:
            p.assignments = [*p.assignments, {"scope": self.scope, "scope_id": self.scope_id,
                                              "starts_on": self.starts_on, "ends_on": self.ends_on}]

    @classmethod
    def define(
        cls, *, id: UUID | None, name: str, currency: str, effective_from: date, rules: dict[str, Any], **stamp: Any,
    ) -> CommissionPlan:
        return cls._start(cls.Defined, id, name=name, currency=check_currency(currency),
                          effective_from=effective_from, rules=check_rules(rules), **stamp)

    def revise(self, *, rules: dict[str, Any], effective_from: date, reason: str, **stamp: Any) -> None:
        checked = check_rules(rules)
        if effective_from <= self.effective_from:
            raise RuleViolation("a revision must take effect after the previous one", code="not-after-previous",
                                errors={"effective_from": [f"not after {self.effective_from}"]})
        self._record(self.Revised, rules=checked, effective_from=effective_from, reason=reason, **stamp)

    def assign(self, *, scope: str, scope_id: UUID, starts_on: date, ends_on: date | None, **stamp: Any) -> None:
        """Put a rep or a team on this plan from `starts_on` to `ends_on` (inclusive; None: until further notice).
        Overlaps are allowed: on any day the most specific (rep over team), then latest-starting assignment wins."""
        if scope not in SCOPES:
            raise Invalid(f"unknown scope {scope!r}", errors={"scope": ["one of rep, team"]})
        if ends_on is not None and ends_on < starts_on:
            raise Invalid("an assignment cannot end before it starts", errors={"ends_on": ["before starts_on"]})
        first = self.revisions[0]["effective_from"]
        if starts_on < first:
            raise RuleViolation(f"the plan takes effect on {first}", code="before-plan",
                                errors={"starts_on": [f"not before the plan's first effective date {first}"]})
        self._record(self.Assigned, scope=scope, scope_id=scope_id, starts_on=starts_on, ends_on=ends_on, **stamp)

    @property
    def base_rate(self) -> Decimal:
        return Decimal(self.rules["base_rate"])

    def version_in_force(self, on: date) -> int | None:
        """Stream version of the revision in force on a day (load it with that version); None before."""
        versions = [r["version"] for r in self.revisions if r["effective_from"] <= on]
        return versions[-1] if versions else None
