"""GitHub Markdown reports (showback, chargeback) from the templates in `reports/templates/`."""

from __future__ import annotations

from llmfinops.render.templates import render_template
from llmfinops.reports.build import ChargebackReport, ShowbackReport


def render_showback_md(report: ShowbackReport) -> str:
    return render_template("showback.md.j2", autoescape=False, report=report)


def render_chargeback_md(report: ChargebackReport) -> str:
    return render_template("chargeback.md.j2", autoescape=False, report=report)
