"""The findings of `check` for people: a terminal table and Markdown (JSON is the dataclasses as they are)."""

from __future__ import annotations

from rich.table import Table

from llmfinops.checks.evaluate import CheckReport, Finding
from llmfinops.render.table import format_money, render_tables
from llmfinops.render.templates import render_template


def _forecast_lines(report: CheckReport) -> list[str]:
    errors = ", ".join(
        f"{error.month} {error.error_percent:+}% (forecast {format_money(error.forecast)}, actual "
        f"{format_money(error.actual)})"
        for error in report.forecast_errors
    )
    return [
        f"Month to date ({report.days_elapsed} of {report.days_in_month} days, to {report.as_of.isoformat()}): "
        f"{format_money(report.spent)}; month-end forecast {format_money(report.forecast)}.",
        f"Forecast method: {report.forecast_method}. Its error on past months, forecast on day "
        f"{report.forecast_errors[0].at_day if report.forecast_errors else 15}: {errors or 'no complete past month'}.",
    ]


def _threshold_text(report: CheckReport, index: int) -> str:
    budget = report.budgets[index]
    parts = []
    for crossing in budget.thresholds:
        if crossing.crossed_on is not None:
            parts.append(f"{crossing.threshold}% on {crossing.crossed_on:%m-%d}")
        elif crossing.projected_on is not None:
            parts.append(f"{crossing.threshold}% by {crossing.projected_on:%m-%d} (forecast)")
    return ", ".join(parts)


def render_check_table(report: CheckReport, shown: tuple[Finding, ...]) -> str:
    budgets = Table(title=f"Budgets {report.month}", title_justify="left")
    for header in ("Budget", "Owner", "Budget amount", "Spent", "Used", "Forecast", "Thresholds"):
        budgets.add_column(
            header, justify="right" if header in ("Budget amount", "Spent", "Used", "Forecast") else "left"
        )
    for index, status in enumerate(report.budgets):
        budgets.add_row(
            status.subject,
            status.owner or "",
            format_money(status.budget),
            format_money(status.spent),
            f"{status.utilisation_percent}%",
            f"{format_money(status.forecast)} ({status.forecast_percent}%)",
            _threshold_text(report, index),
        )
    findings = Table(title=f"Findings ({len(shown)})", title_justify="left")
    for header in ("Severity", "Policy", "Who", "Owner", "What", "Caused by"):
        findings.add_column(header)
    for finding in shown:
        findings.add_row(
            finding.severity,
            finding.policy,
            finding.subject,
            finding.owner or "",
            finding.message,
            "; ".join(finding.causes),
        )
    return render_tables(budgets, findings, notes=_forecast_lines(report), width=200)


def render_check_md(report: CheckReport, shown: tuple[Finding, ...]) -> str:
    thresholds = [_threshold_text(report, index) for index in range(len(report.budgets))]
    return render_template(
        "check.md.j2",
        autoescape=False,
        report=report,
        findings=shown,
        thresholds=thresholds,
        notes=_forecast_lines(report),
    )
