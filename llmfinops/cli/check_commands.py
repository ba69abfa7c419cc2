"""check: the governance policies over a month or a month to date, with findings and exit 3 for a scheduler."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import typer

from llmfinops import console
from llmfinops.checks.evaluate import SEVERITY_ORDER, evaluate_policies
from llmfinops.cli.common import exit_with, handle_errors, open_workspace, workspace_config
from llmfinops.errors import ExitCode, UsageError
from llmfinops.periods import Month, parse_month
from llmfinops.render.checks import render_check_md, render_check_table
from llmfinops.render.jsonout import render_json


class CheckFormat(StrEnum):
    table = "table"
    md = "md"
    json = "json"


class SeverityOption(StrEnum):
    info = "info"
    warning = "warning"
    critical = "critical"


@handle_errors
def check(
    month: Annotated[str | None, typer.Option("--month", help="A whole month, YYYY-MM.")] = None,
    day: Annotated[
        datetime | None, typer.Option("--date", formats=["%Y-%m-%d"], help="The month to date, up to this day.")
    ] = None,
    output_format: Annotated[CheckFormat, typer.Option("--format", help="table, md or json.")] = CheckFormat.table,
    show: Annotated[
        SeverityOption, typer.Option("--show", help="List findings of this severity and above.")
    ] = SeverityOption.warning,
    fail_on: Annotated[
        SeverityOption, typer.Option("--fail-on", help="Exit 3 when a finding of this severity or above exists.")
    ] = SeverityOption.warning,
) -> None:
    """Evaluate every policy of finops.yaml: budgets and their thresholds with a month-end forecast, use cases over
    the approval threshold, spend spikes, key caps, premium models used without access, unregistered keys. Each
    finding has its severity, owner, numbers and the rows behind it."""
    if (month is None) == (day is None):
        raise UsageError(
            "check: give --month YYYY-MM or --date YYYY-MM-DD.", "For example: llmfinops check --month 2026-10"
        )
    period = parse_month(month) if month else Month(day.year, day.month)
    workspace, database = open_workspace()
    config = workspace_config(workspace)
    with database:
        report = evaluate_policies(database, config, period, as_of=day.date() if day else None)
    shown = report.at_or_above(show.value)
    if output_format is CheckFormat.json:
        console.write_data(render_json({**report.__dict__, "findings": shown}))
    elif output_format is CheckFormat.md:
        console.write_data(render_check_md(report, shown))
    else:
        console.write_data(render_check_table(report, shown))
    failing = report.at_or_above(fail_on.value)
    if failing:
        worst = max(failing, key=lambda finding: SEVERITY_ORDER[finding.severity])
        console.say(
            f"{len(failing)} finding(s) at or above {fail_on.value}; the worst: {worst.subject}: {worst.message}"
        )
        exit_with(ExitCode.CHECK_FAILED)


def register(app: typer.Typer) -> None:
    app.command(epilog="Example: llmfinops check --date 2026-10-23 --fail-on critical")(check)
