"""Comparing price tables at one moment: rates that differ, rates one side lacks, models on one side only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.prices.diff import ModelRef, PriceChange, diff_price_tables
from llmfinops.prices.importers.litellm import import_litellm
from llmfinops.prices.tables import PricedModel, PriceWindow, Rates, ServiceTier, load_price_tables
from llmfinops.resources import pricing_dir
from tests.prices.test_importers import DAY, LITELLM_REFERENCE


def _model(name: str, *windows: PriceWindow, aliases: tuple[str, ...] = ()) -> PricedModel:
    return PricedModel("openai", name, aliases, (), windows, "USD", Path("openai.yaml"))


def _window(start: datetime, end: datetime | None, input_rate: str, **tiers: ServiceTier) -> PriceWindow:
    return PriceWindow(
        start, end, Rates(input_per_mtok=Decimal(input_rate)), tuple(tiers.values()), None, "https://x.test", None
    )


AT = datetime(2025, 7, 1)


def test_windows_in_effect_at_the_moment_are_compared() -> None:
    ours = [
        _model(
            "o3", _window(datetime(2025, 4, 16), datetime(2025, 6, 10), "10"), _window(datetime(2025, 6, 10), None, "2")
        )
    ]
    theirs = [_model("o3", _window(datetime(2025, 1, 1), None, "2"))]
    result = diff_price_tables(ours, theirs, at=AT)
    assert result.unchanged == (ModelRef("openai", "o3"),)
    assert diff_price_tables(ours, theirs, at=datetime(2025, 5, 1)).changed == (
        PriceChange("openai", "o3", "input_per_mtok", Decimal("10"), Decimal("2")),
    )


def test_a_multiplier_equals_the_explicit_rates_it_stands_for() -> None:
    start = datetime(2025, 1, 1)
    ours = [_model("gpt-5", _window(start, None, "1.25", batch=ServiceTier("batch", Decimal("0.5"), Rates())))]
    explicit = ServiceTier("batch", None, Rates(input_per_mtok=Decimal("0.625")))
    theirs = [_model("gpt-5", _window(start, None, "1.25", batch=explicit))]
    assert diff_price_tables(ours, theirs, at=AT).unchanged == (ModelRef("openai", "gpt-5"),)


def test_rates_on_one_side_only_are_listed_apart() -> None:
    start = datetime(2025, 1, 1)
    ours = [_model("gpt-5", _window(start, None, "1.25"))]
    theirs = [_model("gpt-5", _window(start, None, "1.25", flex=ServiceTier("flex", Decimal("0.5"), Rates())))]
    result = diff_price_tables(ours, theirs, at=AT)
    assert result.changed == ()
    assert result.priced_on_one_side == (PriceChange("openai", "gpt-5", "flex.input_per_mtok", None, Decimal("0.625")),)


def test_models_match_through_aliases_and_the_rest_are_added_or_missing() -> None:
    start = datetime(2025, 1, 1)
    ours = [
        _model("gpt-4o", _window(start, None, "2.5"), aliases=("gpt-4o-2024-08-06",)),
        _model("o1", _window(start, None, "15")),
    ]
    theirs = [_model("gpt-4o-2024-08-06", _window(start, None, "2.5")), _model("o4-mini", _window(start, None, "1.1"))]
    result = diff_price_tables(ours, theirs, at=AT)
    assert result.unchanged == (ModelRef("openai", "gpt-4o"),)
    assert result.added == (ModelRef("openai", "o4-mini"),)
    assert result.missing == (ModelRef("openai", "o1"),)


@pytest.mark.skipif(not LITELLM_REFERENCE.is_file(), reason="shared/reference/pricing is not available")
def test_bundled_tables_against_litellm() -> None:
    imported = import_litellm(LITELLM_REFERENCE, effective_from=date(2020, 1, 1), captured=DAY).models
    result = diff_price_tables(load_price_tables([pricing_dir()]).models, imported, at=datetime(2026, 11, 1))
    assert ModelRef("anthropic", "claude-sonnet-4-5") in result.unchanged
    assert ModelRef("openai", "gpt-5") in result.unchanged
    assert len(result.added) > 300
    # LiteLLM prices Bedrock's in-region Claude at the global price; the bundled file has the 10 % regional premium.
    assert (
        PriceChange(
            "bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0", "input_per_mtok", Decimal("3.30"), Decimal("3")
        )
        in result.changed
    )
