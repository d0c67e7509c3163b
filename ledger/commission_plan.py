"""CommissionPlan: commission rules as data (open structure, at least a base rate), effective-dated."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid, RuleViolation
from ledger.money import check_currency

MAX_DEPTH = 8


def _check_json(value: Any, path: str, depth: int = 0) -> None:
    """Plain JSON only (no float), and no '_'-prefixed keys: the event store's encoding reserves them."""
    if depth > MAX_DEPTH:
        raise Invalid("rules are nested too deeply", errors={"rules": [f"deeper than {MAX_DEPTH} levels at {path}"]})
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key.startswith("_"):
                raise Invalid("reserved key in rules", errors={"rules": [f"{path}.{key}: keys must not start with '_'"]})
            _check_json(item, f"{path}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]", depth + 1)
    elif value is not None and not isinstance(value, (str, int, bool, Decimal)):
        raise Invalid("rules hold plain JSON values", errors={"rules": [f"{path}: {type(value).__name__} not allowed"]})


def check_rules(rules: Any) -> dict[str, Any]:
    """An object with a `base_rate` between 0 and 1 (kept as Decimal); the rest stays open."""
    if not isinstance(rules, dict):
        raise Invalid("rules must be an object", errors={"rules": ["must be an object"]})
    _check_json(rules, "rules")
    raw = rules.get("base_rate")
    try:
        if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
            raise InvalidOperation
        rate = Decimal(raw)
    except InvalidOperation:
        raise Invalid("rules need a base_rate", errors={"rules": ["base_rate is required, a decimal 0..1"]}) from None
    if not rate.is_finite() or not 0 <= rate <= 1:
        raise Invalid("base_rate must be between 0 and 1", errors={"rules": ["base_rate must be between 0 and 1"]})
    return {**rules, "base_rate": rate}


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

    class Defined(LedgerCreated):
        name: str
        currency: str
        effective_from: date
        rules: dict[str, Any]

        def apply(self, p: Any) -> None:
            p.name, p.currency, p.effective_from, p.rules, p.reason = (
                self.name, self.currency, self.effective_from, dict(self.rules), "")
            p.revisions = [{"version": self.originator_version, "effective_from": self.effective_from, "reason": ""}]

    class Revised(LedgerEvent):
        rules: dict[str, Any]
        effective_from: date
        reason: str

        def apply(self, p: Any) -> None:
            p.rules, p.effective_from, p.reason = dict(self.rules), self.effective_from, self.reason
            p.revisions = [*p.revisions, {"version": self.originator_version,
                                          "effective_from": self.effective_from, "reason": self.reason}]

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

    @property
    def base_rate(self) -> Decimal:
        return Decimal(self.rules["base_rate"])

    def version_in_force(self, on: date) -> int | None:
        """Stream version of the revision in force on a day (load it with that version); None before."""
        versions = [r["version"] for r in self.revisions if r["effective_from"] <= on]
        return versions[-1] if versions else None
