"""Business periods: a year, half, quarter or month, written 2026, 2026-H2, 2026-Q3, 2026-07."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ledger.errors import Invalid

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<half>H[12])|(?P<quarter>Q[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A closed range of calendar days with a canonical label."""

    start: date
    end: date
    label: str

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PATTERN.match(text or "")
        if match is None:
            raise Invalid(
                f"{text!r} is not a period",
                errors={"period": ["use YYYY, YYYY-H1/H2, YYYY-Q1..Q4 or YYYY-MM"]},
            )
        year = int(match["year"])
        if not 1970 <= year <= 2200:
            raise Invalid(f"year {year} out of range", errors={"period": ["year out of range"]})
        if match["half"]:
            first, months = (int(match["half"][1]) - 1) * 6 + 1, 6
        elif match["quarter"]:
            first, months = (int(match["quarter"][1]) - 1) * 3 + 1, 3
        elif match["month"]:
            first, months = int(match["month"]), 1
        else:
            first, months = 1, 12
        start = date(year, first, 1)
        return cls(start, _add_months(start, months) - timedelta(days=1), text)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


def check_period(text: str) -> str:
    """Validate a period label and return it unchanged (events store the label)."""
    return Period.parse(text).label
