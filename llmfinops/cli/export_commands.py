"""export parquet: a month's usage and allocation as Hive-partitioned Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llmfinops import console
from llmfinops.cli.common import handle_errors, open_workspace
from llmfinops.export import export_parquet
from llmfinops.periods import parse_month

export_app = typer.Typer(
    help="Data out of the box: a month as Hive-partitioned Parquet for Spark, Trino, Athena, BigQuery or DuckDB.",
    epilog="Example: llmfinops export parquet --month 2026-10 --out exports/",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@export_app.command(epilog="Example: llmfinops export parquet --month 2026-10 --out exports/")
@handle_errors
def parquet(
    month: Annotated[str, typer.Option("--month", help="Calendar month, YYYY-MM (UTC).")],
    out: Annotated[Path | None, typer.Option("--out", help="Folder (default: the workspace's exports/).")] = None,
) -> None:
    """Write the month's priced usage (month=/provider= partitions) and its stored allocation (month=)."""
    period = parse_month(month)
    workspace, database = open_workspace()
    target = out or workspace.root / "exports"
    with database:
        result = export_parquet(database, period, target)
    console.say(
        f"Exported {result.month}: {result.usage_rows:,} usage rows and {result.allocation_rows:,} allocation lines "
        f"to {target}/ (usage/month={result.month}/provider=*/, allocation/month={result.month}/)."
    )


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
