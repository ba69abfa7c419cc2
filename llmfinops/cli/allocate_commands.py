"""allocate --month, allocate explain, allocate rules."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

import typer

from llmfinops import console
from llmfinops.allocate.compute import allocate_month, store_allocation
from llmfinops.allocate.explain import explain_request, explain_values
from llmfinops.cli.common import handle_errors, open_workspace, workspace_config
from llmfinops.closing import refuse_if_closed
from llmfinops.errors import UsageError
from llmfinops.periods import parse_month
from llmfinops.render.allocation import render_allocation, render_explanation, render_rule_uses
from llmfinops.render.jsonout import render_json
from llmfinops.runs import recorded_run

allocate_app = typer.Typer(
    help="Allocate a month's spend to cost centers: rules, shared pools and seats; explain any request.",
    epilog="Example: llmfinops allocate --month 2026-10   |   llmfinops allocate explain --request-id chatcmpl-123",
    invoke_without_command=True,
    rich_markup_mode=None,
)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table or json.")]


@allocate_app.callback()
@handle_errors
def allocate(
    context: typer.Context,
    month: Annotated[str | None, typer.Option("--month", help="Calendar month, YYYY-MM (UTC).")] = None,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Compute and store the month's allocation (the `allocation` table), and print it."""
    if context.invoked_subcommand is not None:
        return
    if month is None:
        raise UsageError("allocate: --month is required.", "For example: llmfinops allocate --month 2026-10")
    period = parse_month(month)
    workspace, database = open_workspace()
    config = workspace_config(workspace)
    with database, recorded_run(database, "allocate", {"month": period.label}) as run_id:
        refuse_if_closed(database, period, "allocate")
        allocation = allocate_month(database, config, period)
        store_allocation(database, allocation, run_id)
    for warning in config.warnings:
        console.say(f"Warning: {warning}")
    console.write_data(render_json(allocation) if output_format is OutputFormat.json else render_allocation(allocation))


@allocate_app.command(epilog="Example: llmfinops allocate explain --key-alias eng-code-review-prod --team engineering")
@handle_errors
def explain(
    request_id: Annotated[str | None, typer.Option("--request-id", help="A loaded request, at its own time.")] = None,
    team: Annotated[str | None, typer.Option("--team", help="Team alias (or id).")] = None,
    key_alias: Annotated[str | None, typer.Option("--key-alias", help="API key alias.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag as key:value (repeatable).")] = None,
    feature: Annotated[str | None, typer.Option("--feature")] = None,
    user: Annotated[str | None, typer.Option("--user")] = None,
    project: Annotated[str | None, typer.Option("--project")] = None,
    provider: Annotated[str | None, typer.Option("--provider")] = None,
    model: Annotated[str | None, typer.Option("--model")] = None,
    at: Annotated[datetime | None, typer.Option("--at", formats=["%Y-%m-%d"], help="Day, for dated rules.")] = None,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Which rule sends a request (or these dimension values) to which cost center, and why the others did not."""
    workspace, database = open_workspace()
    config = workspace_config(workspace)
    with database:
        if request_id is not None:
            explanation = explain_request(database, config, request_id)
        else:
            tags = dict(item.split(":", 1) if ":" in item else (item, None) for item in tag or [])
            values = {
                "team_alias": team,
                "api_key_alias": key_alias,
                "feature": feature,
                "user_id": user,
                "project_id": project,
                "provider": provider,
                "model": model,
                "tags": tags,
            }
            if not any(values.values()):
                raise UsageError("allocate explain: give --request-id or at least one dimension (--team, --tag, ...).")
            day = (at or datetime.now(UTC)).date()
            explanation = explain_values(config, values, day, "these values")
    console.write_data(
        render_json(explanation) if output_format is OutputFormat.json else render_explanation(explanation)
    )


@allocate_app.command(epilog="Example: llmfinops allocate rules --month 2026-10")
@handle_errors
def rules(
    month: Annotated[str, typer.Option("--month", help="Calendar month, YYYY-MM (UTC).")],
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Every rule with the requests and spend it matched this month; rules that matched nothing."""
    period = parse_month(month)
    workspace, database = open_workspace()
    config = workspace_config(workspace)
    with database:
        allocation = allocate_month(database, config, period)
    for warning in config.warnings:
        console.say(f"Warning: {warning}")
    console.write_data(
        render_json(allocation.rule_uses) if output_format is OutputFormat.json else render_rule_uses(allocation)
    )
