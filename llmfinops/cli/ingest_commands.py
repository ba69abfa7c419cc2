"""ingest and sources."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from llmfinops import console
from llmfinops.cli.common import handle_errors, open_workspace
from llmfinops.ingest.catalog import list_quarantine, list_sources
from llmfinops.ingest.load import IngestReport, ingest_files
from llmfinops.ingest.registry import FORMATS
from llmfinops.render.jsonout import render_json
from llmfinops.render.table import render_rows_table


class SourcesFormat(StrEnum):
    table = "table"
    json = "json"


def print_ingest_report(report: IngestReport, *, to_stderr: bool = False) -> None:
    """One line per file with its counts, and the first quarantined rows with their reasons."""
    lines: list[str] = []
    for result in report.files:
        if result.outcome == "already ingested":
            lines.append(f"{result.path}: already ingested (source {result.source_id}); nothing changed.")
            continue
        skipped = f", {result.rows_skipped:,} skipped" if result.rows_skipped else ""
        lines.append(
            f"{result.path}: {result.format_name}: {result.rows_read:,} read, {result.rows_loaded:,} loaded, "
            f"{result.rows_quarantined:,} quarantined, {result.rows_duplicate:,} duplicate{skipped}"
        )
        lines += [f"  skipped {skip.rows:,}: {skip.reason}" for skip in result.skipped]
        lines += [
            f"  replaced {change.rows_removed:,} {change.target} rows of {change.provider} from earlier files for "
            f"{change.period_start:%Y-%m-%d %H:%M} to {change.period_end:%Y-%m-%d %H:%M} with {change.rows_added:,}: "
            f"{change.measure} {change.total_before:,.2f} -> {change.total_after:,.2f}"
            for change in result.replacements
        ]
        lines += [
            f"  quarantined {row.location}: {row.field or 'record'}: {row.reason}"
            for row in result.quarantined_examples
        ]
        if result.rows_quarantined > len(result.quarantined_examples):
            lines.append("  (all quarantined rows: llmfinops sources --quarantine)")
    if report.dry_run:
        lines.append("Dry run: nothing was written.")
    text = "\n".join(lines) + "\n"
    if to_stderr:
        console.say(text.rstrip("\n"))
    else:
        console.write_data(text)


@handle_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (gzip is read transparently).")],
    kind: Annotated[
        str | None,
        typer.Option("--kind", help=f"Force the format instead of detecting it: {', '.join(f.name for f in FORMATS)}."),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Load nothing if any row of a file is bad.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and check, print the counts, write nothing.")
    ] = False,
) -> None:
    """Load usage files into the workspace. Each file is detected, checked row by row, deduplicated and counted;
    bad rows are quarantined with a reason. A file already ingested (same content) is skipped. All files land
    together or not at all."""
    _, database = open_workspace()
    with database, console.FileProgress() as progress:
        report = ingest_files(database, paths, kind=kind, strict=strict, dry_run=dry_run, progress=progress)
    print_ingest_report(report)


@handle_errors
def sources(
    output_format: Annotated[SourcesFormat, typer.Option("--format", help="table or json.")] = SourcesFormat.table,
    quarantine: Annotated[bool, typer.Option("--quarantine", help="List quarantined rows instead.")] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many quarantined rows.")] = 200,
) -> None:
    """What was ingested: one row per file with rows read, loaded, quarantined and duplicate."""
    _, database = open_workspace()
    with database:
        records: list = list_quarantine(database, limit) if quarantine else list_sources(database)
    if output_format is SourcesFormat.json:
        console.write_data(render_json(records))
        return
    if quarantine:
        columns = ["source", "file", "where", "field", "reason"]
        rows = [(q.source_id, Path(q.path).name, q.location, q.field or "", q.reason) for q in records]
    else:
        columns = [
            "source",
            "file",
            "format",
            "read",
            "loaded",
            "quarantined",
            "duplicate",
            "skipped",
            "ingested at (UTC)",
            "notes",
        ]
        rows = [
            (
                s.source_id,
                Path(s.path).name,
                s.format,
                f"{s.rows_read:,}",
                f"{s.rows_loaded:,}",
                f"{s.rows_quarantined:,}",
                f"{s.rows_duplicate:,}",
                f"{s.rows_skipped:,}",
                f"{s.ingested_at:%Y-%m-%d %H:%M:%S}",
                s.notes or "",
            )
            for s in records
        ]
    console.write_data(render_rows_table(columns, rows))


def register(app: typer.Typer) -> None:
    app.command(epilog="Example: llmfinops ingest exports/litellm_spendlogs_2026-10.csv.gz --dry-run")(ingest)
    app.command(epilog="Example: llmfinops sources --quarantine")(sources)
