"""CSV output that a spreadsheet cannot mistake for a formula: query results and the reports, a row per cost center."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from llmfinops.reports.build import ChargebackReport, ShowbackReport

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CHARGEBACK_COLUMNS = (
    "month",
    "currency",
    "cost_center",
    "name",
    "owner",
    "monthly_budget",
    "actual",
    "variance",
    "utilisation_percent",
    "threshold_reached",
    "shared",
    "seats",
    "true_up",
    "adjustments",
    "chargeback",
    "unpriced_requests",
)
SHOWBACK_COLUMNS = (
    "month",
    "currency",
    "cost_center",
    "name",
    "requests",
    "failed_requests",
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "output_tokens",
    "estimated_cost",
    "unpriced_requests",
)


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula (or run it as one, through DDE)."""
    return text.startswith(_FORMULA_STARTS)


def safe_cell(value: Any) -> str:
    """Text from user data that starts like a formula gets a leading apostrophe (OWASP CSV injection advice)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        # Fixed-point, never exponent notation ("1E+3", "0E-12"), which a spreadsheet or a parser may misread.
        return f"{value:f}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def render_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_cell(column) for column in columns])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def render_chargeback_csv(report: ChargebackReport) -> str:
    """One row per cost center, month and currency on every row so months can be stacked; no totals row."""
    return render_csv(
        CHARGEBACK_COLUMNS,
        [
            (
                report.month,
                report.currency,
                line.cost_center,
                line.name,
                line.owner,
                line.monthly_budget,
                line.actual,
                line.variance,
                line.utilisation_percent,
                line.threshold_reached,
                line.shared,
                line.seats,
                line.true_up,
                line.adjustments,
                line.chargeback,
                line.unpriced_requests,
            )
            for line in report.lines
        ],
    )


def render_showback_csv(report: ShowbackReport) -> str:
    """One row per cost center, month and currency on every row so months can be stacked; no totals row."""
    return render_csv(
        SHOWBACK_COLUMNS,
        [
            (
                report.month,
                report.currency,
                line.cost_center,
                line.name,
                line.requests,
                line.failed_requests,
                line.input_tokens,
                line.cache_read_tokens,
                line.cache_write_tokens,
                line.output_tokens,
                line.estimated_cost,
                line.unpriced_requests,
            )
            for line in report.lines
        ],
    )
