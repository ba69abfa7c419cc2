"""Turn price windows into rate rows: one per service tier and context tier, with tier rates and multipliers
already applied, so pricing in SQL is a lookup and never recombines rates per row."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from llmfinops.prices.tables import PricedModel, PriceWindow, Rates


@dataclass(frozen=True)
class RateRow:
    window_id: str
    service_tier: str
    context_tier: str  # 'base' | 'long'
    min_prompt_tokens: int
    rates: Rates


def window_id(model: PricedModel, window: PriceWindow) -> str:
    """A stable, readable id of a price entry: provider/model@effective_from."""
    moment = window.effective_from
    stamp = f"{moment:%Y-%m-%d}" if moment.time() == moment.min.time() else f"{moment:%Y-%m-%dT%H:%M:%S}"
    return f"{model.provider}/{model.model}@{stamp}"


def expand_window(model: PricedModel, window: PriceWindow) -> Iterator[RateRow]:
    """The standard tier and each service tier, at base rates and (when the window has one) at long-context rates.

    Order of application: long-context rates over the base; then a tier's multiplier on every token rate; then the
    tier's explicit rates, which are final.
    """
    identifier = window_id(model, window)
    contexts = [("base", 0, window.rates)]
    if window.long_context is not None:
        long_rates = window.rates.overridden_by(window.long_context.rates)
        contexts.append(("long", window.long_context.above_prompt_tokens + 1, long_rates))
    for context_tier, min_prompt_tokens, rates in contexts:
        yield RateRow(identifier, "standard", context_tier, min_prompt_tokens, rates)
        for tier in window.tiers:
            tier_rates = rates.times(tier.multiplier) if tier.multiplier is not None else rates
            yield RateRow(identifier, tier.name, context_tier, min_prompt_tokens, tier_rates.overridden_by(tier.rates))
