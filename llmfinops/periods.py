"""Reporting periods: calendar months in UTC, parsed from `YYYY-MM`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from llmfinops.errors import UsageError

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1)

    @property
    def end(self) -> datetime:
        """The first instant after the month (half-open interval)."""
        return datetime(self.year + self.month // 12, self.month % 12 + 1, 1)


def parse_month(text: str) -> Month:
    """`2026-10` -> Month(2026, 10); anything else is a usage error that shows the expected form."""
    match = _MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"--month {text!r}: not a month.", "Write it as YYYY-MM, for example --month 2026-10.")
    return Month(int(match.group(1)), int(match.group(2)))
