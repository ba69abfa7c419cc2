"""Import LiteLLM's `model_prices_and_context_window.json`: current list prices per token, without history.

Every price in the file is a per-token float. It becomes a per-million decimal through the float's shortest
repr (`Decimal(repr(value)) * 1_000_000`), never through float arithmetic. The file has no effective dates,
so every window starts at the caller's `effective_from`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmfinops.errors import InputError
from llmfinops.prices.expand import expand_window
from llmfinops.prices.importers import (
    ImportResult,
    SkippedEntry,
    exact_decimal,
)
from llmfinops.prices.tables import (
    MAX_MULTIPLIER_DECIMALS,
    MAX_RATE_DECIMALS,
    TOKEN_RATE_KEYS,
    UNIT_RATE_KEYS,
    LongContext,
    PricedModel,
    PriceWindow,
    Rates,
    ServiceTier,
)

LITELLM_SOURCE_URL = "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json"

#: LiteLLM provider -> ours; every `vertex_ai-*` provider is ours `vertex_ai` (see `our_provider`).
PROVIDERS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "bedrock": "bedrock",
    "bedrock_converse": "bedrock",
    "gemini": "gemini",
    "azure": "azure",
    "mistral": "mistral",
    "deepseek": "deepseek",
    "vertex_ai": "vertex_ai",
}
DEFAULT_PROVIDERS = frozenset(PROVIDERS.values())

#: Per-token price keys -> our per-million rates.
_TOKEN_PRICES = {
    "input_cost_per_token": "input_per_mtok",
    "cache_read_input_token_cost": "cache_read_per_mtok",
    "cache_creation_input_token_cost": "cache_write_per_mtok",
    "cache_creation_input_token_cost_above_1hr": "cache_write_1h_per_mtok",
    "output_cost_per_token": "output_per_mtok",
    "output_cost_per_reasoning_token": "reasoning_per_mtok",
    "input_cost_per_audio_token": "input_audio_per_mtok",
    "output_cost_per_audio_token": "output_audio_per_mtok",
}
#: Per-unit price keys -> our per-unit rates. Only generated images: our image_count counts images generated,
#: so LiteLLM's input_cost_per_image (images sent in a prompt) has no usage column to price.
_UNIT_PRICES = {
    "output_cost_per_image": "per_image",
    "search_context_cost_per_query": "per_web_search",
}
_TIER_SUFFIXES = {"batches": "batch", "flex": "flex", "priority": "priority"}
_PRICE_KEY = re.compile(
    r"^(?P<component>{components})(?:_above_(?P<thousands>\d+)k_tokens)?(?:_(?P<suffix>batches|flex|priority))?$".format(
        components="|".join(sorted(map(re.escape, {**_TOKEN_PRICES, **_UNIT_PRICES}), key=len, reverse=True))
    )
)
_MILLION = Decimal(1_000_000)

# A price of one (service tier, prompt tokens above) slice of an entry; (None, None) is standard, base context.
_Slice = tuple[str | None, int | None]


class _Unimportable(Exception):
    """The entry cannot be expressed in our format; the message is the reason recorded in `skipped`."""


def our_provider(litellm_provider: str) -> str:
    """Our provider name for a LiteLLM `litellm_provider` (unmapped providers keep their own name)."""
    if litellm_provider.startswith("vertex_ai"):
        return "vertex_ai"
    return PROVIDERS.get(litellm_provider, litellm_provider)


def model_id(key: str, litellm_provider: str, provider: str) -> str:
    """The entry key without a leading `provider/` (LiteLLM's routing prefix), lower-cased."""
    prefix, separator, rest = key.partition("/")
    prefixes = {litellm_provider, provider, litellm_provider.split("-")[0]}
    return (rest if separator and prefix in prefixes else key).lower()


def _per_million(key: str, value: Any) -> Decimal:
    """A LiteLLM per-token float as an exact per-million decimal (through its repr, never float arithmetic)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Unimportable(f"{key}: {value!r} is not a number")
    amount = exact_decimal(Decimal(repr(value)) * _MILLION, MAX_RATE_DECIMALS)
    if amount is None or amount < 0:
        raise _Unimportable(f"{key}: {value!r} per token needs more than {MAX_RATE_DECIMALS} decimals per million")
    return amount


def _per_unit(key: str, value: Any) -> Decimal:
    """A per-unit price; a web-search price by context size is importable only when all sizes cost the same."""
    if isinstance(value, Mapping):
        distinct = {repr(price) for price in value.values()}
        if len(distinct) != 1:
            raise _Unimportable(f"{key}: prices differ by search context size")
        value = next(iter(value.values()))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Unimportable(f"{key}: {value!r} is not a number")
    amount = exact_decimal(Decimal(repr(value)), MAX_RATE_DECIMALS)
    if amount is None or amount < 0:
        raise _Unimportable(f"{key}: {value!r} needs more than {MAX_RATE_DECIMALS} decimals")
    return amount


def _slices(entry: Mapping[str, Any], name: str, notes: list[SkippedEntry]) -> dict[_Slice, dict[str, Decimal]]:
    """The entry's prices by (service tier, long-context threshold); prices we do not model go to `notes`."""
    slices: dict[_Slice, dict[str, Decimal]] = {}
    for key, value in entry.items():
        if "cost" not in key:
            continue
        match = _PRICE_KEY.match(key)
        if match is None:
            if value:  # a zero price of a unit we do not model loses nothing
                notes.append(SkippedEntry(f"{name}: {key}", "price component not modelled"))
            continue
        component = match["component"]
        if component in _TOKEN_PRICES:
            rate_key, amount = _TOKEN_PRICES[component], _per_million(key, value)
        else:
            rate_key, amount = _UNIT_PRICES[component], _per_unit(key, value)
        tier = _TIER_SUFFIXES[match["suffix"]] if match["suffix"] else None
        threshold = int(match["thousands"]) * 1000 if match["thousands"] else None
        slices.setdefault((tier, threshold), {})[rate_key] = amount
    return slices


def _keys_set(rates: Rates) -> set[str]:
    return {key for key in TOKEN_RATE_KEYS if getattr(rates, key) is not None}


def _rows(window: PriceWindow, model: PricedModel) -> dict[tuple[str, str], Rates]:
    return {(row.service_tier, row.context_tier): row.rates for row in expand_window(model, window)}


def _reproduces(
    model: PricedModel, window: PriceWindow, slices: dict[_Slice, dict[str, Decimal]], tier_name: str
) -> bool:
    """Whether every LiteLLM price of the tier (base and long context) is what expand_window computes."""
    rows = _rows(window, model)
    for (tier, threshold), prices in slices.items():
        if tier != tier_name:
            continue
        rates = rows.get((tier_name, "long" if threshold is not None else "base"))
        if rates is None or any(getattr(rates, key) != amount for key, amount in prices.items()):
            return False
    return True


def _tier_candidates(name: str, standard: dict[str, Decimal], prices: dict[str, Decimal]) -> list[ServiceTier]:
    """Ways to write a tier, simplest first: one multiplier; explicit rates; the usual ratio plus exceptions."""
    # A multiplier scales token rates only (Rates.times), so per-unit prices take no part in the ratio.
    token_keys = [key for key in prices if key not in UNIT_RATE_KEYS]
    ratios = [prices[key] / standard[key] for key in token_keys if standard.get(key, 0) > 0]
    candidates = []
    if ratios:
        usual, _ = Counter(ratios).most_common(1)[0]
        multiplier = exact_decimal(usual, MAX_MULTIPLIER_DECIMALS)
        if multiplier is not None:
            expected = {key: standard.get(key, 0) * (1 if key in UNIT_RATE_KEYS else multiplier) for key in prices}
            exceptions = {key: amount for key, amount in prices.items() if expected[key] != amount}
            if not exceptions:
                candidates.append(ServiceTier(name, multiplier, Rates()))
            candidates.append(ServiceTier(name, None, Rates(**prices)))
            candidates.append(ServiceTier(name, multiplier, Rates(**exceptions)))
            return candidates
    return [ServiceTier(name, None, Rates(**prices))]


def _build_model(
    key: str,
    entry: Mapping[str, Any],
    *,
    provider: str,
    identifier: str,
    path: Path,
    effective_from: date,
    captured: date,
    notes: list[SkippedEntry],
) -> PricedModel:
    slices = _slices(entry, key, notes)
    standard = slices.get((None, None), {})
    if "input_per_mtok" not in standard:
        raise _Unimportable(f"no input price per token (mode {entry.get('mode')})")
    thresholds = {threshold for _, threshold in slices if threshold is not None}
    if len(thresholds) > 1:
        raise _Unimportable(f"more than one long-context threshold ({', '.join(map(str, sorted(thresholds)))})")
    long_context = None
    if thresholds:
        threshold = thresholds.pop()
        long_context = LongContext(threshold, Rates(**slices.get((None, threshold), {})))
    source = entry.get("source")
    window = PriceWindow(
        effective_from=datetime(effective_from.year, effective_from.month, effective_from.day),
        effective_to=None,
        rates=Rates(**standard),
        tiers=(),
        long_context=long_context,
        source_url=source if isinstance(source, str) and source.startswith("http") else LITELLM_SOURCE_URL,
        captured=captured,
    )
    model = PricedModel(provider, identifier, (), (), (window,), "USD", path)
    tiers = []
    for tier_name in ("batch", "flex", "priority"):
        tier_prices = slices.get((tier_name, None))
        if tier_prices is None:
            if any(tier == tier_name for tier, _ in slices):
                notes.append(SkippedEntry(f"{key} ({tier_name})", "tier priced above the threshold only"))
            continue
        for candidate in _tier_candidates(tier_name, standard, tier_prices):
            if long_context is not None and _keys_set(candidate.rates) & _keys_set(long_context.rates):
                # Explicit tier rates are final above the threshold too, where LiteLLM prices them differently.
                continue
            trial = replace(window, tiers=(*tiers, candidate))
            if _reproduces(model, trial, slices, tier_name):
                tiers.append(candidate)
                break
        else:
            # Explicit tier rates replace long-context rates too, so a tier whose long-context prices are not
            # its base prices times one multiplier cannot be written in our format.
            notes.append(SkippedEntry(f"{key} ({tier_name})", "tier prices not expressible with long context"))
    return replace(model, windows=(replace(window, tiers=tuple(tiers)),))


def import_litellm(
    path: Path, *, effective_from: date, captured: date, providers: Collection[str] | None = None
) -> ImportResult:
    """LiteLLM's price map as price windows starting at `effective_from`, for our providers (or `providers`)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not a readable LiteLLM price map ({error}).") from error
    if not isinstance(document, dict):
        raise InputError(f"{path}: a LiteLLM price map is a JSON object keyed by model name.")
    wanted = {name.lower() for name in providers} if providers else DEFAULT_PROVIDERS
    models: dict[tuple[str, str], tuple[str, PricedModel]] = {}
    skipped: list[SkippedEntry] = []
    for key, entry in document.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("litellm_provider"), str):
            continue
        provider = our_provider(entry["litellm_provider"])
        if provider not in wanted:
            continue
        identifier = model_id(key, entry["litellm_provider"], provider)
        notes: list[SkippedEntry] = []
        try:
            model = _build_model(
                key,
                entry,
                provider=provider,
                identifier=identifier,
                path=path,
                effective_from=effective_from,
                captured=captured,
                notes=notes,
            )
        except _Unimportable as reason:
            skipped.append(SkippedEntry(key, str(reason)))
            continue
        first = models.get((provider, identifier))
        if first is not None:
            same = first[1].windows == model.windows
            reason = f"same model id as {first[0]}" + (
                " (same prices)" if same else ", other prices: the first is kept"
            )
            skipped.append(SkippedEntry(key, reason))
            continue
        models[(provider, identifier)] = (key, model)
        skipped.extend(notes)
    return ImportResult(models=tuple(model for _, model in models.values()), skipped=tuple(skipped))
