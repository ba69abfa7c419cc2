"""Terminal tables for the pricing commands: price lists, one model's windows, the pricing check, a reprice."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from rich.table import Table

from llmfinops.prices.apply import RepriceReport
from llmfinops.prices.catalog import ListedPrice, PricingCheck
from llmfinops.prices.diff import PriceDiff
from llmfinops.prices.lint import LintFinding
from llmfinops.prices.tables import RATE_KEYS, PricedModel, PriceWindow, Rates
from llmfinops.render.table import format_money, render_tables

_RATE_LABELS = {
    "input_per_mtok": "input",
    "cache_read_per_mtok": "cache read",
    "cache_write_per_mtok": "cache write 5m",
    "cache_write_1h_per_mtok": "cache write 1h",
    "output_per_mtok": "output",
    "reasoning_per_mtok": "reasoning",
    "input_audio_per_mtok": "audio in",
    "output_audio_per_mtok": "audio out",
    "per_request": "per request",
    "per_image": "per image",
    "per_web_search": "per web search",
}


def _price(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def _tiers(window: PriceWindow) -> str:
    described = []
    for tier in window.tiers:
        parts = [f"x{_price(tier.multiplier)}"] if tier.multiplier is not None else []
        parts += [
            f"{_RATE_LABELS[key]} {_price(getattr(tier.rates, key))}"
            for key in RATE_KEYS
            if getattr(tier.rates, key) is not None
        ]
        described.append(f"{tier.name} {', '.join(parts)}")
    if window.long_context is not None:
        described.append(
            f">{window.long_context.above_prompt_tokens:,} prompt tokens: "
            + ", ".join(_rate_list(window.long_context.rates))
        )
    return "; ".join(described)


def _rate_list(rates: Rates) -> list[str]:
    return [
        f"{_RATE_LABELS[key]} {_price(getattr(rates, key))}" for key in RATE_KEYS if getattr(rates, key) is not None
    ]


def render_price_list(listed: list[ListedPrice], at: datetime) -> str:
    table = Table(title=f"Prices in effect at {at:%Y-%m-%d} (USD per million tokens)", title_justify="left")
    for header in ("Provider", "Model", "Since", "Input", "Cache read", "Cache write", "Output", "Tiers"):
        table.add_column(
            header, justify="right" if header in ("Input", "Cache read", "Cache write", "Output") else "left"
        )
    for item in listed:
        rates = item.window.rates
        table.add_row(
            item.provider,
            item.model,
            f"{item.window.effective_from:%Y-%m-%d}",
            _price(rates.input_per_mtok),
            _price(rates.cache_read_per_mtok),
            _price(rates.cache_write_per_mtok),
            _price(rates.output_per_mtok),
            _tiers(item.window),
        )
    return render_tables(table, notes=[f"{len(listed)} models."], width=160)


def render_model_prices(models: list[PricedModel]) -> str:
    notes = []
    tables = []
    for model in models:
        table = Table(title=f"{model.provider}/{model.model}", title_justify="left")
        for header in ("From", "To", "Rates (USD per million tokens or per unit)", "Tiers and long context", "Source"):
            table.add_column(header)
        for window in model.windows:
            table.add_row(
                f"{window.effective_from:%Y-%m-%d}",
                "" if window.effective_to is None else f"{window.effective_to:%Y-%m-%d}",
                ", ".join(_rate_list(window.rates)),
                _tiers(window),
                window.source_url,
            )
        tables.append(table)
        notes.append(
            f"{model.provider}/{model.model}: file {model.price_file.name}; "
            f"aliases: {', '.join(model.aliases) or '-'}; patterns: {', '.join(model.patterns) or '-'}"
        )
    return render_tables(*tables, notes=notes, width=160)


def render_pricing_check(check: PricingCheck) -> str:
    lines = []
    if check.unpriced:
        table = Table(title="Unpriced usage (not costed; never counted as $0)", title_justify="left")
        for header in ("Month", "Provider", "Model", "Requests", "Tokens", "Why"):
            table.add_column(header, justify="right" if header in ("Requests", "Tokens") else "left")
        for item in check.unpriced:
            table.add_row(item.month, item.provider, item.model, f"{item.requests:,}", f"{item.tokens:,}", item.reason)
        lines.append(
            "Add the missing prices in the workspace's pricing/ folder, then run `llmfinops reprice --month M`."
        )
        tables = [table]
    else:
        tables = []
        lines.append("Every usage row is priced.")
    lines += [
        f"{stale.month}: {stale.rows:,} rows were priced with older tables, aliases or contracts; "
        f"run `llmfinops reprice --month {stale.month}` to update them."
        for stale in check.stale
    ]
    return render_tables(*tables, notes=lines, width=160)


def render_reprice(report: RepriceReport) -> str:
    table = Table(title=f"Repriced {report.month}: {report.rows:,} rows", title_justify="left")
    for header in ("Provider", "Model", "Requests", "Before", "After", "Change", "Unpriced before", "Unpriced after"):
        table.add_column(header, justify="left" if header in ("Provider", "Model") else "right")
    for model in report.models:
        before = model.estimated_before or Decimal(0)
        after = model.estimated_after or Decimal(0)
        table.add_row(
            model.provider,
            model.model,
            f"{model.requests:,}",
            format_money(model.estimated_before),
            format_money(model.estimated_after),
            format_money(after - before),
            f"{model.unpriced_before:,}",
            f"{model.unpriced_after:,}",
        )
    change = report.total_after - report.total_before
    notes = [
        f"Estimated total {format_money(report.total_before)} -> {format_money(report.total_after)} "
        f"({format_money(change)})."
        if report.models
        else "Nothing changed."
    ]
    return render_tables(*([table] if report.models else []), notes=notes, width=140)


def render_lint(findings: list[LintFinding]) -> str:
    if not findings:
        return "No findings: the tables pass every check.\n"
    table = Table(title="Price table findings", title_justify="left")
    for header in ("Severity", "Where", "Model", "Finding"):
        table.add_column(header)
    for finding in findings:
        table.add_row(
            finding.severity,
            f"{finding.file.name}:{finding.line}",
            f"{finding.provider}/{finding.model}",
            finding.message,
        )
    errors = sum(finding.severity == "error" for finding in findings)
    return render_tables(table, notes=[f"{errors} errors, {len(findings) - errors} warnings."], width=160)


def render_diff(diff: PriceDiff) -> str:
    tables = []
    if diff.changed or diff.priced_on_one_side:
        table = Table(title="Prices that differ (USD per million tokens or per unit)", title_justify="left")
        for header in ("Provider", "Model", "Component", "Ours", "Theirs"):
            table.add_column(header, justify="right" if header in ("Ours", "Theirs") else "left")
        for change in (*diff.changed, *diff.priced_on_one_side):
            table.add_row(change.provider, change.model, change.component, _price(change.ours), _price(change.theirs))
        tables.append(table)
    notes = [
        f"{len(diff.unchanged)} models the same, {len(diff.changed)} prices changed, "
        f"{len(diff.priced_on_one_side)} priced on one side only.",
        f"Only in theirs ({len(diff.added)}): "
        + ", ".join(f"{m.provider}/{m.model}" for m in diff.added[:40])
        + (" ..." if len(diff.added) > 40 else ""),
        f"Only in ours ({len(diff.missing)}): "
        + ", ".join(f"{m.provider}/{m.model}" for m in diff.missing[:40])
        + (" ..." if len(diff.missing) > 40 else ""),
    ]
    return render_tables(*tables, notes=notes, width=160)
