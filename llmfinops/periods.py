"""Reporting periods: calendar months in UTC, parsed from `YYYY-MM`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from llmfinops.errors import UsageError

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    # A month-to-date cut (reports --as-of): the last day included. Not part of the month's identity.
    until: date | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1)

    @property
    def end(self) -> datetime:
        """The first instant after the month, or after its `until` day (half-open interval)."""
        natural = datetime(self.year + self.month // 12, self.month % 12 + 1, 1)
        if self.until is None:
            return natural
        return min(natural, datetime(self.until.year, self.until.month, self.until.day) + timedelta(days=1))

    def to_date(self, day: date) -> Month:
        """The month up to and including `day`, which must be in it."""
        if (day.year, day.month) != (self.year, self.month):
            raise UsageError(
                f"--as-of {day.isoformat()}: not a day of {self.label}.",
                f"Give a day of the month, for example --as-of {self.label}-15.",
            )
        return Month(self.year, self.month, day)


def parse_month(text: str) -> Month:
    """`2026-10` -> Month(2026, 10); anything else is a usage error that shows the expected form."""
    match = _MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"--month {text!r}: not a month.", "Write it as YYYY-MM, for example --month 2026-10.")
    return Month(int(match.group(1)), int(match.group(2)))
