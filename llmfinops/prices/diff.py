"""Compare two sets of price tables at one moment: prices that differ, models only on one side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from llmfinops.prices.expand import expand_window
from llmfinops.prices.tables import RATE_KEYS, UNIT_RATE_KEYS, PricedModel, PriceWindow


@dataclass(frozen=True)
class ModelRef:
    provider: str
    model: str


@dataclass(frozen=True)
class PriceChange:
    """One rate that differs; component is e.g. `input_per_mtok`, `batch.output_per_mtok` or
    `long_context.cache_read_per_mtok`. None = that side has no such price."""

    provider: str
    model: str
    component: str
    ours: Decimal | None
    theirs: Decimal | None


@dataclass(frozen=True)
class PriceDiff:
    changed: tuple[PriceChange, ...]  # priced on both sides, differently
    priced_on_one_side: tuple[PriceChange, ...]  # a rate (or a whole tier) only one side has
    added: tuple[ModelRef, ...]  # in theirs only
    missing: tuple[ModelRef, ...]  # in ours only
    unchanged: tuple[ModelRef, ...]  # matched, and no rate priced on both sides differs


def _effective_rates(model: PricedModel, window: PriceWindow) -> dict[str, Decimal]:
    """Every rate a request can be charged, tiers and long context applied, so that a multiplier and the explicit
    rates it stands for compare equal."""
    rates: dict[str, Decimal] = {}
    for row in expand_window(model, window):
        prefix = "".join(
            [
                "" if row.service_tier == "standard" else f"{row.service_tier}.",
                "long_context." if row.context_tier == "long" else "",
            ]
        )
        for key in RATE_KEYS:
            value = getattr(row.rates, key)
            # Per-unit prices do not change with tier or context (Rates.times keeps them): list them once.
            if value is not None and not (prefix and key in UNIT_RATE_KEYS and value == getattr(window.rates, key)):
                rates[prefix + key] = value
    if window.long_context is not None:
        rates["long_context.above_prompt_tokens"] = Decimal(window.long_context.above_prompt_tokens)
    return rates


def diff_price_tables(ours: Sequence[PricedModel], theirs: Sequence[PricedModel], *, at: datetime) -> PriceDiff:
    """The windows in effect at `at`, per (provider, model); a model matches by id first, then by any alias."""
    current_ours = [(model, window) for model in ours if (window := model.window_at(at)) is not None]
    by_id = {(model.provider, model.model): index for index, (model, _) in enumerate(current_ours)}
    by_name: dict[tuple[str, str], int] = {}
    for index, (model, _) in enumerate(current_ours):
        for name in (model.model, *model.aliases):
            by_name.setdefault((model.provider, name), index)
    matched: set[int] = set()
    changed: list[PriceChange] = []
    priced_on_one_side: list[PriceChange] = []
    added: list[ModelRef] = []
    unchanged: list[ModelRef] = []
    for model in theirs:
        window = model.window_at(at)
        if window is None:
            continue
        index = by_id.get((model.provider, model.model))
        if index is None:
            names = (model.model, *model.aliases)
            index = next((by_name[(model.provider, name)] for name in names if (model.provider, name) in by_name), None)
        if index is None or index in matched:
            added.append(ModelRef(model.provider, model.model))
            continue
        matched.add(index)
        our_model, our_window = current_ours[index]
        our_rates, their_rates = _effective_rates(our_model, our_window), _effective_rates(model, window)
        differences = [
            PriceChange(
                our_model.provider, our_model.model, component, our_rates.get(component), their_rates.get(component)
            )
            for component in sorted(our_rates.keys() | their_rates.keys())
            if our_rates.get(component) != their_rates.get(component)
        ]
        both_priced = [change for change in differences if change.ours is not None and change.theirs is not None]
        changed.extend(both_priced)
        priced_on_one_side.extend(change for change in differences if change not in both_priced)
        if not both_priced:
            unchanged.append(ModelRef(our_model.provider, our_model.model))
    missing = [
        ModelRef(model.provider, model.model) for index, (model, _) in enumerate(current_ours) if index not in matched
    ]
    return PriceDiff(tuple(changed), tuple(priced_on_one_side), tuple(added), tuple(missing), tuple(unchanged))
