"""Money: a Decimal amount with an ISO 4217 currency, rounded to the currency's minor unit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ledger.errors import Invalid

# ISO 4217 active codes and their minor units (digits after the decimal point).
MINOR_UNITS: dict[str, int] = {
    "AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "ANG": 2, "AOA": 2, "ARS": 2, "AUD": 2, "AWG": 2,
    "AZN": 2, "BAM": 2, "BBD": 2, "BDT": 2, "BGN": 2, "BHD": 3, "BIF": 0, "BMD": 2, "BND": 2,
    "BOB": 2, "BRL": 2, "BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2, "BZD": 2, "CAD": 2, "CDF": 2,
    "CHF": 2, "CLP": 0, "CNY": 2, "COP": 2, "CRC": 2, "CUP": 2, "CVE": 2, "CZK": 2, "DJF": 0,
    "DKK": 2, "DOP": 2, "DZD": 2, "EGP": 2, "ERN": 2, "ETB": 2, "EUR": 2, "FJD": 2, "FKP": 2,
    "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2, "GNF": 0, "GTQ": 2, "GYD": 2, "HKD": 2,
    "HNL": 2, "HTG": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "IQD": 3, "IRR": 2, "ISK": 0,
    "JMD": 2, "JOD": 3, "JPY": 0, "KES": 2, "KGS": 2, "KHR": 2, "KMF": 0, "KPW": 2, "KRW": 0,
    "KWD": 3, "KYD": 2, "KZT": 2, "LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2, "LSL": 2, "LYD": 3,
    "MAD": 2, "MDL": 2, "MGA": 2, "MKD": 2, "MMK": 2, "MNT": 2, "MOP": 2, "MRU": 2, "MUR": 2,
    "MVR": 2, "MWK": 2, "MXN": 2, "MYR": 2, "MZN": 2, "NAD": 2, "NGN": 2, "NIO": 2, "NOK": 2,
    "NPR": 2, "NZD": 2, "OMR": 3, "PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2, "PKR": 2, "PLN": 2,
    "PYG": 0, "QAR": 2, "RON": 2, "RSD": 2, "RUB": 2, "RWF": 0, "SAR": 2, "SBD": 2, "SCR": 2,
    "SDG": 2, "SEK": 2, "SGD": 2, "SHP": 2, "SLE": 2, "SOS": 2, "SRD": 2, "SSP": 2, "STN": 2,
    "SVC": 2, "SYP": 2, "SZL": 2, "THB": 2, "TJS": 2, "TMT": 2, "TND": 3, "TOP": 2, "TRY": 2,
    "TTD": 2, "TWD": 2, "TZS": 2, "UAH": 2, "UGX": 0, "USD": 2, "UYU": 2, "UZS": 2, "VES": 2,
    "VND": 0, "VUV": 0, "WST": 2, "XAF": 0, "XCD": 2, "XOF": 0, "XPF": 0, "YER": 2, "ZAR": 2,
    "ZMW": 2, "ZWG": 2,
}
CURRENCIES = frozenset(MINOR_UNITS)
ROUNDING = ROUND_HALF_UP  # half-up to the minor unit, at line level: what payroll staff check by hand
MAX_AMOUNT = Decimal("1e13")  # the API's limit on any amount too (api/schemas/common.py)


def check_currency(code: str) -> str:
    """Return the code if it is an active ISO 4217 currency, else raise Invalid."""
    if code not in CURRENCIES:
        raise Invalid(f"unknown currency {code!r}", errors={"currency": ["not an ISO 4217 code"]})
    return code


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR_UNITS[check_currency(currency)])


@dataclass(frozen=True)
class Money:
    """An exact amount in one currency; arithmetic refuses to mix currencies."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        check_currency(self.currency)
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise Invalid("amount must be a finite decimal", errors={"amount": ["not a decimal"]})

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        try:
            value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
        except InvalidOperation:
            raise Invalid("amount must be a decimal", errors={"amount": ["not a decimal"]}) from None
        return cls(value, currency)

    def check_exact(self, field: str = "amount") -> Money:
        """Refuse amounts finer than the currency's minor unit (no silent rounding of input)."""
        if abs(self.amount) >= MAX_AMOUNT:  # also keeps quantize() below from raising InvalidOperation (a 500)
            raise Invalid(f"amounts are below {MAX_AMOUNT:,}", errors={field: ["too large"]})
        if self.amount != self.amount.quantize(quantum(self.currency), rounding=ROUNDING):
            raise Invalid(
                f"{self.currency} amounts have {MINOR_UNITS[self.currency]} decimal places",
                errors={field: [f"more than {MINOR_UNITS[self.currency]} decimal places"]},
            )
        return self

    def rounded(self) -> Money:
        return Money(self.amount.quantize(quantum(self.currency), rounding=ROUNDING), self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise Invalid(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def times(self, factor: Decimal) -> Money:
        return Money(self.amount * factor, self.currency).rounded()

    def to_dict(self) -> dict[str, str]:
        return {"amount": str(self.amount), "currency": self.currency}
