"""report showback | chargeback."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from llmfinops import console
from llmfinops.cli.common import handle_errors, open_workspace, workspace_config
from llmfinops.errors import UsageError
from llmfinops.periods import parse_month
from llmfinops.render.csvout import render_chargeback_csv, render_showback_csv
from llmfinops.render.html import render_chargeback_html, render_showback_html
from llmfinops.render.jsonout import render_json
from llmfinops.render.markdown import render_chargeback_md, render_showback_md
from llmfinops.render.table import render_chargeback_table, render_showback_table
from llmfinops.render.xlsx import render_chargeback_xlsx, render_showback_xlsx
from llmfinops.reports.build import ChargebackReport, ShowbackReport, build_chargeback, build_showback

report_app = typer.Typer(
    help="Showback (the estimate) and chargeback (what each cost center pays) for one month.",
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
#: Formats whose output is bytes, which must not be written to a terminal.
BINARY_FORMATS = frozenset({ReportFormat.xlsx})

MonthOption = Annotated[str, typer.Option("--month", help="Calendar month, YYYY-MM (UTC).")]
FormatOption = Annotated[ReportFormat, typer.Option("--format", help="table, md, html, xlsx (needs -o), csv or json.")]
OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")]


def _require_file_for_binary(output_format: ReportFormat, output: Path | None, command: str, month: str) -> None:
    """Refuse a binary format without -o before any work is done."""
    if output_format in BINARY_FORMATS and output is None:
        raise UsageError(
            f"--format {output_format} writes a binary file, which cannot go to stdout.",
            f"Give a file with -o, for example -o {command}-{month}.{output_format}.",
        )


def _emit(rendered: str | bytes, output: Path | None) -> None:
    if output is None:
        assert isinstance(rendered, str), "binary formats are refused without -o before the report is built"
        console.write_data(rendered)
        return
    if isinstance(rendered, bytes):
        output.write_bytes(rendered)
    else:
        output.write_text(rendered, encoding="utf-8")
    console.say(f"Wrote {output}")


@report_app.command(epilog="Example: llmfinops report showback --month 2026-10 --format md -o showback-2026-10.md")
@handle_errors
def showback(month: MonthOption, output_format: FormatOption = ReportFormat.table, output: OutputOption = None) -> None:
    """Estimated cost by cost center and by model, with tokens by kind and the usage that could not be priced."""
    period = parse_month(month)
    _require_file_for_binary(output_format, output, "showback", period.label)
    workspace, database = open_workspace()
    with database:
        report = build_showback(database, workspace_config(workspace), period)
    _emit(SHOWBACK_RENDERERS[output_format](report), output)


@report_app.command(epilog="Example: llmfinops report chargeback --month 2026-10 --format xlsx -o chargeback.xlsx")
@handle_errors
def chargeback(
    month: MonthOption, output_format: FormatOption = ReportFormat.table, output: OutputOption = None
) -> None:
    """Per cost center: monthly budget, actual spend, variance (budget - actual), utilisation and chargeback."""
    period = parse_month(month)
    _require_file_for_binary(output_format, output, "chargeback", period.label)
    workspace, database = open_workspace()
    with database:
        report = build_chargeback(database, workspace_config(workspace), period)
    _emit(CHARGEBACK_RENDERERS[output_format](report), output)
