"""Fixed report records for the renderer tests, built here rather than from a database. The user data is hostile
on purpose: a pipe and a backslash (Markdown), markup (HTML), formula starts (spreadsheets), non-ASCII text,
amounts in the millions, an over-budget line, a line without budget, and a model without a price."""

from __future__ import annotations

from decimal import Decimal

from llmfinops.reports.build import (
    ChargebackLine,
    ChargebackReport,
    ModelLine,
    ShowbackLine,
    ShowbackReport,
    UnpricedModel,
)

UNPRICED = (
    UnpricedModel("mistral", "mistral-large-latest", 12, 34_567, "no price for mistral/mistral-large-latest"),
    UnpricedModel("acme", "=cmd|' /C calc'!A0", 1, 10, "unknown provider acme"),
)

CHARGEBACK_LINES = (
    ChargebackLine(
        cost_center="CC-ENG",
        name="Engineering",
        owner="eng@corp.example",
        monthly_budget=Decimal("12000.00"),
        actual=Decimal("13456.78"),
        variance=Decimal("-1456.78"),
        utilisation_percent=Decimal("112.1"),
        shared=Decimal("1234.56"),
        seats=Decimal("300.00"),
        true_up=Decimal("0.00"),
        adjustments=Decimal("0.00"),
        chargeback=Decimal("14991.34"),
        unpriced_requests=3,
    ),
    ChargebackLine(
        cost_center="CC-RD",
        name="Données | R&D \\",
        owner=None,
        monthly_budget=None,
        actual=Decimal("1234567.89"),
        variance=None,
        utilisation_percent=None,
        shared=Decimal("0.00"),
        seats=Decimal("0.00"),
        true_up=Decimal("0.00"),
        adjustments=Decimal("-12.34"),
        chargeback=Decimal("1234555.55"),
        unpriced_requests=0,
    ),
    ChargebackLine(
        cost_center="CC-XSS",
        name="<script>alert(1)</script>",
        owner='=HYPERLINK("x")',
        monthly_budget=Decimal("50.00"),
        actual=Decimal("0.00"),
        variance=Decimal("50.00"),
        utilisation_percent=Decimal("0.0"),
        shared=Decimal("0.10"),
        seats=Decimal("0.00"),
        true_up=Decimal("0.00"),
        adjustments=Decimal("0.00"),
        chargeback=Decimal("0.10"),
        unpriced_requests=0,
    ),
    ChargebackLine(
        cost_center="unallocated",
        name="Unallocated",
        owner=None,
        monthly_budget=None,
        actual=Decimal("7.05"),
        variance=None,
        utilisation_percent=None,
        shared=Decimal("0.00"),
        seats=Decimal("0.00"),
        true_up=Decimal("94.95"),
        adjustments=Decimal("0.00"),
        chargeback=Decimal("102.00"),
        unpriced_requests=13,
    ),
)


def _total(field: str) -> Decimal:
    return sum((getattr(line, field) for line in CHARGEBACK_LINES), Decimal(0))


CHARGEBACK = ChargebackReport(
    month="2026-10",
    currency="USD",
    basis="invoice and estimate",
    basis_note=(
        "Invoiced (anthropic): the chargeback is the invoice distributed; its difference from the estimate is the "
        "true-up column. Estimated, no invoice loaded: mistral."
    ),
    lines=CHARGEBACK_LINES,
    total_budget=Decimal("12050.00"),
    total_actual=_total("actual"),
    total_shared=_total("shared"),
    total_seats=_total("seats"),
    total_true_up=_total("true_up"),
    total_adjustments=_total("adjustments"),
    total_chargeback=_total("chargeback"),
    allocated_percent=Decimal("99.9"),
    unpriced=UNPRICED,
)

SHOWBACK_LINES = (
    ShowbackLine("CC-ENG", "Engineering", 120_345, 17, 98_765_432, 1_234_567, 45_678, 3_456_789, Decimal("9876.54"), 3),
    ShowbackLine("CC-RD", "Données | R&D \\", 5, 0, 1_000, 0, 0, 250, Decimal("0.01"), 0),
    ShowbackLine("CC-XSS", "<script>alert(1)</script>", 0, 0, 0, 0, 0, 0, Decimal("0.00"), 0),
    ShowbackLine("unallocated", "Unallocated", 40, 2, 12_000, 0, 0, 3_000, Decimal("1234567.89"), 13),
)

SHOWBACK = ShowbackReport(
    month="2026-10",
    currency="USD",
    lines=SHOWBACK_LINES,
    models=(
        ModelLine("openai", "gpt-4o-2024-08-06", 120_000, 98_000_000, 1_234_567, 0, 3_400_000, Decimal("1244444.44")),
        ModelLine("anthropic", "claude-sonnet-4-5-20250929", 377, 778_432, 0, 45_678, 60_039, Decimal("0.00")),
        ModelLine("mistral", "mistral-large-latest", 12, 34_000, 0, 0, 567, None),
        ModelLine("acme", "=cmd|' /C calc'!A0", 1, 10, 0, 0, 0, None),
    ),
    total_requests=sum(line.requests for line in SHOWBACK_LINES),
    total_estimated_cost=sum((line.estimated_cost for line in SHOWBACK_LINES), Decimal(0)),
    exact_estimated_cost=Decimal("1244444.440000000001"),
    unpriced=UNPRICED,
)
