"""Importers of LiteLLM's and genai-prices' tables: small excerpts in their real formats, then the real files."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.prices.importers import ImportResult
from llmfinops.prices.importers.genai_prices import import_genai_prices
from llmfinops.prices.importers.litellm import LITELLM_SOURCE_URL, import_litellm
from llmfinops.prices.tables import LongContext, PricedModel, Rates, ServiceTier

CASES = Path(__file__).resolve().parent / "cases"
REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "pricing"
LITELLM_REFERENCE = REFERENCE / "litellm" / "model_prices_and_context_window_backup.json"
GENAI_REFERENCE = REFERENCE / "genai-prices" / "providers"
DAY = date(2026, 11, 23)


def _litellm(providers: list[str] | None = None) -> ImportResult:
    path = CASES / "litellm" / "model_prices_excerpt.json"
    return import_litellm(path, effective_from=DAY, captured=DAY, providers=providers)


def _genai(providers: list[str] | None = None) -> ImportResult:
    return import_genai_prices(
        CASES / "genai_prices", captured=DAY, default_effective_from=date(2024, 1, 1), providers=providers
    )


def _model(result: ImportResult, provider: str, model_id: str) -> PricedModel:
    return next(model for model in result.models if (model.provider, model.model) == (provider, model_id))


def _reasons(result: ImportResult) -> dict[str, str]:
    return {entry.name: entry.reason for entry in result.skipped}


def test_litellm_per_token_floats_become_exact_per_million_decimals() -> None:
    window = _model(_litellm(), "openai", "gpt-5").windows[0]
    assert window.rates.input_per_mtok == Decimal("1.25")
    assert str(window.rates.cache_read_per_mtok) == "0.125"
    assert window.rates.output_per_mtok == Decimal("10")
    assert window.rates.per_web_search == Decimal("0.01")  # the same price at every search context size
    assert (window.effective_from, window.effective_to, window.captured) == (datetime(2026, 11, 23), None, DAY)
    assert window.source_url == "https://developers.openai.com/api/docs/pricing"


def test_litellm_tiers_at_one_ratio_become_multipliers() -> None:
    window = _model(_litellm(), "openai", "gpt-5").windows[0]
    assert window.tiers == (
        ServiceTier("batch", Decimal("0.5"), Rates()),
        ServiceTier("priority", Decimal("2"), Rates()),
    )


def test_litellm_tier_at_different_ratios_is_written_as_explicit_rates() -> None:
    # LiteLLM gives o3-mini no batch cache-read price: the discounted components are explicit, cache read is not.
    window = _model(_litellm(), "azure", "o3-mini").windows[0]
    assert window.tiers == (ServiceTier("batch", Decimal("0.5"), Rates()),)
    assert window.rates.reasoning_per_mtok == Decimal("4.4")


def test_litellm_long_context_and_tiers_that_reproduce_it() -> None:
    window = _model(_litellm(), "gemini", "gemini-2.5-pro").windows[0]
    assert window.long_context == LongContext(
        200000, Rates(input_per_mtok=Decimal("2.5"), cache_read_per_mtok=Decimal("0.25"), output_per_mtok=Decimal(15))
    )
    assert window.tiers == (ServiceTier("priority", Decimal("1.8"), Rates()),)
    reasons = _reasons(_litellm())
    # Batch leaves cache reads undiscounted below 200k but halves them above: no one tier can say both.
    assert reasons["gemini/gemini-2.5-pro (batch)"] == "tier prices not expressible with long context"
    assert reasons["gemini/gemini-2.5-pro: google_maps_grounding_cost_per_query"] == "price component not modelled"


def test_litellm_one_hour_cache_write_and_provider_prefix() -> None:
    result = _litellm()
    sonnet = _model(result, "anthropic", "claude-sonnet-4-5").windows[0]
    assert sonnet.rates.cache_write_1h_per_mtok == Decimal("6")
    assert sonnet.source_url == LITELLM_SOURCE_URL
    assert _model(result, "deepseek", "deepseek-chat").windows[0].rates.input_per_mtok == Decimal("0.28")


def test_litellm_skips_what_it_cannot_express_with_the_reason() -> None:
    reasons = _reasons(_litellm())
    assert reasons["dall-e-3"] == "no input price per token (mode image_generation)"
    assert reasons["tiny-price-model"] == (
        "input_cost_per_token: 1.234e-13 per token needs more than 6 decimals per million"
    )
    assert reasons["deepseek-chat"] == "same model id as deepseek/deepseek-chat, other prices: the first is kept"
    assert "command-r" not in reasons  # not one of our providers: not imported, not reported


def test_litellm_other_providers_only_when_asked() -> None:
    assert [model.model for model in _litellm(["cohere_chat"]).models] == ["command-r"]
    assert {model.provider for model in _litellm().models} == {"openai", "gemini", "anthropic", "azure", "deepseek"}


def test_genai_prices_history_becomes_windows_that_end_where_the_next_starts() -> None:
    o3 = _model(_genai(), "openai", "o3")
    assert [(window.effective_from, window.effective_to) for window in o3.windows] == [
        (datetime(2024, 1, 1), datetime(2025, 6, 10)),
        (datetime(2025, 6, 10), None),
    ]
    assert [window.rates.input_per_mtok for window in o3.windows] == [Decimal(10), Decimal(2)]
    assert o3.aliases == ("o3-2025-04-16",)
    assert o3.windows[0].source_url == "https://platform.openai.com/docs/pricing"


def test_genai_prices_undated_price_superseded_before_the_default_start_is_left_out() -> None:
    result = import_genai_prices(CASES / "genai_prices", captured=DAY, default_effective_from=DAY)
    o3 = _model(result, "openai", "o3")
    assert [(window.effective_from, window.effective_to) for window in o3.windows] == [(datetime(2025, 6, 10), None)]
    assert _reasons(result)["openai/o3@2026-11-23"] == "superseded on 2025-06-10, before the window would start"


def test_genai_prices_tiered_prices_become_a_long_context_tier() -> None:
    window = _model(_genai(), "anthropic", "claude-sonnet-4-5").windows[0]
    assert window.rates == Rates(
        input_per_mtok=Decimal(3),
        cache_read_per_mtok=Decimal("0.3"),
        cache_write_per_mtok=Decimal("3.75"),
        cache_write_1h_per_mtok=Decimal(6),
        output_per_mtok=Decimal(15),
    )
    assert window.long_context == LongContext(
        200000,
        Rates(
            input_per_mtok=Decimal(6),
            cache_read_per_mtok=Decimal("0.6"),
            cache_write_per_mtok=Decimal("7.5"),
            output_per_mtok=Decimal("22.5"),
        ),
    )


def test_genai_prices_match_rules_become_aliases_and_patterns() -> None:
    result = _genai()
    assert _model(result, "anthropic", "claude-sonnet-4-5").patterns == ("claude-sonnet-4-5*", "claude-sonnet-4.5*")
    search = _model(result, "openai", "gpt-4o-search")
    assert search.patterns == ("gpt-4o-search*",)
    assert search.windows[0].rates.per_web_search == Decimal("0.025")  # 25 per thousand searches
    reasons = _reasons(result)
    assert reasons["openai/gpt-4o-search: regex"] == "match rule not expressible as a name or glob"
    assert reasons["openai/gpt-4o-search: input_image_mtok"] == "price component not modelled"


def test_genai_prices_provider_mapping() -> None:
    result = _genai()
    assert _model(result, "vertex_ai", "claude-3-5-haiku").patterns == ("*claude-3-5-haiku*",)
    assert _model(result, "gemini", "gemini-2.0-flash").windows[0].rates.cache_read_per_mtok == Decimal("0.025")
    assert "groq" not in {model.provider for model in result.models}
    assert [model.model for model in _genai(["groq"]).models] == ["llama-3.1-8b-instant"]


def test_genai_prices_time_of_day_prices_are_skipped() -> None:
    result = _genai()
    assert not [model for model in result.models if model.provider == "deepseek"]
    assert _reasons(result)["deepseek/deepseek-chat"] == "time-of-day prices"


@pytest.mark.skipif(not LITELLM_REFERENCE.is_file(), reason="shared/reference/pricing is not available")
def test_the_real_litellm_file_yields_our_providers_models() -> None:
    result = import_litellm(LITELLM_REFERENCE, effective_from=DAY, captured=DAY)
    per_provider = Counter(model.provider for model in result.models)
    assert sum(per_provider.values()) >= 300
    assert set(per_provider) == {
        "openai",
        "anthropic",
        "bedrock",
        "vertex_ai",
        "gemini",
        "azure",
        "mistral",
        "deepseek",
    }
    assert all(entry.reason for entry in result.skipped)


@pytest.mark.skipif(not GENAI_REFERENCE.is_dir(), reason="shared/reference/pricing is not available")
def test_the_real_genai_prices_files_keep_o3s_price_cut() -> None:
    result = import_genai_prices(GENAI_REFERENCE, captured=DAY, default_effective_from=date(2025, 4, 16))
    o3 = _model(result, "openai", "o3")
    assert [(window.effective_from, window.rates.input_per_mtok) for window in o3.windows] == [
        (datetime(2025, 4, 16), Decimal(10)),
        (datetime(2025, 6, 10), Decimal(2)),
    ]
    assert o3.windows[0].effective_to == datetime(2025, 6, 10)
