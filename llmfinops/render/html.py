"""Self-contained HTML reports (inline CSS, no scripts, no external resources), every value HTML-escaped."""

from __future__ import annotations

from llmfinops.render.templates import render_template
from llmfinops.reports.build import ChargebackReport, ShowbackReport


def render_showback_html(report: ShowbackReport) -> str:
    return render_template("showback.html.j2", autoescape=True, report=report)


def render_chargeback_html(report: ChargebackReport) -> str:
    return render_template("chargeback.html.j2", autoescape=True, report=report)
