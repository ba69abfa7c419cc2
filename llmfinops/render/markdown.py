"""GitHub Markdown reports (showback, chargeback) from the templates in `reports/templates/`."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from llmfinops.render.templates import render_template
from llmfinops.reports.build import ChargebackReport, ShowbackReport


def render_showback_md(report: ShowbackReport) -> str:
    return render_template("showback.md.j2", autoescape=False, report=report, share=share_of(report))


def share_of(report: ShowbackReport) -> Callable[[Decimal], str]:
    """A line's share of the month's estimate, as the reports print it."""

    def share(amount: Decimal) -> str:
        total = report.total_estimated_cost
        return f"{amount * 100 / total:.1f}%" if total else ""

    return share


def render_chargeback_md(report: ChargebackReport) -> str:
    return render_template("chargeback.md.j2", autoescape=False, report=report)
