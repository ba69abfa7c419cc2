"""Import pydantic genai-prices provider files (`prices/providers/*.yml`): per-million prices with history.

Provider mapping (from the files' own descriptions): `openai`, `anthropic`, `azure`, `mistral`, `deepseek` keep
their ids; `aws` is AWS Bedrock -> `bedrock`; `google` lists the Gemini API prices (its first pricing URL is
ai.google.dev) -> `gemini`, except its Claude models, which Google sells only through Vertex AI -> `vertex_ai`.
Other providers keep their own id and are imported only when asked for.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from llmfinops.errors import InputError
from llmfinops.prices.importers import ImportResult, SkippedEntry, exact_decimal
from llmfinops.prices.tables import MAX_RATE_DECIMALS, LongContext, PricedModel, PriceWindow, Rates

PROVIDERS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "aws": "bedrock",
    "azure": "azure",
    "google": "gemini",
    "mistral": "mistral",
    "deepseek": "deepseek",
}
DEFAULT_PROVIDERS = frozenset({*PROVIDERS.values(), "vertex_ai"})
GENAI_PRICES_URL = "https://github.com/pydantic/genai-prices/blob/main/prices/providers/{file}"

#: Their price key -> (our rate key, how many units their price covers; from their units.yml `per`).
_PRICE_KEYS = {
    "input_mtok": ("input_per_mtok", 1),
    "cache_read_mtok": ("cache_read_per_mtok", 1),
    "cache_write_mtok": ("cache_write_per_mtok", 1),
    "cache_write_5m_mtok": ("cache_write_per_mtok", 1),
    "cache_write_1h_mtok": ("cache_write_1h_per_mtok", 1),
    "output_mtok": ("output_per_mtok", 1),
    "output_reasoning_mtok": ("reasoning_per_mtok", 1),
    "input_audio_mtok": ("input_audio_per_mtok", 1),
    "output_audio_mtok": ("output_audio_per_mtok", 1),
    "requests_kcount": ("per_request", 1000),
    "web_searches_kcount": ("per_web_search", 1000),
}
_GLOB_CHARACTERS = frozenset("*?[]")


class _Unimportable(Exception):
    """The model cannot be expressed in our format; the message is the reason recorded in `skipped`."""


def our_provider(their_provider: str, model_id: str) -> str:
    """Our provider for one of their models (see the module docstring for the mapping)."""
    if their_provider == "google" and model_id.startswith("claude"):
        return "vertex_ai"
    return PROVIDERS.get(their_provider, their_provider)


def _decimal(name: str, value: Any, per: int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Unimportable(f"{name}: {value!r} is not a number")
    amount = exact_decimal(Decimal(repr(value)) / per, MAX_RATE_DECIMALS)
    if amount is None or amount < 0:
        raise _Unimportable(f"{name}: {value!r} needs more than {MAX_RATE_DECIMALS} decimals")
    return amount


def _rates(name: str, prices: Mapping[str, Any], notes: list[SkippedEntry]) -> tuple[Rates, LongContext | None]:
    """Base rates and the long-context tier of one price entry."""
    base: dict[str, Decimal] = {}
    long: dict[str, Decimal] = {}
    thresholds: set[int] = set()
    for key, value in prices.items():
        if key not in _PRICE_KEYS:
            if value:
                notes.append(SkippedEntry(f"{name}: {key}", "price component not modelled"))
            continue
        rate_key, per = _PRICE_KEYS[key]
        if isinstance(value, Mapping):
            tiers = value.get("tiers") or []
            if len(tiers) != 1:
                raise _Unimportable(f"{key}: {len(tiers)} price tiers (only one long-context tier is modelled)")
            # Their `start` is exclusive: the tier applies when the request's total input tokens (cache reads
            # and writes included) are `> start`, and then to all tokens (their TieredPrices docstring and
            # calc code). That is our above_prompt_tokens exactly.
            thresholds.add(int(tiers[0]["start"]))
            long[rate_key] = _decimal(key, tiers[0]["price"], per)
            value = value.get("base")
        base[rate_key] = _decimal(key, value, per)
    if len(thresholds) > 1:
        raise _Unimportable(f"long-context tiers start at different sizes ({sorted(thresholds)})")
    long_context = LongContext(thresholds.pop(), Rates(**long)) if thresholds else None
    rates = Rates(**base)
    if rates.input_per_mtok is None and rates.per_request is None:
        raise _Unimportable("no input price")
    return rates, long_context


def _clauses(match: Any) -> list[Mapping[str, Any]]:
    """The clauses of a match rule, `or` flattened."""
    if isinstance(match, Mapping) and "or" in match:
        return [clause for item in match["or"] for clause in _clauses(item)]
    return [match] if isinstance(match, Mapping) else []


def _names(name: str, match: Any, notes: list[SkippedEntry]) -> tuple[list[str], list[str]]:
    """Exact names (`equals`) and glob patterns (`starts_with`, `ends_with`, `contains`) of a match rule."""
    aliases: list[str] = []
    patterns: list[str] = []
    for clause in _clauses(match):
        kind, text = next(iter(clause.items()))
        if kind == "equals" and isinstance(text, str):
            aliases.append(text.lower())
        elif kind in {"starts_with", "ends_with", "contains"} and isinstance(text, str):
            if _GLOB_CHARACTERS & set(text):
                notes.append(SkippedEntry(f"{name}: {kind} {text}", "match text has glob characters"))
                continue
            glob = {"starts_with": f"{text}*", "ends_with": f"*{text}", "contains": f"*{text}*"}[kind]
            patterns.append(glob.lower())
        else:
            notes.append(SkippedEntry(f"{name}: {kind}", "match rule not expressible as a name or glob"))
    return aliases, patterns


def _windows(
    name: str,
    prices: Any,
    *,
    default_effective_from: date,
    source_url: str,
    captured: date,
    notes: list[SkippedEntry],
) -> tuple[PriceWindow, ...]:
    """Effective-dated windows: each starts at its start_date and ends at the next one's.

    Theirs uses the first entry for any moment before the first start date, so an undated first entry starts at
    `default_effective_from`; when that is not before the next start date, the entry is left out.
    """
    entries = prices if isinstance(prices, list) else [{"prices": prices}]
    starts: list[tuple[date, Mapping[str, Any]]] = []
    for position, entry in enumerate(entries):
        constraint = entry.get("constraint") or {}
        if "start_time" in constraint or "end_time" in constraint:
            # Using one of the two daily prices for the whole day would misprice the other hours.
            raise _Unimportable("time-of-day prices")
        start = constraint.get("start_date")
        if start is None and position > 0:
            raise _Unimportable("a later price without a start date")
        starts.append((start if isinstance(start, date) else default_effective_from, entry["prices"]))
    dated = [start for start, _ in starts[1:]]
    if dated != sorted(dated):
        # Theirs takes the last entry whose start has passed, so only increasing dates make successive windows.
        raise _Unimportable("start dates out of order")
    windows = []
    for index, (start, entry_prices) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else None
        if end is not None and end <= start:
            notes.append(SkippedEntry(f"{name}@{start}", f"superseded on {end}, before the window would start"))
            continue
        rates, long_context = _rates(name, entry_prices, notes)
        windows.append(
            PriceWindow(
                effective_from=datetime(start.year, start.month, start.day),
                effective_to=datetime(end.year, end.month, end.day) if end else None,
                rates=rates,
                tiers=(),
                long_context=long_context,
                source_url=source_url,
                captured=captured,
            )
        )
    return tuple(windows)


def import_genai_prices(
    directory: Path,
    *,
    captured: date,
    default_effective_from: date,
    providers: Collection[str] | None = None,
) -> ImportResult:
    """genai-prices provider files as effective-dated price windows, for our providers (or `providers`)."""
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise InputError(f"{directory}: no genai-prices provider files (*.yml).")
    wanted = {name.lower() for name in providers} if providers else DEFAULT_PROVIDERS
    models: list[PricedModel] = []
    skipped: list[SkippedEntry] = []
    claimed: dict[tuple[str, str], str] = {}  # (provider, exact name) -> model id, first claim wins as theirs does
    for path in files:
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise InputError(f"{path}: not a readable genai-prices provider file ({error}).") from error
        their_provider = str(document.get("id", path.stem))
        urls = document.get("pricing_urls") or []
        source_url = urls[0] if urls else GENAI_PRICES_URL.format(file=path.name)
        for raw in document.get("models") or []:
            identifier = str(raw["id"]).lower()
            provider = our_provider(their_provider, identifier)
            if provider not in wanted:
                continue
            name = f"{their_provider}/{identifier}"
            notes: list[SkippedEntry] = []
            try:
                windows = _windows(
                    name,
                    raw["prices"],
                    default_effective_from=default_effective_from,
                    source_url=source_url,
                    captured=captured,
                    notes=notes,
                )
            except _Unimportable as reason:
                skipped.append(SkippedEntry(name, str(reason)))
                continue
            if (provider, identifier) in claimed:
                skipped.append(SkippedEntry(name, f"id already matched by {claimed[(provider, identifier)]}"))
                continue
            claimed[(provider, identifier)] = identifier
            aliases, patterns = _names(name, raw.get("match"), notes)
            kept_aliases = []
            for alias in dict.fromkeys(aliases):
                owner = claimed.setdefault((provider, alias), identifier)
                if owner == identifier:
                    kept_aliases.append(alias)
                else:
                    notes.append(SkippedEntry(f"{name}: equals {alias}", f"name already matched by {owner}"))
            models.append(
                PricedModel(
                    provider=provider,
                    model=identifier,
                    aliases=tuple(alias for alias in kept_aliases if alias != identifier),
                    patterns=tuple(dict.fromkeys(patterns)),
                    windows=windows,
                    currency="USD",
                    price_file=path,
                )
            )
            skipped.extend(notes)
    return ImportResult(models=tuple(models), skipped=tuple(skipped))
