"""report showback | chargeback."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from llmfinops import console
from llmfinops.cli.common import handle_errors, open_workspace, workspace_config
from llmfinops.periods import parse_month
from llmfinops.render.jsonout import render_json
from llmfinops.render.table import render_chargeback_table, render_showback_table
from llmfinops.reports.build import build_chargeback, build_showback

report_app = typer.Typer(
    help="Showback (the estimate) and chargeback (what each cost center pays) for one month.",
    epilog="Example: llmfinops report chargeback --month 2026-10 --format json -o chargeback-2026-10.json",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class ReportFormat(StrEnum):
    table = "table"
    json = "json"


MonthOption = Annotated[str, typer.Option("--month", help="Calendar month, YYYY-MM (UTC).")]
FormatOption = Annotated[ReportFormat, typer.Option("--format", help="table or json.")]
OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")]


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        console.write_data(text)
    else:
        output.write_text(text, encoding="utf-8")
        console.say(f"Wrote {output}")


@report_app.command(epilog="Example: llmfinops report showback --month 2026-10 --format json -o showback.json")
@handle_errors
def showback(month: MonthOption, output_format: FormatOption = ReportFormat.table, output: OutputOption = None) -> None:
    """Estimated cost by cost center and by model, with tokens by kind and the usage that could not be priced."""
    period = parse_month(month)
    workspace, database = open_workspace()
    with database:
        report = build_showback(database, workspace_config(workspace), period)
    _emit(render_json(report) if output_format is ReportFormat.json else render_showback_table(report), output)


@report_app.command(epilog="Example: llmfinops report chargeback --month 2026-10")
@handle_errors
def chargeback(
    month: MonthOption, output_format: FormatOption = ReportFormat.table, output: OutputOption = None
) -> None:
    """Per cost center: monthly budget, actual spend, variance (budget - actual), utilisation and chargeback."""
    period = parse_month(month)
    workspace, database = open_workspace()
    with database:
        report = build_chargeback(database, workspace_config(workspace), period)
    _emit(render_json(report) if output_format is ReportFormat.json else render_chargeback_table(report), output)
