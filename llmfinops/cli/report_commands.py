"""report showback | chargeback | cfo-weekly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from llmfinops import console
from llmfinops.cli.common import emit_output, handle_errors, open_workspace, require_file_for_binary, workspace_config
from llmfinops.db.connection import Database
from llmfinops.monthly import snapshot_report
from llmfinops.periods import Month, parse_month
from llmfinops.render.cfo import render_cfo_csv, render_cfo_html, render_cfo_md, render_cfo_table, render_cfo_xlsx
from llmfinops.render.csvout import render_chargeback_csv, render_showback_csv
from llmfinops.render.html import render_chargeback_html, render_showback_html
from llmfinops.render.jsonout import render_json
from llmfinops.render.markdown import render_chargeback_md, render_showback_md
from llmfinops.render.table import render_chargeback_table, render_showback_table
from llmfinops.render.xlsx import render_chargeback_xlsx, render_showback_xlsx
from llmfinops.reports.build import (
    ChargebackReport,
    ShowbackReport,
    build_chargeback,
    build_showback,
    scope_chargeback,
    scope_showback,
)
from llmfinops.reports.cfo import CfoWeeklyReport, build_cfo_weekly, parse_week

report_app = typer.Typer(
    help="Showback (the estimate) and chargeback (what each cost center pays) for a month; the CFO weekly page.",
    epilog="Example: llmfinops report chargeback --month 2026-10 --format xlsx -o chargeback-2026-10.xlsx",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class ReportFormat(StrEnum):
    table = "table"
    md = "md"
    html = "html"
    xlsx = "xlsx"
    csv = "csv"
    json = "json"


SHOWBACK_RENDERERS: dict[ReportFormat, Callable[[ShowbackReport], str | bytes]] = {
    ReportFormat.table: render_showback_table,
    ReportFormat.md: render_showback_md,
    ReportFormat.html: render_showback_html,
    ReportFormat.xlsx: render_showback_xlsx,
    ReportFormat.csv: render_showback_csv,
    ReportFormat.json: render_json,
}
CHARGEBACK_RENDERERS: dict[ReportFormat, Callable[[ChargebackReport], str | bytes]] = {
    ReportFormat.table: render_chargeback_table,
    ReportFormat.md: render_chargeback_md,
    ReportFormat.html: render_chargeback_html,
    ReportFormat.xlsx: render_chargeback_xlsx,
    ReportFormat.csv: render_chargeback_csv,
    ReportFormat.json: render_json,
}
MonthOption = Annotated[str, typer.Option("--month", help="Calendar month, YYYY-MM (UTC).")]
FormatOption = Annotated[ReportFormat, typer.Option("--format", help="table, md, html, xlsx (needs -o), csv or json.")]
OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")]


AsOfOption = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="Month to date: the last day included (YYYY-MM-DD)."),
]
CostCenterOption = Annotated[
    str | None, typer.Option("--cost-center", help="Only this cost center and the ones below it (a team lead's view).")
]
CFO_RENDERERS: dict[ReportFormat, Callable[[CfoWeeklyReport], str | bytes]] = {
    ReportFormat.table: render_cfo_table,
    ReportFormat.md: render_cfo_md,
    ReportFormat.html: render_cfo_html,
    ReportFormat.xlsx: render_cfo_xlsx,
    ReportFormat.csv: render_cfo_csv,
    ReportFormat.json: render_json,
}


@report_app.command(
    "cfo-weekly", epilog="Example: llmfinops report cfo-weekly --week 2026-W43 --format html -o cfo.html"
)
@handle_errors
def cfo_weekly(
    week: Annotated[str, typer.Option("--week", help="ISO week, YYYY-Www (Monday to Sunday, UTC).")],
    cost_center: CostCenterOption = None,
    output_format: FormatOption = ReportFormat.table,
    output: OutputOption = None,
) -> None:
    """One page for the CFO: this week beside last week (total spend, top feature, cache hit rate, premium-model
    share), month to date against the prorated budget, the month-end forecast with its method and measured error,
    anomalies, the three biggest movers with their cause, and the month's critical findings."""
    period = parse_week(week)
    require_file_for_binary(output_format, output, "cfo-weekly", period.label)
    workspace, database = open_workspace()
    config = workspace_config(workspace)
    codes = config.subtree(cost_center) if cost_center else None
    scope = f"cost center {cost_center} and below" if cost_center else "all cost centers"
    with database:
        report = build_cfo_weekly(database, config, period, cost_centers=codes, scope=scope)
    emit_output(CFO_RENDERERS[output_format](report), output)


@report_app.command(epilog="Example: llmfinops report showback --month 2026-10 --format md -o showback-2026-10.md")
@handle_errors
def showback(
    month: MonthOption,
    output_format: FormatOption = ReportFormat.table,
    output: OutputOption = None,
    cost_center: CostCenterOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Estimated cost by cost center and by model, with tokens by kind and the usage that could not be priced."""
    period = parse_month(month) if as_of is None else parse_month(month).to_date(as_of.date())
    require_file_for_binary(output_format, output, "showback", period.label)
    workspace, database = open_workspace()
    with database:
        config = workspace_config(workspace)
        snapshot = None if cost_center or as_of else _closed_snapshot(database, period, "showback", output_format)
        report = None if snapshot is not None else build_showback(database, config, period)
        if report is not None and cost_center:
            report = scope_showback(report, config.subtree(cost_center))
    emit_output(snapshot if report is None else SHOWBACK_RENDERERS[output_format](report), output)


@report_app.command(epilog="Example: llmfinops report chargeback --month 2026-10 --format xlsx -o chargeback.xlsx")
@handle_errors
def chargeback(
    month: MonthOption,
    output_format: FormatOption = ReportFormat.table,
    output: OutputOption = None,
    cost_center: CostCenterOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Per cost center: monthly budget, actual spend, variance (budget - actual), utilisation and chargeback."""
    period = parse_month(month) if as_of is None else parse_month(month).to_date(as_of.date())
    require_file_for_binary(output_format, output, "chargeback", period.label)
    workspace, database = open_workspace()
    with database:
        config = workspace_config(workspace)
        snapshot = None if cost_center or as_of else _closed_snapshot(database, period, "chargeback", output_format)
        report = None if snapshot is not None else build_chargeback(database, config, period)
        if report is not None and cost_center:
            report = scope_chargeback(
                report, config.subtree(cost_center), f"cost center {cost_center} and the ones below it"
            )
    emit_output(snapshot if report is None else CHARGEBACK_RENDERERS[output_format](report), output)


def _closed_snapshot(database: Database, month: Month, report: str, output_format: ReportFormat) -> str | bytes | None:
    """A closed month's report is the file stored at close, never a recomputation."""
    extension = "txt" if output_format is ReportFormat.table else output_format.value
    content = snapshot_report(database, month, f"{report}.{extension}")
    if content is None:
        return None
    console.say(f"{month.label} is closed: this is the {report} as closed (late data shows in the next open month).")
    return content if output_format in (ReportFormat.xlsx,) else content.decode("utf-8")
