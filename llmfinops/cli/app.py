"""The `llmfinops` command: global options and the command groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llmfinops import __version__
from llmfinops.cli import (
    allocate_commands,
    check_commands,
    export_commands,
    ingest_commands,
    month_commands,
    pricing_commands,
    reconcile_commands,
    report_commands,
    workspace_commands,
)
from llmfinops.cli.common import configure

app = typer.Typer(
    name="llmfinops",
    help=(
        "Offline FinOps and chargeback for LLM spend: ingest gateway logs and provider exports into one DuckDB "
        "file, price every request from effective-dated price tables, allocate spend to cost centers and "
        "report it.\n\nExample: llmfinops demo --out acme && llmfinops -w acme report showback --month 2026-10"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"llmfinops {__version__}")
        raise typer.Exit()


@app.callback()
def global_options(
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace", "-w", help="Workspace folder (default: $LLMFINOPS_WORKSPACE, then the current folder)."
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks and every SQL statement with its time.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Global options, read before any command."""
    configure(workspace, debug)


workspace_commands.register(app)
ingest_commands.register(app)
pricing_commands.register(app)
reconcile_commands.register(app)
month_commands.register(app)
check_commands.register(app)
export_commands.register(app)
app.add_typer(report_commands.report_app, name="report")
app.add_typer(allocate_commands.allocate_app, name="allocate")


def main() -> None:
    app()
