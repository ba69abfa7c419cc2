"""init, demo and query."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from llmfinops import console
from llmfinops.cli.common import handle_errors, open_workspace
from llmfinops.cli.ingest_commands import print_ingest_report
from llmfinops.cli.month_commands import render_month_result
from llmfinops.demo import build_demo
from llmfinops.query import run_query
from llmfinops.render.bundle import render_month_reports
from llmfinops.render.csvout import render_csv
from llmfinops.render.jsonout import render_json
from llmfinops.render.table import render_chargeback_table, render_rows_table
from llmfinops.store import open_store
from llmfinops.workspace import create_workspace


class QueryFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@handle_errors
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new workspace (created if needed).")] = Path("."),
) -> None:
    """Create a workspace: a commented finops.yaml, the database, inbox/, reports/ and pricing/ (local overrides)."""
    workspace = create_workspace(directory)
    open_store(workspace).close()
    console.say(
        f"Created workspace {workspace.root}: finops.yaml (edit your cost centers and rules), llmfinops.duckdb, "
        "inbox/, reports/, pricing/."
    )


@handle_errors
def demo(
    out: Annotated[
        Path | None, typer.Option("--out", help="Keep the demo workspace in this new or empty folder.")
    ] = None,
) -> None:
    """The monthly chargeback run on the bundled sample data: a workspace with the sample files in its inbox, the
    latest month ingested, priced, reconciled against the sample invoices, allocated and reported; prints the
    chargeback and the run's summary."""
    with console.FileProgress() as progress:
        result = build_demo(out, render_month_reports, progress)
    print_ingest_report(result.ingest, to_stderr=True)
    console.write_data(render_chargeback_table(result.month_run.chargeback))
    console.say("")
    console.say(render_month_result(result.month_run).rstrip("\n"))
    where = result.workspace.root
    month = result.latest_month.label
    if result.month_run.failed_checks:
        console.say(
            f"\n(On your own data `llmfinops run-month --month {month}` exits 3 on a failed check, so a scheduler can "
            "alert; the sample plants one on purpose: Anthropic traffic that bypassed the gateway.)"
        )
    console.say(
        f"\nDemo workspace: {where}\nNext: llmfinops -w {where} reconcile --month {month}"
        f"\n      llmfinops -w {where} report showback --month {month}"
        f'\n      llmfinops -w {where} query "SELECT model, sum(estimated_cost) FROM usage_priced GROUP BY 1"'
    )


@handle_errors
def query(
    sql: Annotated[str, typer.Argument(help="One SQL statement; the database is opened read-only.")],
    output_format: Annotated[QueryFormat, typer.Option("--format", help="table, csv or json.")] = QueryFormat.table,
) -> None:
    """Run read-only SQL on the workspace database (views: usage, usage_priced, sources, quarantine)."""
    _, database = open_workspace(read_only=True)
    with database:
        columns, rows = run_query(database, sql)
    if output_format is QueryFormat.json:
        console.write_data(render_json([dict(zip(columns, row, strict=True)) for row in rows]))
    elif output_format is QueryFormat.csv:
        console.write_data(render_csv(columns, rows))
    else:
        console.write_data(render_rows_table(columns, rows))


def register(app: typer.Typer) -> None:
    app.command(epilog="Example: llmfinops init acme-finops")(init)
    app.command(epilog="Example: llmfinops demo --out acme   (then: llmfinops -w acme sources)")(demo)
    app.command(
        epilog='Example: llmfinops query "SELECT provider, sum(estimated_cost) FROM usage_priced GROUP BY 1" '
        "--format json"
    )(query)
