"""Read pricing/*.yaml into typed, validated price windows (format: docs/pricing.md)."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmfinops.errors import ConfigError
from llmfinops.yamlfile import LineDict, decimal_field, load_yaml, location

PRICE_COMPONENTS = ("input_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok", "output_per_mtok")
_MAX_PRICE_DECIMALS = 6  # prices are stored as DECIMAL(38, 6) per million tokens


@dataclass(frozen=True)
class PriceWindow:
    effective_from: datetime
    effective_to: datetime | None
    input_per_mtok: Decimal
    cache_read_per_mtok: Decimal | None
    cache_write_per_mtok: Decimal | None
    output_per_mtok: Decimal | None
    batch_multiplier: Decimal | None
    source_url: str
    captured: date | None


@dataclass(frozen=True)
class PricedModel:
    provider: str
    model: str
    aliases: tuple[str, ...]
    patterns: tuple[str, ...]
    windows: tuple[PriceWindow, ...]
    currency: str
    price_file: Path


@dataclass(frozen=True)
class PriceTables:
    models: tuple[PricedModel, ...]
    tables_hash: str  # sha256 over the files read, so the database copy reloads only when they change


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


def _parse_window(path: Path, raw: Any, model_id: str) -> PriceWindow:
    if not isinstance(raw, LineDict):
        raise ConfigError(f"{path}: model {model_id}: each prices entry must be a mapping.")

    def price(key: str, *, required: bool = False) -> Decimal | None:
        return decimal_field(path, raw, key, required=required, max_decimals=_MAX_PRICE_DECIMALS)

    input_price = price("input_per_mtok", required=True)
    assert input_price is not None
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
        input_per_mtok=input_price,
        cache_read_per_mtok=price("cache_read_per_mtok"),
        cache_write_per_mtok=price("cache_write_per_mtok"),
        output_per_mtok=price("output_per_mtok"),
        batch_multiplier=price("batch_multiplier"),
        source_url=source_url,
        captured=captured.date() if captured else None,
    )


def _check_no_overlap(path: Path, model: PricedModel) -> None:
    ordered = sorted(model.windows, key=lambda window: window.effective_from)
    for earlier, later in itertools.pairwise(ordered):
        if earlier.effective_to is None or earlier.effective_to > later.effective_from:
            raise ConfigError(
                f"{path}: model {model.model}: price windows overlap at {later.effective_from:%Y-%m-%d}.",
                "Give the earlier window an effective_to no later than the next effective_from.",
            )


def parse_price_file(path: Path) -> list[PricedModel]:
    """Validate one provider's price file."""
    document = load_yaml(path)
    if not isinstance(document, LineDict):
        raise ConfigError(f"{path}: a price file is a mapping with provider, currency and models.")
    provider = document.get("provider")
    if not isinstance(provider, str) or not provider:
        raise ConfigError(f"{location(path, document)}: provider: missing.")
    provider = provider.lower()  # usage providers are normalised to lower case
    currency = str(document.get("currency") or "USD").upper()
    raw_models = document.get("models")
    if not isinstance(raw_models, list):
        raise ConfigError(f"{location(path, document, 'models')}: models: expected a list.")
    models = []
    for raw_model in raw_models:
        if not isinstance(raw_model, LineDict) or not isinstance(raw_model.get("model"), str):
            raise ConfigError(f"{location(path, raw_model)}: model: each entry needs a `model:` id.")
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
        )
        _check_no_overlap(path, model)
        models.append(model)
    return models


def load_price_tables(directories: list[Path]) -> PriceTables:
    """All price files of the given folders; a model in a later folder replaces the same model in an earlier one."""
    digest = hashlib.sha256()
    by_key: dict[tuple[str, str], PricedModel] = {}
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.yaml")):
            digest.update(str(path).encode())
            digest.update(path.read_bytes())
            for model in parse_price_file(path):
                by_key[(model.provider, model.model)] = model
    claimed: dict[tuple[str, str], str] = {}
    for model in by_key.values():
        for name in {model.model, *model.aliases}:
            owner = claimed.setdefault((model.provider, name), model.model)
            if owner != model.model:
                raise ConfigError(
                    f"{model.price_file}: model {model.model}: the name {name!r} also belongs to {owner} "
                    f"({model.provider}).",
                    "An exact model name may belong to one priced model only.",
                )
    return PriceTables(models=tuple(by_key.values()), tables_hash=digest.hexdigest())
