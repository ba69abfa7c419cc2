"""The CFO weekly page in every format: terminal, Markdown, HTML (inline SVG chart), CSV, JSON and Excel (with a
native chart of the daily spend)."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.chart import BarChart, Reference
from rich.table import Table

from llmfinops.render.csvout import render_csv
from llmfinops.render.svg import SvgBarChart, bar_chart
from llmfinops.render.table import format_money, render_tables
from llmfinops.render.templates import render_template
from llmfinops.render.xlsx import Column, empty_workbook, workbook_bytes, write_table
from llmfinops.reports.cfo import CfoWeeklyReport, Comparison


@dataclass(frozen=True)
class _Metric:
    name: str
    this_week: str
    last_week: str
    change: str


def _change(comparison: Comparison, *, points: bool = False) -> str:
    if points:
        return f"{comparison.this_week - comparison.last_week:+.1f} pts"
    return "" if comparison.change_percent is None else f"{comparison.change_percent:+}%"


def metrics(report: CfoWeeklyReport) -> list[_Metric]:
    return [
        _Metric(
            "Total AI spend",
            format_money(report.total_spend.this_week),
            format_money(report.total_spend.last_week),
            _change(report.total_spend),
        ),
        _Metric(
            f"Top feature: {report.top_feature or '(none)'}",
            format_money(report.top_feature_spend.this_week),
            format_money(report.top_feature_spend.last_week),
            _change(report.top_feature_spend),
        ),
        _Metric(
            "Cache hit rate (prompt tokens from cache)",
            f"{report.cache_hit_rate.this_week}%",
            f"{report.cache_hit_rate.last_week}%",
            _change(report.cache_hit_rate, points=True),
        ),
        _Metric(
            "Premium-model share of spend",
            f"{report.premium_share.this_week}%",
            f"{report.premium_share.last_week}%",
            _change(report.premium_share, points=True),
        ),
    ]


def render_cfo_md(report: CfoWeeklyReport) -> str:
    return render_template("cfo_weekly.md.j2", autoescape=False, report=report, metrics=metrics(report))


def _chart(report: CfoWeeklyReport) -> SvgBarChart:
    return bar_chart(
        [
            (
                day.day.isoformat(),
                day.day.isoformat()[8:],
                day.cost,
                "#c0392b" if day.anomaly else "#2c6fbb" if day.day >= report.week_start else "#9bb7d9",
            )
            for day in report.daily
        ],
        "Daily spend. Light: last week; dark: this week; red: above the spike rule.",
    )


def render_cfo_html(report: CfoWeeklyReport) -> str:
    return render_template(
        "cfo_weekly.html.j2", autoescape=True, report=report, metrics=metrics(report), chart=_chart(report)
    )


def render_cfo_table(report: CfoWeeklyReport) -> str:
    summary = Table(
        title=f"CFO weekly {report.week} ({report.week_start} to {report.week_end}, {report.currency})",
        title_justify="left",
    )
    for header in ("Metric", "This week", "Last week", "Change"):
        summary.add_column(header, justify="left" if header == "Metric" else "right")
    for metric in metrics(report):
        summary.add_row(metric.name, metric.this_week, metric.last_week, metric.change)
    movers = Table(title="Biggest movers", title_justify="left")
    for header in ("Dimension", "Name", "This week", "Last week", "Change", "Driven by"):
        movers.add_column(header, justify="right" if header in ("This week", "Last week", "Change") else "left")
    for mover in report.movers:
        movers.add_row(
            mover.dimension,
            mover.name,
            format_money(mover.this_week),
            format_money(mover.last_week),
            format_money(mover.change),
            mover.cause,
        )
    notes = [
        f"Scope: {report.scope}. Month to date ({report.month}): {format_money(report.month_to_date)} against a "
        f"prorated budget of {format_money(report.prorated_budget)}; month-end forecast {format_money(report.forecast)}"
        f" ({report.forecast_method}; error on past months: {report.forecast_error}).",
        *[f"Anomaly: {finding.subject}: {finding.message}" for finding in report.anomalies],
        *[f"Critical: {finding.policy}: {finding.subject}: {finding.message}" for finding in report.critical_findings],
    ]
    return render_tables(summary, movers, notes=notes, width=140)


def render_cfo_csv(report: CfoWeeklyReport) -> str:
    """The metrics as rows (week and currency on each, so weeks can be stacked)."""
    return render_csv(
        ("week", "currency", "metric", "this_week", "last_week"),
        [
            (report.week, report.currency, "total_spend", report.total_spend.this_week, report.total_spend.last_week),
            (
                report.week,
                report.currency,
                "top_feature_spend",
                report.top_feature_spend.this_week,
                report.top_feature_spend.last_week,
            ),
            (
                report.week,
                report.currency,
                "cache_hit_rate_percent",
                report.cache_hit_rate.this_week,
                report.cache_hit_rate.last_week,
            ),
            (
                report.week,
                report.currency,
                "premium_share_percent",
                report.premium_share.this_week,
                report.premium_share.last_week,
            ),
            (report.week, report.currency, "month_to_date", report.month_to_date, None),
            (report.week, report.currency, "prorated_budget", report.prorated_budget, None),
            (report.week, report.currency, "forecast_month_end", report.forecast, None),
        ],
    )


def render_cfo_xlsx(report: CfoWeeklyReport) -> bytes:
    """Sheets Summary, Movers, Daily (with a native bar chart) and Assumptions."""
    workbook = empty_workbook()
    write_table(
        workbook,
        "Summary",
        (Column("Metric", "text"), Column("This week", "text"), Column("Last week", "text"), Column("Change", "text")),
        [(metric.name, metric.this_week, metric.last_week, metric.change) for metric in metrics(report)],
    )
    write_table(
        workbook,
        "Movers",
        (
            Column("Dimension", "text"),
            Column("Name", "text"),
            Column("This week", "money"),
            Column("Last week", "money"),
            Column("Driven by", "text"),
        ),
        [(mover.dimension, mover.name, mover.this_week, mover.last_week, mover.cause) for mover in report.movers],
    )
    write_table(
        workbook,
        "Daily",
        (Column("Day", "text"), Column("Spend", "money", summed=True), Column("Anomaly", "text")),
        [(day.day.isoformat(), day.cost, "anomaly" if day.anomaly else None) for day in report.daily],
    )
    daily = workbook["Daily"]
    chart = BarChart()
    chart.title = "Daily spend, last week and this week"
    chart.y_axis.title = report.currency
    chart.add_data(Reference(daily, min_col=2, min_row=1, max_row=len(report.daily) + 1), titles_from_data=True)
    chart.set_categories(Reference(daily, min_col=1, min_row=2, max_row=len(report.daily) + 1))
    daily.add_chart(chart, "E2")
    write_table(
        workbook,
        "Assumptions",
        (Column("Field", "text"), Column("Value", "text")),
        [
            ("Week", f"{report.week} ({report.week_start} to {report.week_end})"),
            ("Currency", report.currency),
            ("Scope", report.scope),
            ("Spend", "estimated cost at the price tables (tokens x published prices), priced rows only"),
            ("Forecast", f"{report.forecast_method}; error on past months: {report.forecast_error}"),
            ("Premium models", "policies.premium.models in finops.yaml"),
            ("Anomaly", "a day above policies.spikes.factor x its trailing average"),
        ],
    )
    return workbook_bytes(workbook, report.month, f"CFO weekly {report.week}")
