"""PoolPolicy: the customer-pool rules of one scope (the company or a team), set as effective-dated events."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid

COMPANY = "company"
DISTRIBUTIONS = ("open", "random", "ranked")
_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:pool-policy")
_SETTINGS = ("effective_from", "max_customers", "idle_days", "no_deal_days", "warning_days",
             "protection_days", "cooloff_days", "distribution", "idle_days_by_level", "rebalance_threshold")


def scope_of(team_id: UUID | None) -> str:
    """'company' for the company-wide policy, 'team:<uuid>' for one team's."""
    return COMPANY if team_id is None else f"team:{team_id}"


def policy_id(scope: str) -> UUID:
    """One stream per scope, so a scope's policy is found without an index."""
    return uuid5(_NAMESPACE, scope)


def _at_least(value: int, minimum: int, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise Invalid(f"{field} must be a whole number >= {minimum}", errors={field: [f"must be >= {minimum}"]})


class PoolPolicy(LedgerAggregate):
    """A scope's pool policy: the latest setting is current; `versions` keeps each one with its date."""

    KIND = "pool-policy"
    if TYPE_CHECKING:
        scope: str
        team_id: UUID | None
        versions: list[dict[str, Any]]
        effective_from: date | None
        max_customers: int | None
        idle_days: int | None
        no_deal_days: int | None
        warning_days: int | None
        protection_days: int | None
        cooloff_days: int | None
        distribution: str | None
        idle_days_by_level: dict[str, int] | None
        rebalance_threshold: int | None

    class Created(LedgerCreated):
        scope: str
        team_id: UUID | None

        def apply(self, p: Any) -> None:
            p.scope, p.team_id, p.versions = self.scope, self.team_id, []
            for name in _SETTINGS:
                setattr(p, name, None)

    class Set(LedgerEvent):
        """`rebalance_threshold`: unworked customers a rep may keep at period close (0: no rebalancing)."""

        class_version = 2
        effective_from: date
        max_customers: int
        idle_days: int
        no_deal_days: int
        warning_days: int
        protection_days: int
        cooloff_days: int
        distribution: str
        idle_days_by_level: dict[str, int]
        rebalance_threshold: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Settings recorded before utilisation rebalancing: it is off."""
            state.setdefault("rebalance_threshold", 0)

        def apply(self, p: Any) -> None:
            values = {name: getattr(self, name) for name in _SETTINGS}
            values["idle_days_by_level"] = dict(self.idle_days_by_level)
            for name, value in values.items():
                setattr(p, name, value)
            p.versions = [*p.versions, {"version": self.originator_version, **values}]

    @classmethod
    def open(cls, *, team_id: UUID | None, **stamp: Any) -> PoolPolicy:
        scope = scope_of(team_id)
        return cls._start(cls.Created, policy_id(scope), scope=scope, team_id=team_id, **stamp)

    def set(
        self, *, effective_from: date, max_customers: int, idle_days: int, no_deal_days: int, warning_days: int,
        protection_days: int, cooloff_days: int, distribution: str, idle_days_by_level: dict[str, int],
        rebalance_threshold: int = 0, **stamp: Any,
    ) -> None:
        _at_least(max_customers, 1, "max_customers")
        _at_least(idle_days, 1, "idle_days")
        _at_least(no_deal_days, 1, "no_deal_days")
        for value, field in ((warning_days, "warning_days"), (protection_days, "protection_days"),
                             (cooloff_days, "cooloff_days"), (rebalance_threshold, "rebalance_threshold")):
            _at_least(value, 0, field)
        if warning_days >= idle_days:
            raise Invalid("the warning must come before recycling", errors={"warning_days": ["must be < idle_days"]})
        if distribution not in DISTRIBUTIONS:
            raise Invalid("unknown distribution", errors={"distribution": [f"one of {DISTRIBUTIONS}"]})
        for level, days in idle_days_by_level.items():
            if not isinstance(level, str) or not level or level.startswith("_"):
                raise Invalid("bad customer level", errors={"idle_days_by_level": [f"bad level {level!r}"]})
            _at_least(days, 1, "idle_days_by_level")
        self._record(
            self.Set, effective_from=effective_from, max_customers=max_customers, idle_days=idle_days,
            no_deal_days=no_deal_days, warning_days=warning_days, protection_days=protection_days,
            cooloff_days=cooloff_days, distribution=distribution, idle_days_by_level=dict(idle_days_by_level),
            rebalance_threshold=rebalance_threshold, **stamp,
        )

    def in_force(self, on: date) -> dict[str, Any] | None:
        """The setting in force on a day: the latest-recorded one with the latest effective_from <= day."""
        candidates = [v for v in self.versions if v["effective_from"] <= on]
        return dict(max(candidates, key=lambda v: (v["effective_from"], v["version"]))) if candidates else None
