"""Read pricing/*.yaml into typed, validated price windows (format: docs/pricing.md).

A window holds the list prices of one model for a half-open UTC interval: base rates, optional service tiers
(batch, flex, priority) as a multiplier and/or explicit rates, and an optional long-context tier that prices a
whole request at other rates once its prompt crosses a threshold.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmfinops.errors import ConfigError
from llmfinops.yamlfile import LineDict, decimal_field, load_yaml, location

#: Rates per million tokens, then per unit. Every rate is optional except input; a usage row that needs a rate
#: its window lacks is unpriced, never costed at zero.
TOKEN_RATE_KEYS = (
    "input_per_mtok",
    "cache_read_per_mtok",
    "cache_write_per_mtok",
    "cache_write_1h_per_mtok",
    "output_per_mtok",
    "reasoning_per_mtok",
    "input_audio_per_mtok",
    "output_audio_per_mtok",
)
UNIT_RATE_KEYS = ("per_request", "per_image", "per_web_search")
RATE_KEYS = TOKEN_RATE_KEYS + UNIT_RATE_KEYS
SERVICE_TIERS = ("batch", "flex", "priority")
_WINDOW_KEYS = frozenset({"effective_from", "effective_to", "source_url", "captured", "tiers", "long_context"})
_MODEL_KEYS = frozenset({"model", "aliases", "patterns", "prices", "notes"})
_FILE_KEYS = frozenset({"provider", "currency", "models"})
MAX_RATE_DECIMALS = 6
MAX_MULTIPLIER_DECIMALS = 3  # so that rate x multiplier fits the 9 decimals of price_rates


@dataclass(frozen=True)
class Rates:
    """USD per million tokens (`*_per_mtok`) or per unit (`per_*`); None = the window has no such price."""

    input_per_mtok: Decimal | None = None
    cache_read_per_mtok: Decimal | None = None
    cache_write_per_mtok: Decimal | None = None  # 5-minute TTL, or the only cache-write price
    cache_write_1h_per_mtok: Decimal | None = None
    output_per_mtok: Decimal | None = None  # all output, reasoning included unless reasoning_per_mtok is set
    reasoning_per_mtok: Decimal | None = None
    input_audio_per_mtok: Decimal | None = None
    output_audio_per_mtok: Decimal | None = None
    per_request: Decimal | None = None
    per_image: Decimal | None = None
    per_web_search: Decimal | None = None

    def overridden_by(self, other: Rates) -> Rates:
        """These rates with every rate that `other` sets replaced."""
        changes = {key: getattr(other, key) for key in RATE_KEYS if getattr(other, key) is not None}
        return replace(self, **changes)

    def times(self, multiplier: Decimal) -> Rates:
        """Token rates multiplied (a tier discount); per-unit prices are not token prices and stay."""
        changes = {key: getattr(self, key) * multiplier for key in TOKEN_RATE_KEYS if getattr(self, key) is not None}
        return replace(self, **changes)


@dataclass(frozen=True)
class ServiceTier:
    """A tier's price: explicit rates (over the window's), then a multiplier of every token rate."""

    name: str
    multiplier: Decimal | None
    rates: Rates


@dataclass(frozen=True)
class LongContext:
    """Above this many prompt tokens (uncached + cache read + cache write) the whole request uses these rates."""

    above_prompt_tokens: int
    rates: Rates


@dataclass(frozen=True)
class PriceWindow:
    effective_from: datetime
    effective_to: datetime | None
    rates: Rates
    tiers: tuple[ServiceTier, ...]
    long_context: LongContext | None
    source_url: str
    captured: date | None
    line: int = 0


@dataclass(frozen=True)
class PricedModel:
    provider: str
    model: str
    aliases: tuple[str, ...]
    patterns: tuple[str, ...]
    windows: tuple[PriceWindow, ...]
    currency: str
    price_file: Path
    line: int = 0

    def window_at(self, moment: datetime) -> PriceWindow | None:
        """The window in effect at `moment` (half-open), if any."""
        for window in self.windows:
            if window.effective_from <= moment and (window.effective_to is None or moment < window.effective_to):
                return window
        return None


@dataclass(frozen=True)
class PriceTables:
    models: tuple[PricedModel, ...]
    tables_hash: str  # sha256 over the files' names and contents
    files: tuple[Path, ...] = field(default=())


def _moment(path: Path, mapping: LineDict, key: str, *, required: bool) -> datetime | None:
    value = mapping.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{location(path, mapping)}: {key}: missing.", f'Add `{key}: "YYYY-MM-DD"` (UTC).')
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError as error:
        raise ConfigError(f"{location(path, mapping, key)}: {key}: {value!r} is not a date (YYYY-MM-DD).") from error
    # Windows are UTC: an explicit offset is converted, a naive value is taken as UTC.
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _names(path: Path, mapping: LineDict, key: str) -> tuple[str, ...]:
    value = mapping.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{location(path, mapping, key)}: {key}: expected a list of model names.")
    return tuple(item.lower() for item in value)


def _check_keys(path: Path, mapping: LineDict, allowed: frozenset[str] | tuple[str, ...], what: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise ConfigError(
                f"{location(path, mapping, key)}: {key}: unknown {what}.",
                f"Use one of: {', '.join(sorted(allowed))}.",
            )


def _rates(path: Path, mapping: LineDict) -> Rates:
    return Rates(
        **{key: decimal_field(path, mapping, key, required=False, max_decimals=MAX_RATE_DECIMALS) for key in RATE_KEYS}
    )


def _mapping(path: Path, value: Any, parent: LineDict, key: str) -> LineDict:
    if not isinstance(value, LineDict):
        raise ConfigError(f"{location(path, parent, key)}: {key}: expected a mapping.")
    return value


def _parse_tiers(path: Path, raw_window: LineDict) -> tuple[ServiceTier, ...]:
    raw_tiers = raw_window.get("tiers")
    if raw_tiers is None:
        return ()
    tiers_map = _mapping(path, raw_tiers, raw_window, "tiers")
    _check_keys(path, tiers_map, SERVICE_TIERS, "service tier")
    tiers = []
    for name in SERVICE_TIERS:
        if name not in tiers_map:
            continue
        raw_tier = _mapping(path, tiers_map[name], tiers_map, name)
        _check_keys(path, raw_tier, (*RATE_KEYS, "multiplier"), f"{name} tier key")
        multiplier = decimal_field(path, raw_tier, "multiplier", required=False, max_decimals=MAX_MULTIPLIER_DECIMALS)
        rates = _rates(path, raw_tier)
        if multiplier is None and rates == Rates():
            raise ConfigError(f"{location(path, raw_tier)}: tiers.{name}: give a multiplier or rates.")
        tiers.append(ServiceTier(name, multiplier, rates))
    return tuple(tiers)


def _parse_long_context(path: Path, raw_window: LineDict) -> LongContext | None:
    raw = raw_window.get("long_context")
    if raw is None:
        return None
    long_context = _mapping(path, raw, raw_window, "long_context")
    _check_keys(path, long_context, (*RATE_KEYS, "above_prompt_tokens"), "long_context key")
    threshold = long_context.get("above_prompt_tokens")
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold <= 0:
        raise ConfigError(
            f"{location(path, long_context, 'above_prompt_tokens')}: above_prompt_tokens: a positive whole number "
            "of prompt tokens is required."
        )
    return LongContext(threshold, _rates(path, long_context))


def _parse_window(path: Path, raw: Any, model_id: str) -> PriceWindow:
    if not isinstance(raw, LineDict):
        raise ConfigError(f"{path}: model {model_id}: each prices entry must be a mapping.")
    _check_keys(path, raw, _WINDOW_KEYS | frozenset(RATE_KEYS), "price component")
    rates = _rates(path, raw)
    if rates.input_per_mtok is None and rates.per_request is None and rates.per_image is None:
        raise ConfigError(
            f"{location(path, raw)}: input_per_mtok: missing.", 'Add `input_per_mtok: "<USD per million>"`.'
        )
    effective_from = _moment(path, raw, "effective_from", required=True)
    assert effective_from is not None
    effective_to = _moment(path, raw, "effective_to", required=False)
    if effective_to is not None and effective_to <= effective_from:
        raise ConfigError(f"{location(path, raw, 'effective_to')}: effective_to: must be after effective_from.")
    source_url = raw.get("source_url")
    if not isinstance(source_url, str) or not source_url.startswith("http"):
        raise ConfigError(
            f"{location(path, raw)}: source_url: missing.", "Every price names the public page it was taken from."
        )
    captured = _moment(path, raw, "captured", required=False)
    return PriceWindow(
        effective_from=effective_from,
        effective_to=effective_to,
        rates=rates,
        tiers=_parse_tiers(path, raw),
        long_context=_parse_long_context(path, raw),
        source_url=source_url,
        captured=captured.date() if captured else None,
        line=raw.line,
    )


def _check_no_overlap(path: Path, model: PricedModel) -> None:
    ordered = sorted(model.windows, key=lambda window: window.effective_from)
    for earlier, later in itertools.pairwise(ordered):
        if earlier.effective_to is None or earlier.effective_to > later.effective_from:
            raise ConfigError(
                f"{path}:{later.line}: model {model.model}: price windows overlap at {later.effective_from:%Y-%m-%d}.",
                "Give the earlier window an effective_to no later than the next effective_from.",
            )


def parse_price_file(path: Path) -> list[PricedModel]:
    """Validate one provider's price file."""
    document = load_yaml(path)
    if not isinstance(document, LineDict):
        raise ConfigError(f"{path}: a price file is a mapping with provider, currency and models.")
    _check_keys(path, document, _FILE_KEYS, "key")
    provider = document.get("provider")
    if not isinstance(provider, str) or not provider:
        raise ConfigError(f"{location(path, document)}: provider: missing.")
    provider = provider.lower()  # usage providers are normalised to lower case
    currency = str(document.get("currency") or "USD").upper()
    if currency != "USD":
        raise ConfigError(f"{location(path, document, 'currency')}: currency: only USD price tables are supported.")
    raw_models = document.get("models")
    if not isinstance(raw_models, list):
        raise ConfigError(f"{location(path, document, 'models')}: models: expected a list.")
    models = []
    for raw_model in raw_models:
        if not isinstance(raw_model, LineDict) or not isinstance(raw_model.get("model"), str):
            raise ConfigError(f"{location(path, raw_model)}: model: each entry needs a `model:` id.")
        _check_keys(path, raw_model, _MODEL_KEYS, "model key")
        model_id = raw_model["model"].lower()
        raw_windows = raw_model.get("prices")
        if not isinstance(raw_windows, list) or not raw_windows:
            raise ConfigError(f"{location(path, raw_model, 'prices')}: model {model_id}: prices: expected a list.")
        model = PricedModel(
            provider=provider,
            model=model_id,
            aliases=_names(path, raw_model, "aliases"),
            patterns=_names(path, raw_model, "patterns"),
            windows=tuple(_parse_window(path, raw, model_id) for raw in raw_windows),
            currency=currency,
            price_file=path,
            line=raw_model.line,
        )
        _check_no_overlap(path, model)
        models.append(model)
    return models


def load_price_tables(directories: list[Path]) -> PriceTables:
    """All price files of the given folders; a model in a later folder replaces the same model in an earlier one."""
    digest = hashlib.sha256()
    by_key: dict[tuple[str, str], PricedModel] = {}
    files: list[Path] = []
    for layer, directory in enumerate(directories):
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.yaml")):
            # Names and contents only, so the hash is the same wherever the package is installed.
            digest.update(f"{layer}/{path.name}\0".encode())
            digest.update(path.read_bytes())
            files.append(path)
            for model in parse_price_file(path):
                by_key[(model.provider, model.model)] = model
    claimed: dict[tuple[str, str], str] = {}
    for model in by_key.values():
        for name in {model.model, *model.aliases}:
            owner = claimed.setdefault((model.provider, name), model.model)
            if owner != model.model:
                raise ConfigError(
                    f"{model.price_file}:{model.line}: model {model.model}: the name {name!r} also belongs to "
                    f"{owner} ({model.provider}).",
                    "An exact model name may belong to one priced model only.",
                )
    return PriceTables(models=tuple(by_key.values()), tables_hash=digest.hexdigest(), files=tuple(files))
