"""Find price tables that cannot be right: discounts that cost more, cache reads above input, gaps in history.

The parser already refuses what is malformed (missing source_url, overlapping windows, bad decimals); this module
looks at values that parse but contradict how providers price. Errors are contradictions; warnings need a look.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from llmfinops.prices.expand import expand_window
from llmfinops.prices.tables import TOKEN_RATE_KEYS, PricedModel, PriceWindow, Rates

Severity = Literal["error", "warning"]
_DISCOUNT_TIERS = ("batch", "flex")


@dataclass(frozen=True)
class LintFinding:
    file: Path
    line: int
    provider: str
    model: str
    severity: Severity
    message: str


def _keys(rates: Rates, other: Rates, holds: Callable[[Decimal, Decimal], bool]) -> list[str]:
    """Token rates set on both sides for which `holds(rate, other rate)`."""
    return [
        key
        for key in TOKEN_RATE_KEYS
        if getattr(rates, key) is not None
        and getattr(other, key) is not None
        and holds(getattr(rates, key), getattr(other, key))
    ]


def _within(rates: Rates, where: str) -> list[tuple[Severity, str]]:
    """Contradictions between the rates of one (service tier, context) row."""
    problems: list[tuple[Severity, str]] = []
    uncached, read, write = rates.input_per_mtok, rates.cache_read_per_mtok, rates.cache_write_per_mtok
    write_1h, output, reasoning = rates.cache_write_1h_per_mtok, rates.output_per_mtok, rates.reasoning_per_mtok
    if read is not None and uncached is not None and read > uncached:
        problems.append(("error", f"{where}: cache read {read} above input {uncached}"))
    if write is not None and read is not None and write < read:
        problems.append(("error", f"{where}: cache write {write} below cache read {read}"))
    if write_1h is not None and write is not None and write_1h < write:
        problems.append(("error", f"{where}: 1-hour cache write {write_1h} below the 5-minute write {write}"))
    if reasoning is not None and output is None:
        # Reasoning tokens are part of output: the other output tokens would have no price.
        problems.append(("error", f"{where}: a reasoning rate without an output rate"))
    if reasoning is not None and output is not None and reasoning < output:
        problems.append(("warning", f"{where}: reasoning {reasoning} below output {output}, which it is part of"))
    if output is not None and uncached is not None and output < uncached:
        problems.append(("warning", f"{where}: output {output} below input {uncached}"))
    return problems


def _window_problems(model: PricedModel, window: PriceWindow) -> list[tuple[Severity, str]]:
    rows = {(row.service_tier, row.context_tier): row.rates for row in expand_window(model, window)}
    stamp = f"{window.effective_from:%Y-%m-%d}"
    problems: list[tuple[Severity, str]] = []
    for (tier, context), rates in rows.items():
        where = f"window {stamp}" + ("" if tier == "standard" else f" {tier}")
        where += " long context" if context == "long" else ""
        problems.extend(_within(rates, where))
        standard = rows[("standard", context)]
        if tier in _DISCOUNT_TIERS:
            dearer = _keys(rates, standard, operator.gt)
            undiscounted = _keys(rates, standard, lambda rate, base: rate == base and base > 0)
            if dearer:
                problems.append(("error", f"{where}: {', '.join(dearer)} above standard"))
            elif undiscounted and not _keys(rates, standard, operator.lt):
                problems.append(("error", f"{where}: no rate below standard"))
            elif undiscounted:
                problems.append(("warning", f"{where}: {', '.join(undiscounted)} not discounted"))
        elif tier == "priority" and (cheaper := _keys(rates, standard, operator.lt)):
            problems.append(("error", f"{where}: {', '.join(cheaper)} below standard"))
        if context == "long" and (cheaper_long := _keys(rates, rows[(tier, "base")], operator.lt)):
            problems.append(("error", f"{where}: {', '.join(cheaper_long)} below the base-context rate"))
    if window.captured is not None and window.effective_from.date() > window.captured:
        # Providers announce price changes ahead, so a later start can be right; it needs a look, not a refusal.
        problems.append(("warning", f"window {stamp}: starts after it was captured ({window.captured})"))
    return problems


def _finding(model: PricedModel, line: int, severity: Severity, message: str) -> LintFinding:
    return LintFinding(model.price_file, line or model.line, model.provider, model.model, severity, message)


def lint_price_tables(models: Sequence[PricedModel]) -> list[LintFinding]:
    """Every finding, in the order of the models and their windows."""
    findings: list[LintFinding] = []
    for model in models:
        ordered = sorted(model.windows, key=lambda window: window.effective_from)
        for window in ordered:
            for severity, message in _window_problems(model, window):
                findings.append(_finding(model, window.line, severity, message))
        for earlier, later in itertools.pairwise(ordered):
            if earlier.effective_to is not None and earlier.effective_to < later.effective_from:
                gap = f"no price from {earlier.effective_to:%Y-%m-%d} to {later.effective_from:%Y-%m-%d}"
                findings.append(_finding(model, later.line, "warning", gap))
    return findings
