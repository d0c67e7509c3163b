"""A commission plan's rules, parsed from the stored JSON into typed, checked values.

The rules are stored as plain JSON on `CommissionPlan.Defined` / `Revised` (decimals as Decimal,
dates as ISO strings). `PlanRules.parse` checks every field and names the offending path, so a typo
(`"tier"` for `"tiers"`) is refused instead of silently paying the base rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.errors import Invalid

HUNDRED = Decimal(100)
BASES = ("revenue", "margin")
TIER_MODES = ("marginal", "retroactive")
EDGES = ("lower", "upper")  # lower: a band holds its lower edge, [from, to); upper: (from, to]
POOL_SPLITS = ("bookings", "attainment", "scorecard", "equal")
CUSTOMER_TYPES = ("new", "existing")
DEFAULT_RAMP = (Decimal("0.2"), Decimal("0.4"), Decimal("0.6"), Decimal("0.8"))
KEYS = {"base_rate", "basis", "rates", "quota", "tiers", "cap", "new_customer_bonus", "spiffs", "clawback",
        "draw", "ramp", "prorate", "team_pool"}


def _fail(path: str, reason: str) -> Invalid:
    return Invalid(f"rules.{path}: {reason}", errors={"rules": [f"{path}: {reason}"]})


def _obj(raw: Any, path: str, keys: set[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _fail(path, "must be an object")
    unknown = sorted(set(raw) - keys)
    if unknown:
        raise _fail(f"{path}.{unknown[0]}" if path else unknown[0], f"unknown key; expected one of {', '.join(sorted(keys))}")
    return raw


def _dec(raw: Any, path: str, *, low: Decimal | None = Decimal(0), high: Decimal | None = None) -> Decimal:
    try:
        if isinstance(raw, (bool, float)) or not isinstance(raw, (str, int, Decimal)):
            raise InvalidOperation
        value = Decimal(raw)
    except InvalidOperation:
        raise _fail(path, "must be a decimal number") from None
    if not value.is_finite():
        raise _fail(path, "must be finite")
    if low is not None and value < low:
        raise _fail(path, f"must be at least {low}")
    if high is not None and value > high:
        raise _fail(path, f"must be at most {high}")
    return value


def _rate(raw: Any, path: str) -> Decimal:
    return _dec(raw, path, high=Decimal(1))


def _day(raw: Any, path: str) -> date:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise _fail(path, "must be a date YYYY-MM-DD") from None


def _choice(raw: Any, path: str, allowed: tuple[str, ...]) -> str:
    if raw not in allowed:
        raise _fail(path, f"must be one of {', '.join(allowed)}")
    return str(raw)


@dataclass(frozen=True)
class Band:
    """Attainment from `low` to `high` percent of quota (None: no upper end), paid at `rate`."""

    low: Decimal
    high: Decimal | None
    rate: Decimal

    def label(self) -> str:
        return f"{self.low}-{self.high}%" if self.high is not None else f"above {self.low}%"


@dataclass(frozen=True)
class Tiers:
    mode: str
    edge: str
    bands: tuple[Band, ...]

    def band_at(self, attainment: Decimal) -> int:
        """Index of the band that holds an attainment (percent), by the plan's edge rule."""
        for index, band in enumerate(self.bands):
            if band.high is None:
                return index
            inside = attainment < band.high if self.edge == "lower" else attainment <= band.high
            if inside:
                return index
        return len(self.bands) - 1


@dataclass(frozen=True)
class RateRule:
    """A flat rate for deals of a product and/or customer type, paid instead of the tiers."""

    product: str | None
    customer_type: str | None
    rate: Decimal

    def matches(self, product: str, customer_type: str) -> bool:
        return (self.product in (None, product)) and (self.customer_type in (None, customer_type))

    def label(self) -> str:
        parts = [f"product={self.product}"] * bool(self.product) + [f"customer={self.customer_type}"] * bool(
            self.customer_type)
        return "rate " + " ".join(parts)


@dataclass(frozen=True)
class Spiff:
    name: str
    starts_on: date
    ends_on: date
    amount: Decimal
    product: str | None
    customer_type: str | None

    def qualifies(self, day: date, product: str, customer_type: str) -> bool:
        return (self.starts_on <= day <= self.ends_on and self.product in (None, product)
                and self.customer_type in (None, customer_type))


@dataclass(frozen=True)
class PlanRules:
    """Everything a plan version says; amounts are in the plan's currency, rates are fractions 0..1."""

    base_rate: Decimal
    basis: str = "revenue"
    rates: tuple[RateRule, ...] = ()
    quota: Decimal | None = None
    tiers: Tiers | None = None
    cap: Decimal | None = None
    bonus_flat: Decimal | None = None
    bonus_percent: Decimal | None = None
    spiffs: tuple[Spiff, ...] = ()
    clawback_days: int | None = None
    clawback_reduces_attainment: bool = False
    draw: Decimal | None = None
    draw_recoverable: bool = False
    ramp: tuple[Decimal, ...] = ()
    prorate: bool = True
    pool_target: Decimal | None = None
    pool_amount: Decimal | None = None
    pool_split: str = "bookings"

    def rate_rule(self, product: str, customer_type: str) -> RateRule | None:
        """The most specific flat-rate rule for a deal (product and type over product over type)."""
        found = [r for r in self.rates if r.matches(product, customer_type)]
        found.sort(key=lambda r: (r.product is None, r.customer_type is None))
        return found[0] if found else None

    @classmethod
    def parse(cls, raw: Any) -> PlanRules:
        rules = _obj(raw, "", KEYS)
        if "base_rate" not in rules:
            raise _fail("base_rate", "is required, a decimal 0..1")
        quota = _dec(rules["quota"], "quota") if rules.get("quota") is not None else None
        tiers = _tiers(rules["tiers"]) if rules.get("tiers") is not None else None
        if tiers is not None and not quota:
            raise _fail("quota", "tiers need a quota greater than 0")
        bonus = _obj(rules.get("new_customer_bonus") or {}, "new_customer_bonus", {"flat", "percent"})
        if len(bonus) > 1:
            raise _fail("new_customer_bonus", "give either flat or percent")
        claw = _obj(rules.get("clawback") or {}, "clawback", {"window_days", "reduces_attainment"})
        draw = _obj(rules.get("draw") or {}, "draw", {"amount", "recoverable"})
        ramp = _obj(rules.get("ramp") or {}, "ramp", {"quotas"})
        pool = _obj(rules.get("team_pool") or {}, "team_pool", {"target", "amount", "split"})
        if pool and not {"target", "amount"} <= set(pool):
            raise _fail("team_pool", "needs target and amount")
        days = claw.get("window_days")
        if days is not None and (isinstance(days, bool) or not isinstance(days, (int, Decimal)) or int(days) != days
                                 or days < 0):
            raise _fail("clawback.window_days", "must be a whole number of days, 0 or more")
        if ramp and not quota:
            raise _fail("quota", "a ramp needs a quota")
        return cls(
            base_rate=_rate(rules["base_rate"], "base_rate"),
            basis=_choice(rules.get("basis", "revenue"), "basis", BASES),
            rates=tuple(_rate_rule(item, f"rates[{i}]") for i, item in enumerate(_list(rules.get("rates"), "rates"))),
            quota=quota, tiers=tiers,
            cap=_dec(rules["cap"], "cap") if rules.get("cap") is not None else None,
            bonus_flat=_dec(bonus["flat"], "new_customer_bonus.flat") if "flat" in bonus else None,
            bonus_percent=_rate(bonus["percent"], "new_customer_bonus.percent") if "percent" in bonus else None,
            spiffs=tuple(_spiff(item, f"spiffs[{i}]") for i, item in enumerate(_list(rules.get("spiffs"), "spiffs"))),
            clawback_days=int(days) if days is not None else None,
            clawback_reduces_attainment=_flag(claw.get("reduces_attainment", False), "clawback.reduces_attainment"),
            draw=_dec(draw["amount"], "draw.amount") if "amount" in draw else None,
            draw_recoverable=_flag(draw.get("recoverable", False), "draw.recoverable"),
            ramp=tuple(_rate(q, f"ramp.quotas[{i}]") for i, q in enumerate(_list(ramp.get("quotas"), "ramp.quotas")))
            if ramp else (),
            prorate=_flag(rules.get("prorate", True), "prorate"),
            pool_target=_dec(pool["target"], "team_pool.target") if pool else None,
            pool_amount=_dec(pool["amount"], "team_pool.amount") if pool else None,
            pool_split=_choice(pool.get("split", "bookings"), "team_pool.split", POOL_SPLITS),
        )


def _list(raw: Any, path: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _fail(path, "must be a list")
    return raw


def _flag(raw: Any, path: str) -> bool:
    if not isinstance(raw, bool):
        raise _fail(path, "must be true or false")
    return raw


def _optional_text(raw: Any, path: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        raise _fail(path, "must be a non-empty string")
    return raw


def _rate_rule(raw: Any, path: str) -> RateRule:
    item = _obj(raw, path, {"product", "customer_type", "rate"})
    customer_type = item.get("customer_type")
    if customer_type is not None:
        _choice(customer_type, f"{path}.customer_type", CUSTOMER_TYPES)
    product = _optional_text(item.get("product"), f"{path}.product")
    if product is None and customer_type is None:
        raise _fail(path, "name a product, a customer_type or both (base_rate covers the rest)")
    return RateRule(product, customer_type, _rate(item.get("rate"), f"{path}.rate"))


def _spiff(raw: Any, path: str) -> Spiff:
    item = _obj(raw, path, {"name", "from", "to", "amount", "product", "customer_type"})
    starts, ends = _day(item.get("from"), f"{path}.from"), _day(item.get("to"), f"{path}.to")
    if ends < starts:
        raise _fail(f"{path}.to", "must not be before from")
    customer_type = item.get("customer_type")
    if customer_type is not None:
        _choice(customer_type, f"{path}.customer_type", CUSTOMER_TYPES)
    return Spiff(str(item.get("name") or "SPIFF"), starts, ends, _dec(item.get("amount"), f"{path}.amount"),
                 _optional_text(item.get("product"), f"{path}.product"), customer_type)


def _tiers(raw: Any) -> Tiers:
    item = _obj(raw, "tiers", {"mode", "edge", "bands"})
    mode = _choice(item.get("mode"), "tiers.mode", TIER_MODES)
    edge = _choice(item.get("edge", "lower"), "tiers.edge", EDGES)
    bands: list[Band] = []
    raw_bands = _list(item.get("bands"), "tiers.bands")
    if not raw_bands:
        raise _fail("tiers.bands", "at least one band")
    for index, entry in enumerate(raw_bands):
        path = f"tiers.bands[{index}]"
        band = _obj(entry, path, {"from", "to", "rate"})
        low = _dec(band.get("from"), f"{path}.from")
        high = None if band.get("to") is None else _dec(band.get("to"), f"{path}.to")
        expected = bands[-1].high if bands else Decimal(0)
        if low != expected:
            raise _fail(f"{path}.from", f"must be {expected}: bands start at 0 and leave no gap or overlap")
        if high is not None and high <= low:
            raise _fail(f"{path}.to", "must be greater than from")
        if high is None and index != len(raw_bands) - 1:
            raise _fail(f"{path}.to", "only the last band may be open-ended")
        bands.append(Band(low, high, _rate(band.get("rate"), f"{path}.rate")))
    if bands[-1].high is not None:
        raise _fail(f"tiers.bands[{len(bands) - 1}].to", "the last band must be open-ended (to: null)")
    return Tiers(mode, edge, tuple(bands))
