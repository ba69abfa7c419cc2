"""Self-contained HTML reports (inline CSS, no scripts, no external resources), every value HTML-escaped."""

from __future__ import annotations

from llmfinops.render.markdown import share_of
from llmfinops.render.svg import bar_chart
from llmfinops.render.templates import render_template
from llmfinops.reports.build import ChargebackReport, ShowbackReport


def render_showback_html(report: ShowbackReport) -> str:
    chart = bar_chart(
        [(day.day.isoformat(), day.day.isoformat()[8:], day.estimated_cost, "#2c6fbb") for day in report.daily],
        f"Estimated spend per day, {report.month}",
        bar_width=16,
        gap=4,
    )
    return render_template("showback.html.j2", autoescape=True, report=report, share=share_of(report), chart=chart)


def render_chargeback_html(report: ChargebackReport) -> str:
    return render_template("chargeback.html.j2", autoescape=True, report=report)
