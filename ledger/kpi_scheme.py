"""KpiScheme: weighted indicators (and per-tenure cohort weights), revised as effective-dated events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, RuleViolation

DIMENSIONS = ("result", "process", "capability")
HUNDRED = Decimal(100)
DEFAULT_CAP = Decimal(120)


def check_cap(cap: Decimal) -> Decimal:
    """The most an indicator can score: at least 100, so that meeting a target always counts in full."""
    if not isinstance(cap, Decimal) or not cap.is_finite() or not HUNDRED <= cap <= Decimal(1000):
        raise Invalid("the cap is between 100 and 1000", errors={"cap": ["between 100 and 1000"]})
    return cap


def _weight(value: Any, field: str, *, allow_zero: bool) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise Invalid("weights are decimals", errors={field: ["not a decimal"]})
    weight = Decimal(value)
    if not weight.is_finite() or weight < 0 or (weight == 0 and not allow_zero):
        raise Invalid("weights are positive", errors={field: ["must be greater than 0" if not allow_zero
                                                              else "must not be negative"]})
    return weight


def check_indicators(indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Normalised indicators: unique keys, a known dimension, weights summing to exactly 100."""
    if not indicators:
        raise Invalid("a scheme needs indicators", errors={"indicators": ["at least one indicator"]})
    checked = []
    for item in indicators:
        if not isinstance(item.get("key"), str) or not item["key"]:
            raise Invalid("indicators need a key", errors={"indicators": ["each indicator needs a key"]})
        if item.get("dimension") not in DIMENSIONS:
            raise Invalid("unknown dimension", errors={"indicators": [f"dimension must be one of {DIMENSIONS}"]})
        checked.append({"key": item["key"], "dimension": item["dimension"],
                        "weight": _weight(item.get("weight"), "indicators", allow_zero=False)})
    keys = [i["key"] for i in checked]
    if len(set(keys)) != len(keys):
        raise Invalid("indicator keys repeat", errors={"indicators": ["duplicate key"]})
    total = sum((i["weight"] for i in checked), Decimal(0))
    if total != HUNDRED:
        raise Invalid(f"indicator weights sum to {total}, not 100", errors={"indicators": [f"weights sum to {total}, not 100"]})
    return checked


def check_cohorts(cohorts: list[dict[str, Any]], keys: list[str]) -> list[dict[str, Any]]:
    """Normalised cohorts: unique names and tenures; weights (if any) over known keys summing to 100."""
    checked = []
    for cohort in cohorts:
        if not isinstance(cohort.get("name"), str) or not cohort["name"]:
            raise Invalid("cohorts need a name", errors={"cohorts": ["each cohort needs a name"]})
        tenure = cohort.get("max_tenure_months")
        if isinstance(tenure, bool) or not isinstance(tenure, int) or tenure < 1:
            raise Invalid("bad cohort tenure", errors={"cohorts": ["max_tenure_months must be a whole number >= 1"]})
        weights = {str(k): _weight(v, "cohorts", allow_zero=True) for k, v in (cohort.get("weights") or {}).items()}
        unknown = sorted(set(weights) - set(keys))
        if unknown:
            raise Invalid(f"unknown indicators {unknown}", errors={"cohorts": [f"unknown indicator keys {unknown}"]})
        total = sum(weights.values(), Decimal(0))
        if weights and total != HUNDRED:
            raise Invalid(f"cohort weights sum to {total}", errors={"cohorts": [f"{cohort.get('name')}: weights sum to {total}, not 100"]})
        checked.append({"name": cohort["name"], "max_tenure_months": tenure, "weights": weights})
    if len({c["name"] for c in checked}) != len(checked) or len({c["max_tenure_months"] for c in checked}) != len(checked):
        raise Invalid("cohorts repeat", errors={"cohorts": ["cohort names and tenures must be unique"]})
    return sorted(checked, key=lambda c: c["max_tenure_months"])


def _copy(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: dict(v) if isinstance(v, dict) else v for k, v in item.items()} for item in items]


class KpiScheme(LedgerAggregate):
    """A KPI scheme; `revisions` keeps every version so a period is scored under the one in force."""

    KIND = "kpi-scheme"
    if TYPE_CHECKING:
        name: str
        effective_from: date
        reason: str
        indicators: list[dict[str, Any]]
        cohorts: list[dict[str, Any]]
        revisions: list[dict[str, Any]]
        team_ids: list[UUID]
        cap: Decimal

    class Defined(LedgerCreated):
        class_version = 2
        name: str
        effective_from: date
        indicators: list[dict[str, Any]]
        cohorts: list[dict[str, Any]]
        team_ids: list[UUID]
        cap: Decimal

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Schemes defined before team scopes and caps: company-wide, capped at 120."""
            state.setdefault("team_ids", [])
            state.setdefault("cap", DEFAULT_CAP)

        def apply(self, s: Any) -> None:
            s.team_ids, s.cap = list(self.team_ids), self.cap
            s.name, s.effective_from, s.reason = self.name, self.effective_from, ""
            s.indicators, s.cohorts = _copy(self.indicators), _copy(self.cohorts)
            s.revisions = [{"version": self.originator_version, "effective_from": self.effective_from,
                            "name": self.name, "reason": ""}]

    class Revised(LedgerEvent):
        class_version = 2
        name: str
        effective_from: date
        indicators: list[dict[str, Any]]
        cohorts: list[dict[str, Any]]
        reason: str
        cap: Decimal

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Revisions recorded before caps were configurable: capped at 120."""
            state.setdefault("cap", DEFAULT_CAP)

        def apply(self, s: Any) -> None:
            s.cap = self.cap
            s.name, s.effective_from, s.reason = self.name, self.effective_from, self.reason
            s.indicators, s.cohorts = _copy(self.indicators), _copy(self.cohorts)
            s.revisions = [*s.revisions, {"version": self.originator_version, "effective_from": self.effective_from,
                                          "name": self.name, "reason": self.reason}]

    @classmethod
    def define(
        cls, *, id: UUID | None, name: str, effective_from: date, indicators: list[dict[str, Any]],
        cohorts: list[dict[str, Any]], team_ids: list[UUID] | None = None, cap: Decimal = DEFAULT_CAP, **stamp: Any,
    ) -> KpiScheme:
        """A scheme for the given teams (none: the whole company); a team's own scheme wins over the company's."""
        checked = check_indicators(indicators)
        return cls._start(cls.Defined, id, name=name, effective_from=effective_from, indicators=checked,
                          cohorts=check_cohorts(cohorts, [i["key"] for i in checked]), team_ids=list(team_ids or []),
                          cap=check_cap(cap), **stamp)

    def revise(
        self, *, name: str | None, effective_from: date, indicators: list[dict[str, Any]],
        cohorts: list[dict[str, Any]], reason: str, cap: Decimal | None = None, **stamp: Any,
    ) -> None:
        checked = check_indicators(indicators)
        checked_cohorts = check_cohorts(cohorts, [i["key"] for i in checked])
        if effective_from <= self.effective_from:
            raise RuleViolation("a revision must take effect after the previous one", code="not-after-previous",
                                errors={"effective_from": [f"not after {self.effective_from}"]})
        self._record(self.Revised, name=name or self.name, effective_from=effective_from, indicators=checked,
                     cohorts=checked_cohorts, reason=reason, cap=check_cap(cap if cap is not None else self.cap), **stamp)

    def version_in_force(self, on: date) -> int | None:
        """Stream version of the revision in force on a day (load it with that version); None before."""
        versions = [r["version"] for r in self.revisions if r["effective_from"] <= on]
        return versions[-1] if versions else None

    def weights_for(self, tenure_months: int) -> dict[str, Decimal]:
        """Indicator weights for a rep of this tenure: the first cohort that covers it, else the scheme's."""
        for cohort in self.cohorts:
            if tenure_months <= cohort["max_tenure_months"] and cohort["weights"]:
                return dict(cohort["weights"])
        return {i["key"]: i["weight"] for i in self.indicators}
