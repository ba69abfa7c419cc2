"""Lint findings on tables that parse but cannot be right, one small table per finding, then the real imports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.prices.importers.genai_prices import import_genai_prices
from llmfinops.prices.importers.litellm import import_litellm
from llmfinops.prices.lint import LintFinding, lint_price_tables
from llmfinops.prices.tables import LongContext, PricedModel, PriceWindow, Rates, ServiceTier, load_price_tables
from llmfinops.resources import pricing_dir
from tests.prices.test_importers import DAY, GENAI_REFERENCE, LITELLM_REFERENCE

FILE = Path("pricing/x.yaml")
START = datetime(2025, 1, 1)
RATES = Rates(
    input_per_mtok=Decimal(3),
    cache_read_per_mtok=Decimal("0.3"),
    cache_write_per_mtok=Decimal("3.75"),
    output_per_mtok=Decimal(15),
)


def _window(rates: Rates = RATES, **changes: object) -> PriceWindow:
    fields: dict[str, object] = {
        "effective_from": START,
        "effective_to": None,
        "rates": rates,
        "tiers": (),
        "long_context": None,
        "source_url": "https://x.test",
        "captured": date(2026, 1, 1),
        "line": 7,
    }
    fields.update(changes)
    return PriceWindow(**fields)  # type: ignore[arg-type]


def _lint(*windows: PriceWindow) -> list[tuple[str, str]]:
    model = PricedModel("anthropic", "m", (), (), windows, "USD", FILE, line=3)
    return [(finding.severity, finding.message) for finding in lint_price_tables([model])]


def test_a_consistent_table_has_no_findings() -> None:
    batch = ServiceTier("batch", Decimal("0.5"), Rates())
    assert _lint(_window(tiers=(batch,), long_context=LongContext(200000, Rates(input_per_mtok=Decimal(6))))) == []


def test_findings_name_file_line_provider_and_model() -> None:
    model = PricedModel(
        "anthropic",
        "m",
        (),
        (),
        (_window(Rates(input_per_mtok=Decimal(1), cache_read_per_mtok=Decimal(2))),),
        "USD",
        FILE,
        line=3,
    )
    assert lint_price_tables([model]) == [
        LintFinding(FILE, 7, "anthropic", "m", "error", "window 2025-01-01: cache read 2 above input 1")
    ]


def test_batch_tier_above_standard() -> None:
    dearer = ServiceTier("batch", None, Rates(output_per_mtok=Decimal(16)))
    assert _lint(_window(tiers=(dearer,))) == [("error", "window 2025-01-01 batch: output_per_mtok above standard")]


def test_flex_tier_that_discounts_nothing() -> None:
    same = ServiceTier("flex", Decimal(1), Rates())
    assert _lint(_window(tiers=(same,))) == [("error", "window 2025-01-01 flex: no rate below standard")]


def test_batch_tier_that_leaves_some_rates_undiscounted_is_a_warning() -> None:
    partial = ServiceTier("batch", Decimal("0.5"), Rates(cache_read_per_mtok=Decimal("0.3")))
    assert _lint(_window(tiers=(partial,))) == [
        ("warning", "window 2025-01-01 batch: cache_read_per_mtok not discounted")
    ]


def test_priority_tier_below_standard() -> None:
    cheaper = ServiceTier("priority", Decimal("0.9"), Rates())
    assert _lint(_window(tiers=(cheaper,)))[0] == (
        "error",
        "window 2025-01-01 priority: input_per_mtok, cache_read_per_mtok, cache_write_per_mtok, output_per_mtok "
        "below standard",
    )


def test_cache_write_below_cache_read() -> None:
    rates = Rates(input_per_mtok=Decimal(3), cache_read_per_mtok=Decimal("0.3"), cache_write_per_mtok=Decimal("0.2"))
    assert _lint(_window(rates)) == [("error", "window 2025-01-01: cache write 0.2 below cache read 0.3")]


def test_one_hour_cache_write_below_five_minute_write() -> None:
    rates = Rates(input_per_mtok=Decimal(3), cache_write_per_mtok=Decimal("3.75"), cache_write_1h_per_mtok=Decimal(3))
    assert _lint(_window(rates)) == [("error", "window 2025-01-01: 1-hour cache write 3 below the 5-minute write 3.75")]


def test_long_context_below_base() -> None:
    long_context = LongContext(200000, Rates(output_per_mtok=Decimal(10)))
    assert _lint(_window(long_context=long_context)) == [
        ("error", "window 2025-01-01 long context: output_per_mtok below the base-context rate")
    ]


def test_reasoning_rates() -> None:
    without_output = Rates(input_per_mtok=Decimal(1), reasoning_per_mtok=Decimal(4))
    assert _lint(_window(without_output)) == [("error", "window 2025-01-01: a reasoning rate without an output rate")]
    below_output = Rates(input_per_mtok=Decimal(1), output_per_mtok=Decimal(4), reasoning_per_mtok=Decimal(2))
    assert _lint(_window(below_output)) == [
        ("warning", "window 2025-01-01: reasoning 2 below output 4, which it is part of")
    ]


def test_effective_from_after_captured() -> None:
    assert _lint(_window(captured=date(2024, 12, 1))) == [
        ("warning", "window 2025-01-01: starts after it was captured (2024-12-01)")
    ]


def test_gap_between_windows() -> None:
    first = _window(effective_to=datetime(2025, 3, 1))
    second = _window(effective_from=datetime(2025, 4, 1), line=12)
    assert _lint(first, second) == [("warning", "no price from 2025-03-01 to 2025-04-01")]


def test_the_bundled_tables_have_no_errors() -> None:
    findings = lint_price_tables(load_price_tables([pricing_dir()]).models)
    assert [finding for finding in findings if finding.severity == "error"] == []


@pytest.mark.skipif(not LITELLM_REFERENCE.is_file(), reason="shared/reference/pricing is not available")
def test_lint_on_litellm_finds_only_explained_errors() -> None:
    findings = lint_price_tables(import_litellm(LITELLM_REFERENCE, effective_from=DAY, captured=DAY).models)
    errors = {
        (finding.model, finding.message.split(": ", 1)[1].split(" below")[0].split(" ")[0])
        for finding in findings
        if finding.severity == "error"
    }
    # In this copy: DeepSeek entries write cache_creation_input_token_cost 0 (DeepSeek bills no cache writes) under
    # a non-zero cache read; Vertex gemini-3(.1)-pro-preview has a cache write price only above 200k, below that
    # context's cache read; gpt-3.5-turbo-1106's *_batches prices equal its standard prices. Each is for review.
    assert {model for model, _ in errors} == {
        "deepseek-v3",
        "deepseek-flash",
        "deepseek-v4-flash",
        "deepseek-v4-flash-vision-exp",
        "deepseek-v4-pro",
        "gemini-3-pro-preview",
        "gemini-3.1-pro-preview",
        "gemini-3.1-pro-preview-customtools",
        "gpt-3.5-turbo-1106",
    }
    assert {kind for _, kind in errors} == {"cache", "no"}
    assert all(finding.file == LITELLM_REFERENCE for finding in findings)


@pytest.mark.skipif(not GENAI_REFERENCE.is_dir(), reason="shared/reference/pricing is not available")
def test_lint_on_genai_prices_has_no_errors() -> None:
    models = import_genai_prices(GENAI_REFERENCE, captured=DAY, default_effective_from=date(2023, 1, 1)).models
    findings = lint_price_tables(models)
    assert [finding for finding in findings if finding.severity == "error"] == []
    # The two warnings are prices announced ahead (a start date after the capture date).
    assert {finding.message.split(": ")[1].split(" (")[0] for finding in findings if "captured" in finding.message} == {
        "starts after it was captured"
    }
