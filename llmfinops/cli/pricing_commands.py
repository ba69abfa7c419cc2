"""pricing list | show | check | lint | import | diff, and reprice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from llmfinops import console
from llmfinops.cli.common import exit_with, handle_errors, open_workspace, workspace_config
from llmfinops.errors import ExitCode, UsageError
from llmfinops.periods import parse_month
from llmfinops.prices.apply import reprice_month
from llmfinops.prices.catalog import check_pricing, find_models, prices_at
from llmfinops.prices.diff import diff_price_tables
from llmfinops.prices.importers.genai_prices import import_genai_prices
from llmfinops.prices.importers.litellm import import_litellm
from llmfinops.prices.lint import lint_price_tables
from llmfinops.prices.setup import load_pricing_setup
from llmfinops.prices.tables import PriceTables, load_price_tables
from llmfinops.prices.writer import write_price_files
from llmfinops.render.jsonout import render_json
from llmfinops.render.pricing import (
    render_diff,
    render_lint,
    render_model_prices,
    render_price_list,
    render_pricing_check,
    render_reprice,
)
from llmfinops.runs import recorded_run

pricing_app = typer.Typer(
    help="The price tables: what each model costs when, what could not be priced, and importing public tables.",
    epilog="Example: llmfinops pricing show claude-sonnet-4-5 --at 2026-10-01",
    no_args_is_help=True,
    rich_markup_mode=None,
)
import_app = typer.Typer(
    help="Turn a public price dataset into llmfinops price files, for review before use.",
    epilog="Example: llmfinops pricing import litellm model_prices_and_context_window.json --out reviewed/",
    no_args_is_help=True,
    rich_markup_mode=None,
)
pricing_app.add_typer(import_app, name="import")


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table or json.")]
AtOption = Annotated[
    datetime | None, typer.Option("--at", formats=["%Y-%m-%d"], help="Prices in effect on this day (UTC).")
]


def _tables() -> PriceTables:
    workspace, database = open_workspace()
    with database:
        return load_pricing_setup(workspace, workspace_config(workspace)).tables


def _emit(output_format: OutputFormat, value: object, table_text: str) -> None:
    console.write_data(render_json(value) if output_format is OutputFormat.json else table_text)


@pricing_app.command("list", epilog="Example: llmfinops pricing list --provider anthropic --at 2025-06-01")
@handle_errors
def list_prices(
    provider: Annotated[str | None, typer.Option("--provider", help="Only this provider.")] = None,
    at: AtOption = None,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Every priced model with the window in effect on a day (default: today)."""
    moment = at or datetime.now(UTC).replace(tzinfo=None)
    listed = prices_at(_tables(), moment, provider)
    _emit(output_format, listed, render_price_list(listed, moment))


@pricing_app.command(epilog="Example: llmfinops pricing show gpt-4o-2024-08-06")
@handle_errors
def show(
    model: Annotated[str, typer.Argument(help="A model id, alias or dated snapshot as usage writes it.")],
    provider: Annotated[str | None, typer.Option("--provider", help="Only this provider.")] = None,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """All price windows of a model: rates, tiers, long context, aliases and the source of each price."""
    models = find_models(_tables(), model, provider)
    _emit(output_format, models, render_model_prices(models))


@pricing_app.command(epilog="Example: llmfinops pricing check --month 2026-10")
@handle_errors
def check(
    month: Annotated[str | None, typer.Option("--month", help="Only this month, YYYY-MM.")] = None,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Is every usage row priced? Lists unpriced models with request and token counts and why; exit 3 if any."""
    period = parse_month(month) if month else None
    _, database = open_workspace()
    with database:
        result = check_pricing(database, period)
    _emit(output_format, result, render_pricing_check(result))
    if not result.passed:
        exit_with(ExitCode.CHECK_FAILED)


@pricing_app.command(epilog="Example: llmfinops pricing lint reviewed/")
@handle_errors
def lint(
    directory: Annotated[
        Path | None, typer.Argument(help="Price files to check (default: the tables this workspace uses).")
    ] = None,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Catch tables that cannot be right (batch not cheaper, cache read above input, ...); exit 3 on errors."""
    models = load_price_tables([directory]).models if directory else _tables().models
    findings = lint_price_tables(models)
    _emit(output_format, findings, render_lint(findings))
    if any(finding.severity == "error" for finding in findings):
        exit_with(ExitCode.CHECK_FAILED)


@pricing_app.command(epilog="Example: llmfinops pricing diff reviewed/ --at 2026-11-01")
@handle_errors
def diff(
    directory: Annotated[Path, typer.Argument(help="Price files to compare with the tables this workspace uses.")],
    at: AtOption = None,
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Prices that differ, models only in the other tables (added) and only in ours (missing)."""
    if not directory.is_dir():
        raise UsageError(f"{directory}: not a folder of price files.")
    moment = at or datetime.now(UTC).replace(tzinfo=None)
    result = diff_price_tables(_tables().models, load_price_tables([directory]).models, at=moment)
    _emit(output_format, result, render_diff(result))


OutOption = Annotated[Path, typer.Option("--out", help="Folder for the generated price files (one per provider).")]
ProviderOption = Annotated[list[str] | None, typer.Option("--provider", help="Only these providers (repeatable).")]
CapturedOption = Annotated[
    datetime | None, typer.Option("--captured", formats=["%Y-%m-%d"], help="Capture date written (default today).")
]


def _write_import(models: tuple, skipped: tuple, out: Path) -> None:
    written = write_price_files(models, out)
    console.say(f"Wrote {len(models)} models to {len(written)} files in {out}; skipped {len(skipped)} entries.")
    for entry in skipped[:20]:
        console.say(f"  skipped {entry.name}: {entry.reason}")
    console.say("Review them, then `llmfinops pricing lint` and `llmfinops pricing diff` before copying to pricing/.")


def _day(moment: datetime | None) -> date:
    return (moment or datetime.now(UTC)).date()


@import_app.command("litellm", epilog="Example: llmfinops pricing import litellm prices.json --out reviewed/")
@handle_errors
def import_litellm_command(
    path: Annotated[Path, typer.Argument(help="LiteLLM's model_prices_and_context_window.json.")],
    out: OutOption,
    provider: ProviderOption = None,
    effective_from: Annotated[
        datetime | None,
        typer.Option("--effective-from", formats=["%Y-%m-%d"], help="LiteLLM has no dates: windows start here."),
    ] = None,
    captured: CapturedOption = None,
) -> None:
    """LiteLLM's per-token price map (current prices only, no history)."""
    result = import_litellm(
        path, effective_from=_day(effective_from or captured), captured=_day(captured), providers=provider
    )
    _write_import(result.models, result.skipped, out)


@import_app.command("genai-prices", epilog="Example: llmfinops pricing import genai-prices prices/providers --out r/")
@handle_errors
def import_genai_prices_command(
    directory: Annotated[Path, typer.Argument(help="pydantic/genai-prices' providers/ folder of YAML files.")],
    out: OutOption,
    provider: ProviderOption = None,
    effective_from: Annotated[
        datetime | None,
        typer.Option("--effective-from", formats=["%Y-%m-%d"], help="Start of prices that carry no start date."),
    ] = None,
    captured: CapturedOption = None,
) -> None:
    """pydantic's genai-prices (per-million prices with start dates and long-context tiers)."""
    result = import_genai_prices(
        directory,
        captured=_day(captured),
        default_effective_from=_day(effective_from or captured),
        providers=provider,
    )
    _write_import(result.models, result.skipped, out)


@handle_errors
def reprice(
    month: Annotated[str, typer.Option("--month", help="Calendar month, YYYY-MM (UTC).")],
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """Recompute a month's costs with the current price tables, aliases and contracts, and show what changed."""
    period = parse_month(month)
    _, database = open_workspace()
    with database, recorded_run(database, "reprice", {"month": period.label}):
        report = reprice_month(database, period)
    _emit(output_format, report, render_reprice(report))


def register(app: typer.Typer) -> None:
    app.add_typer(pricing_app, name="pricing")
    app.command(epilog="Example: llmfinops reprice --month 2026-10")(reprice)
