"""reconcile --month: estimate vs provider usage vs cost report vs invoice per provider, the variance explained."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from llmfinops import console
from llmfinops.cli.common import (
    emit_output,
    exit_with,
    handle_errors,
    open_workspace,
    require_file_for_binary,
    workspace_config,
)
from llmfinops.closing import refuse_if_closed
from llmfinops.errors import ExitCode, UsageError
from llmfinops.periods import parse_month
from llmfinops.reconcile.compute import MonthReconciliation, reconcile_month, store_reconciliation
from llmfinops.render.jsonout import render_json
from llmfinops.render.reconciliation import (
    render_reconciliation_md,
    render_reconciliation_table,
    render_reconciliation_xlsx,
)
from llmfinops.runs import recorded_run

_TOLERANCE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*%?\s*")


class ReconcileFormat(StrEnum):
    table = "table"
    md = "md"
    json = "json"
    xlsx = "xlsx"


RENDERERS: dict[ReconcileFormat, Callable[[MonthReconciliation], str | bytes]] = {
    ReconcileFormat.table: render_reconciliation_table,
    ReconcileFormat.md: render_reconciliation_md,
    ReconcileFormat.json: render_json,
    ReconcileFormat.xlsx: render_reconciliation_xlsx,
}


def parse_tolerance(text: str) -> Decimal:
    """`2%`, `2` or `0.5%` -> percent of the invoiced total."""
    match = _TOLERANCE.fullmatch(text)
    if match is None:
        raise UsageError(
            f"--tolerance {text!r}: not a percentage.", "Write it as a percent, for example --tolerance 2%."
        )
    return Decimal(match.group(1))


@handle_errors
def reconcile(
    month: Annotated[str, typer.Option("--month", help="Calendar month, YYYY-MM (UTC; bills by billing period).")],
    provider: Annotated[str | None, typer.Option("--provider", help="Only this provider (e.g. openai).")] = None,
    tolerance: Annotated[
        str | None,
        typer.Option("--tolerance", help="Allowed variance, percent of the invoiced total (default: finops.yaml, 2%)."),
    ] = None,
    output_format: Annotated[
        ReconcileFormat, typer.Option("--format", help="table, md, json or xlsx (needs -o).")
    ] = ReconcileFormat.table,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Per provider: our estimate, the provider's usage at our prices, its cost report and the invoice, side by side;
    the variance in money and percent, explained cause by cause (adding up to it). Stored in `reconciliation`.
    Exits 3 when a provider is outside the tolerance."""
    period = parse_month(month)
    tolerance_percent = parse_tolerance(tolerance) if tolerance is not None else None
    require_file_for_binary(output_format, output, "reconcile", period.label)
    workspace, database = open_workspace()
    config = workspace_config(workspace)
    arguments = {"month": period.label, "provider": provider, "tolerance": tolerance}
    with database, recorded_run(database, "reconcile", arguments) as run_id:
        refuse_if_closed(database, period, "reconcile")
        reconciliation = reconcile_month(
            database,
            config,
            period,
            provider=provider.lower() if provider else None,
            tolerance_percent=tolerance_percent,
        )
        store_reconciliation(database, reconciliation, run_id)
    emit_output(RENDERERS[output_format](reconciliation), output)
    if not reconciliation.providers:
        console.say(f"Nothing to reconcile for {period.label}: no usage and no billed lines in that month.")
    outside = reconciliation.outside_tolerance
    if outside:
        console.say(
            "Outside tolerance: "
            + ", ".join(f"{item.provider} usage {item.usage_variance_percent:+}%" for item in outside)
            + f" (tolerance ±{reconciliation.tolerance_percent}% of invoiced usage)."
        )
        exit_with(ExitCode.CHECK_FAILED)


def register(app: typer.Typer) -> None:
    app.command(epilog="Example: llmfinops reconcile --month 2026-10 --tolerance 2% --format xlsx -o recon.xlsx")(
        reconcile
    )
