"""Terminal tables (rich), rendered to a string so the CLI decides where they go."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from llmfinops.reports.build import ChargebackReport, ShowbackReport


def format_money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    # an exact amount that rounds to zero shows as 0.00, never -0.00
    return f"{amount.quantize(Decimal('0.01')) + 0:,.2f}"


def format_percent(value: Decimal | None) -> str:
    return "" if value is None else f"{value}%"


def _count(number: int) -> str:
    return f"{number:,}"


def _tokens(number: int) -> str:
    """Token counts run to billions a month; millions with one decimal keep the table readable."""
    return f"{number / 1_000_000:,.1f}M" if number >= 100_000 else f"{number:,}"


def render_tables(*tables: Table, notes: Sequence[str] = (), width: int = 120) -> str:
    """Tables at a fixed width (so output is the same on every terminal), then notes as plain unwrapped lines."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False, legacy_windows=False)
    for table in tables:
        console.print(table)
    return buffer.getvalue() + "".join(f"{note}\n" for note in notes)


def _unpriced_lines(report: ChargebackReport | ShowbackReport) -> list[str]:
    if not report.unpriced:
        return []
    lines = ["", "Unpriced usage (not costed; add a price in pricing/ to include it):"]
    lines += [
        f"  {item.provider}/{item.model}: {item.requests:,} requests, {item.tokens:,} tokens: {item.reason}"
        for item in report.unpriced
    ]
    return lines


def render_chargeback_table(report: ChargebackReport) -> str:
    table = Table(title=f"Chargeback {report.month} ({report.currency}, basis: {report.basis})", title_justify="left")
    # Shared pools and seats get columns only where the workspace has them, so a plain setup reads like the
    # Department / Budget / Actual / Variance / Chargeback table finance teams already use.
    with_shared, with_seats = bool(report.total_shared), bool(report.total_seats)
    with_true_up = any(line.true_up for line in report.lines)
    with_adjustments = any(line.adjustments for line in report.lines)
    with_reached = any(line.threshold_reached is not None for line in report.lines)
    headers = ["Department", "Code", "Owner", "Monthly AI Budget", "Actual Spend", "Variance", "Used"]
    headers += ["Reached"] * with_reached
    headers += ["Shared"] * with_shared + ["Seats"] * with_seats + ["Invoice true-up"] * with_true_up
    headers += ["Adjustments"] * with_adjustments + ["Chargeback"]
    for header in headers:
        table.add_column(header, justify="left" if header in ("Department", "Code", "Owner") else "right")
    for line in report.lines:
        table.add_row(
            line.name,
            line.cost_center,
            line.owner or "",
            format_money(line.monthly_budget),
            format_money(line.actual),
            format_money(line.variance),
            "" if line.utilisation_percent is None else f"{line.utilisation_percent}%",
            *[format_percent(line.threshold_reached)] * with_reached,
            *[format_money(line.shared)] * with_shared,
            *[format_money(line.seats)] * with_seats,
            *[format_money(line.true_up)] * with_true_up,
            *[format_money(line.adjustments)] * with_adjustments,
            format_money(line.chargeback),
        )
    table.add_section()
    table.add_row(
        "Total",
        "",
        "",
        format_money(report.total_budget),
        format_money(report.total_actual),
        "",
        "",
        *[""] * with_reached,
        *[format_money(report.total_shared)] * with_shared,
        *[format_money(report.total_seats)] * with_seats,
        *[format_money(report.total_true_up)] * with_true_up,
        *[format_money(report.total_adjustments)] * with_adjustments,
        format_money(report.total_chargeback),
    )
    notes = [
        report.basis_note,
        f"Allocated by rules: {report.allocated_percent}% of the month's usage spend (target at least 90%).",
        *[
            f"Provider {provider.provider}: charged on its {provider.basis}; reconciliation {provider.status}"
            for provider in report.providers
        ],
        *[f"Finding ({finding.severity}): {finding.subject}: {finding.message}" for finding in report.findings],
        *_unpriced_lines(report),
    ]
    return render_tables(table, notes=notes, width=170)


def render_showback_table(report: ShowbackReport) -> str:
    centers = Table(title=f"Showback {report.month} ({report.currency}, estimated)", title_justify="left")
    headers = (
        "Cost center",
        "Requests",
        "Failed",
        "Input",
        "Cache read",
        "Cache write",
        "Output",
        "Estimated",
        "Unpriced",
    )
    for header in headers:
        centers.add_column(header, justify="left" if header == "Cost center" else "right")
    for line in report.lines:
        centers.add_row(
            line.name,
            _count(line.requests),
            _count(line.failed_requests),
            _tokens(line.input_tokens),
            _tokens(line.cache_read_tokens),
            _tokens(line.cache_write_tokens),
            _tokens(line.output_tokens),
            format_money(line.estimated_cost),
            _count(line.unpriced_requests),
        )
    centers.add_section()
    centers.add_row(
        "Total", _count(report.total_requests), "", "", "", "", "", format_money(report.total_estimated_cost), ""
    )
    models = Table(title="By model", title_justify="left")
    for header in ("Provider", "Model", "Requests", "Input", "Cache read", "Cache write", "Output", "Estimated"):
        models.add_column(header, justify="left" if header in ("Provider", "Model") else "right")
    for model in report.models:
        models.add_row(
            model.provider,
            model.model,
            _count(model.requests),
            _tokens(model.input_tokens),
            _tokens(model.cache_read_tokens),
            _tokens(model.cache_write_tokens),
            _tokens(model.output_tokens),
            "unpriced" if model.estimated_cost is None else format_money(model.estimated_cost),
        )
    features = [row for row in report.dimensions if row.dimension == "feature"][:5]
    notes = [
        f"Cost per request: {report.cost_per_request}. Cache hit ratio: {report.cache_hit_percent}% of prompt tokens "
        "read from cache.",
        "Top features: " + ", ".join(f"{row.name} {format_money(row.estimated_cost)}" for row in features) + "."
        if features
        else "No feature tags.",
        *_unpriced_lines(report),
    ]
    return render_tables(centers, models, notes=notes)


def render_rows_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Query results as a plain table."""
    table = Table(*columns)
    for row in rows:
        table.add_row(*("" if value is None else str(value) for value in row))
    return render_tables(table, width=200)
