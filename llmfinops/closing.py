"""Closed months: which months are frozen, what their snapshot holds, and where their late corrections go.

Once finance has booked a month's chargeback it must never change silently. `close` stores the month's allocation
lines and report files with the hashes of every input; nothing recomputes a closed month. Late data and
corrections for it are the difference between the month recomputed now and what was closed (less what earlier
adjustments already booked), and they are booked as adjustment lines in the first open month after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from llmfinops.db.connection import Database
from llmfinops.errors import UsageError
from llmfinops.periods import Month, parse_month


@dataclass(frozen=True)
class ClosedMonth:
    month: str
    close_run_id: int


def closed_months(database: Database) -> list[ClosedMonth]:
    """Months closed now (not reopened), oldest first."""
    return [
        ClosedMonth(month, int(run_id))
        for month, run_id in database.fetchall(
            "SELECT month, close_run_id FROM closed_months WHERE reopened_at IS NULL ORDER BY month"
        )
    ]


def is_closed(database: Database, month: Month) -> bool:
    return any(closed.month == month.label for closed in closed_months(database))


def refuse_if_closed(database: Database, month: Month, command: str) -> None:
    """A closed month is never recomputed: say where its snapshot is and how corrections reach finance."""
    if is_closed(database, month):
        raise UsageError(
            f"{command}: {month.label} is closed; its chargeback and reports are the snapshot taken at close "
            f"(reports/{month.label}/).",
            f"Late data and corrections for {month.label} are booked as adjustments in the next open month. "
            f"To recompute it anyway: llmfinops reopen --month {month.label}",
        )


def next_month(month: Month) -> Month:
    return Month(month.year + month.month // 12, month.month % 12 + 1)


def adjustment_month(database: Database, closed: Month) -> Month:
    """The first month after a closed one that is not closed itself: where its corrections are booked."""
    closed_labels = {item.month for item in closed_months(database)}
    candidate = next_month(closed)
    while candidate.label in closed_labels:
        candidate = next_month(candidate)
    return candidate


def months_adjusted_in(database: Database, month: Month) -> list[Month]:
    """The closed months whose corrections are booked in `month`."""
    return [
        parse_month(closed.month)
        for closed in closed_months(database)
        if closed.month < month.label and adjustment_month(database, parse_month(closed.month)) == month
    ]


def booked_for(database: Database, closed: Month) -> dict[tuple[str, str], Decimal]:
    """Per (cost center, provider): what a closed month charged, plus corrections already booked for it in other
    closed months (so a correction is booked once)."""
    rows = database.fetchall(
        """
        SELECT cost_center, provider, sum(chargeback_cost)
        FROM closed_allocation JOIN closed_months USING (month, close_run_id)
        WHERE closed_months.reopened_at IS NULL
          AND ((month = ? AND category <> 'adjustment') OR (category = 'adjustment' AND pool = ?))
        GROUP BY ALL
        """,
        [closed.label, closed.label],
    )
    return {(center, provider): amount for center, provider, amount in rows}
