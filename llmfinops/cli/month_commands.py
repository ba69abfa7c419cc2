"""run-month, close, reopen and runs: the monthly chargeback run and its audit trail."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from llmfinops import console
from llmfinops.cli.common import exit_with, handle_errors, open_workspace, workspace_config
from llmfinops.errors import ExitCode, UsageError
from llmfinops.monthly import MonthResult, close_month, reopen_month, run_month
from llmfinops.periods import parse_month
from llmfinops.render.bundle import render_month_reports
from llmfinops.render.jsonout import render_json
from llmfinops.render.table import format_money, render_rows_table, render_tables

MonthOption = Annotated[str, typer.Option("--month", help="Calendar month, YYYY-MM (UTC).")]


def _stage(message: str) -> None:
    console.say(f"- {message}")


def render_month_result(result: MonthResult) -> str:
    """The one-screen summary: per provider spend, invoice, variance and status; allocation, budgets, checks."""
    table = Table(title=f"{'Closed' if result.closed else 'Monthly run'} {result.month}", title_justify="left")
    for header in ("Provider", "Estimate", "Invoiced", "Variance", "Usage variance", "Status"):
        table.add_column(header, justify="left" if header in ("Provider", "Status") else "right")
    for provider in result.reconciliation.providers:
        table.add_row(
            provider.provider,
            format_money(provider.estimate),
            format_money(provider.invoiced_total),
            format_money(provider.variance),
            "" if provider.usage_variance_percent is None else f"{provider.usage_variance_percent + 0:+}%",
            provider.status,
        )
    chargeback = result.chargeback
    notes = [
        f"Chargeback {format_money(chargeback.total_chargeback)} {chargeback.currency} (basis: {chargeback.basis}); "
        f"allocated by rules: {result.allocation.allocated_percent}%.",
        f"Unpriced usage: {result.unpriced_requests:,} of {result.requests:,} requests ({result.unpriced_percent}%).",
    ]
    if result.ingest is not None:
        loaded = [file for file in result.ingest.files if file.outcome == "loaded"]
        notes.append(
            f"Inbox: {len(loaded)} new file(s) ingested, {len(result.ingest.files) - len(loaded)} already ingested; "
            f"{result.quarantined_rows:,} rows quarantined (llmfinops sources --quarantine)."
        )
    notes += [
        f"Over budget: {breach.name} ({breach.cost_center}) {format_money(breach.actual)} of "
        f"{format_money(breach.budget)}"
        for breach in result.budgets_breached
    ] or ["No cost center over its budget."]
    notes.append(f"Reports: {result.report_dir}/ ({', '.join(result.files)})")
    notes += [f"CHECK FAILED: {check}" for check in result.failed_checks]
    return render_tables(table, notes=notes, width=120)


def _finish(result: MonthResult) -> None:
    console.write_data(render_month_result(result))
    if result.failed_checks:
        exit_with(ExitCode.CHECK_FAILED)


@handle_errors
def run_month_command(month: MonthOption) -> None:
    """The monthly chargeback run: ingest new files from the inbox, price, reconcile, allocate, write every report
    to reports/YYYY-MM/, and print a one-screen summary. Exits 3 when a check fails (reconciliation outside
    tolerance, unpriced usage above run_month.max_unpriced_percent, a budget breached if configured)."""
    period = parse_month(month)
    workspace, database = open_workspace()
    config = workspace_config(workspace)
    with database, console.FileProgress() as progress:
        result = run_month(workspace, database, config, period, render_month_reports, progress=progress, stage=_stage)
    _finish(result)


@handle_errors
def close(month: MonthOption) -> None:
    """Freeze a month: its allocation and reports become an immutable snapshot with the hashes of every input
    file, the config and the price tables. Later data for it is booked as adjustments in the next open month."""
    period = parse_month(month)
    workspace, database = open_workspace()
    config = workspace_config(workspace)
    with database:
        result = close_month(workspace, database, config, period, render_month_reports, stage=_stage)
    _finish(result)


@handle_errors
def reopen(month: MonthOption) -> None:
    """Unfreeze a closed month so it can be recomputed (recorded in runs; the old snapshot is kept)."""
    period = parse_month(month)
    _, database = open_workspace()
    with database:
        reopen_month(database, period)
    console.say(f"Reopened {period.label}. Run `llmfinops run-month --month {period.label}` to recompute it.")


class RunsFormat(StrEnum):
    table = "table"
    json = "json"


runs_app = typer.Typer(
    help="The audit trail: every command that changed the database, with its arguments and inputs.",
    epilog="Example: llmfinops runs   |   llmfinops runs show 12",
    invoke_without_command=True,
    rich_markup_mode=None,
)

_RUN_COLUMNS = "run_id, command, arguments, config_hash, inputs, started_at, finished_at, outcome"


@runs_app.callback()
@handle_errors
def runs(
    context: typer.Context,
    limit: Annotated[int, typer.Option("--limit", help="The most recent N runs.")] = 50,
    output_format: Annotated[RunsFormat, typer.Option("--format", help="table or json.")] = RunsFormat.table,
) -> None:
    """List the runs, newest first: command, arguments, how many input files (with hashes in `runs show`)."""
    if context.invoked_subcommand is not None:
        return
    _, database = open_workspace()
    with database:
        rows = database.fetchall(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY run_id DESC LIMIT ?", [limit])
    records = [_run_record(row) for row in rows]
    if output_format is RunsFormat.json:
        console.write_data(render_json(records))
        return
    console.write_data(
        render_rows_table(
            ["run", "command", "arguments", "inputs", "started (UTC)", "seconds", "outcome"],
            [
                (
                    record["run_id"],
                    record["command"],
                    json.dumps(record["arguments"], sort_keys=True),
                    f"{len((record['inputs'] or {}).get('files', []))} files",
                    f"{record['started_at']:%Y-%m-%d %H:%M:%S}",
                    ""
                    if record["finished_at"] is None
                    else f"{(record['finished_at'] - record['started_at']).total_seconds():.1f}",
                    record["outcome"],
                )
                for record in records
            ],
        )
    )


@runs_app.command("show", epilog="Example: llmfinops runs show 12")
@handle_errors
def show(run_id: Annotated[int, typer.Argument(help="A run id from `llmfinops runs`.")]) -> None:
    """One run whole: arguments, config hash, price tables hash and the sha256 of every input file, as JSON."""
    _, database = open_workspace()
    with database:
        row = database.fetchone(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ?", [run_id])
    if row is None:
        raise UsageError(f"runs show {run_id}: no such run.", "llmfinops runs lists them.")
    console.write_data(render_json(_run_record(row)))


def _run_record(row: tuple) -> dict:
    run_id, command, arguments, config_hash, inputs, started_at, finished_at, outcome = row
    return {
        "run_id": run_id,
        "command": command,
        "arguments": json.loads(arguments),
        "config_hash": config_hash,
        "inputs": json.loads(inputs) if inputs else None,
        "started_at": started_at,
        "finished_at": finished_at,
        "outcome": outcome,
    }


def register(app: typer.Typer) -> None:
    app.command("run-month", epilog="Example: llmfinops run-month --month 2026-10")(run_month_command)
    app.command(epilog="Example: llmfinops close --month 2026-10")(close)
    app.command(epilog="Example: llmfinops reopen --month 2026-10")(reopen)
    app.add_typer(runs_app, name="runs")
