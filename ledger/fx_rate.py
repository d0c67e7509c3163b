"""FxRate: the recorded exchange rates of one currency pair, one stream per pair, dated by day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from ledger.base import LedgerAggregate, LedgerCreated, LedgerEvent
from ledger.errors import Invalid
from ledger.money import check_currency

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:fx-rate")


def pair_id(base: str, quote: str) -> UUID:
    """Stream id of a pair: uuid5 of 'FX:USD/CNY'."""
    return uuid5(_NAMESPACE, f"FX:{base}/{quote}")


class FxRate(LedgerAggregate):
    """A currency pair; the rate on a day is the last one recorded for the latest day on or before it."""

    KIND = "fx-rate"
    if TYPE_CHECKING:
        base: str
        quote: str
        rates: list[dict[str, Any]]
        rate: Decimal | None
        on: date | None
        source: str | None

    class Created(LedgerCreated):
        base: str
        quote: str

        def apply(self, fx: Any) -> None:
            fx.base, fx.quote, fx.rates = self.base, self.quote, []
            fx.rate = fx.on = fx.source = None

    class Recorded(LedgerEvent):
        base: str
        quote: str
        rate: Decimal
        on: date
        source: str

        def apply(self, fx: Any) -> None:
            entry = {"on": self.on, "rate": self.rate, "source": self.source}
            fx.rates = sorted([*(r for r in fx.rates if r["on"] != self.on), entry], key=lambda r: r["on"])
            latest = fx.rates[-1]
            fx.rate, fx.on, fx.source = latest["rate"], latest["on"], latest["source"]

    @classmethod
    def open(cls, *, base: str, quote: str, **stamp: Any) -> FxRate:
        check_currency(base)
        check_currency(quote)
        if base == quote:
            raise Invalid("a pair needs two currencies", errors={"quote": ["same as base"]})
        return cls._start(cls.Created, pair_id(base, quote), base=base, quote=quote, **stamp)

    def record(self, *, rate: Decimal, on: date, source: str, **stamp: Any) -> None:
        if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
            raise Invalid("a rate is a positive decimal", errors={"rate": ["must be greater than 0"]})
        self._record(self.Recorded, base=self.base, quote=self.quote, rate=rate, on=on, source=source, **stamp)

    def rate_on(self, day: date) -> Decimal | None:
        """Units of `quote` per one `base` on a day: the latest rate dated on or before it."""
        known = [r for r in self.rates if r["on"] <= day]
        return known[-1]["rate"] if known else None
