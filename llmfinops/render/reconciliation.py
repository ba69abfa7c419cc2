"""A month's reconciliation for people: a terminal table, Markdown, and an Excel workbook."""

from __future__ import annotations

from decimal import Decimal

from rich.table import Table

from llmfinops.reconcile.compute import MonthReconciliation, ProviderReconciliation
from llmfinops.render.table import format_money, render_tables
from llmfinops.render.templates import render_template
from llmfinops.render.xlsx import CellValue, Column, empty_workbook, workbook_bytes, write_table

#: The side-by-side columns, in reading order: what we estimated, what the provider reports, what it billed.
_SUMMARY_HEADERS = (
    "Provider",
    "Basis",
    "Gateway estimate",
    "Provider usage estimate",
    "Provider cost report",
    "Invoiced usage",
    "Credits",
    "Taxes",
    "Adjustments",
    "Invoiced total",
    "Variance",
    "Variance %",
    "Usage variance %",
    "Status",
)


def _percent(value: Decimal | None) -> str:
    return "" if value is None else f"{value + 0:+.2f}%"


def _summary_cells(provider: ProviderReconciliation) -> list[str]:
    return [
        provider.provider,
        provider.basis,
        format_money(provider.gateway_estimate),
        format_money(provider.provider_usage_estimate),
        format_money(provider.provider_reported_cost),
        format_money(provider.invoiced_usage),
        format_money(provider.credits) if provider.invoiced_total is not None else "",
        format_money(provider.taxes) if provider.invoiced_total is not None else "",
        format_money(provider.adjustments) if provider.invoiced_total is not None else "",
        format_money(provider.invoiced_total),
        format_money(provider.variance),
        _percent(provider.variance_percent),
        _percent(provider.usage_variance_percent),
        provider.status,
    ]


def _notes(reconciliation: MonthReconciliation) -> list[str]:
    notes = [
        f"Amounts in {reconciliation.currency}. Variance = invoiced total - estimate, explained below; the tolerance "
        f"(±{reconciliation.tolerance_percent}%) applies to the usage variance (invoiced usage - estimate), since "
        "credits, taxes and adjustments are itemised on the bill.",
    ]
    for provider in reconciliation.providers:
        if provider.bill_document == "cost_report":
            notes.append(f"{provider.provider}: no invoice loaded; compared with the provider's cost report.")
        notes += [f"{provider.provider}: exchange rate {rate}" for rate in provider.exchange_rates]
        notes += [f"{provider.provider}: {warning}" for warning in provider.warnings]
    return notes


def render_reconciliation_table(reconciliation: MonthReconciliation) -> str:
    summary = Table(title=f"Reconciliation {reconciliation.month}", title_justify="left")
    for header in _SUMMARY_HEADERS:
        summary.add_column(header, justify="left" if header in ("Provider", "Basis", "Status") else "right")
    for provider in reconciliation.providers:
        summary.add_row(*_summary_cells(provider))
    tables = [summary]
    for provider in reconciliation.providers:
        if not provider.causes:
            continue
        causes = Table(
            title=f"{provider.provider}: variance {format_money(provider.variance)} explained", title_justify="left"
        )
        causes.add_column("Cause")
        causes.add_column("Amount", justify="right")
        causes.add_column("Detail")
        for cause in provider.causes:
            causes.add_row(cause.label, format_money(cause.amount), cause.detail)
        tables.append(causes)
    return render_tables(*tables, notes=_notes(reconciliation), width=180)


def render_reconciliation_md(reconciliation: MonthReconciliation) -> str:
    return render_template(
        "reconciliation.md.j2", autoescape=False, reconciliation=reconciliation, notes=_notes(reconciliation)
    )


_XLSX_SUMMARY = (
    Column("Provider", "text"),
    Column("Basis", "text"),
    Column("Gateway estimate", "money", summed=True),
    Column("Provider usage estimate", "money", summed=True),
    Column("Provider cost report", "money", summed=True),
    Column("Invoiced usage", "money", summed=True),
    Column("Credits", "money", summed=True),
    Column("Taxes", "money", summed=True),
    Column("Adjustments", "money", summed=True),
    Column("Invoiced total", "money", summed=True),
    Column("Variance", "money", summed=True),
    Column("Variance %", "percent"),
    Column("Usage variance %", "percent"),
    Column("Status", "text"),
)
_XLSX_CAUSES = (
    Column("Provider", "text"),
    Column("Cause", "text"),
    Column("Amount", "money", summed=True),
    Column("Detail", "text"),
)


def render_reconciliation_xlsx(reconciliation: MonthReconciliation) -> bytes:
    """Sheets Reconciliation (a line per provider), Variance causes and Notes."""
    workbook = empty_workbook()
    summary: list[tuple[CellValue, ...]] = [
        (
            provider.provider,
            provider.basis,
            provider.gateway_estimate,
            provider.provider_usage_estimate,
            provider.provider_reported_cost,
            provider.invoiced_usage,
            provider.credits if provider.invoiced_total is not None else None,
            provider.taxes if provider.invoiced_total is not None else None,
            provider.adjustments if provider.invoiced_total is not None else None,
            provider.invoiced_total,
            provider.variance,
            None if provider.variance_percent is None else provider.variance_percent / 100,
            None if provider.usage_variance_percent is None else provider.usage_variance_percent / 100,
            provider.status,
        )
        for provider in reconciliation.providers
    ]
    write_table(workbook, "Reconciliation", _XLSX_SUMMARY, _money_rounded(summary))
    causes = [
        (provider.provider, cause.label, cause.amount, cause.detail)
        for provider in reconciliation.providers
        for cause in provider.causes
    ]
    write_table(workbook, "Variance causes", _XLSX_CAUSES, _money_rounded(causes))
    notes = [("Month", reconciliation.month), *[("Note", note) for note in _notes(reconciliation)]]
    write_table(workbook, "Notes", (Column("Field", "text"), Column("Value", "text")), notes)
    return workbook_bytes(workbook, reconciliation.month, f"Reconciliation {reconciliation.month}")


def _money_rounded(rows: list[tuple[CellValue, ...]]) -> list[tuple[CellValue, ...]]:
    """Amounts to the cent, as the sheet shows them, so that its SUM formulas add what a reader sees."""
    return [
        tuple(value.quantize(Decimal("0.01")) if isinstance(value, Decimal) else value for value in row) for row in rows
    ]
