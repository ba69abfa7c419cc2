"""Questions about prices and pricing state: what a model costs when, and which usage could not be priced."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import datetime

from llmfinops.db.connection import Database
from llmfinops.errors import UsageError
from llmfinops.periods import Month
from llmfinops.prices.tables import PricedModel, PriceTables, PriceWindow


@dataclass(frozen=True)
class ListedPrice:
    provider: str
    model: str
    window: PriceWindow


def prices_at(tables: PriceTables, moment: datetime, provider: str | None = None) -> list[ListedPrice]:
    """Every model (of a provider) with the window in effect at `moment`, sorted by provider and model."""
    listed = [
        ListedPrice(model.provider, model.model, window)
        for model in tables.models
        if (provider is None or model.provider == provider.lower()) and (window := model.window_at(moment))
    ]
    return sorted(listed, key=lambda item: (item.provider, item.model))


def find_models(tables: PriceTables, name: str, provider: str | None = None) -> list[PricedModel]:
    """Models a name means: exact ids and aliases first, else the longest matching pattern (per provider)."""
    wanted = name.lower()
    candidates = [model for model in tables.models if provider is None or model.provider == provider.lower()]
    exact = [model for model in candidates if wanted == model.model or wanted in model.aliases]
    if exact:
        return exact
    by_provider: dict[str, tuple[int, PricedModel]] = {}
    for model in candidates:
        for pattern in model.patterns:
            if fnmatch.fnmatchcase(wanted, pattern):
                best = by_provider.get(model.provider)
                if best is None or len(pattern) > best[0]:
                    by_provider[model.provider] = (len(pattern), model)
    if not by_provider:
        raise UsageError(
            f"{name}: no priced model of that name{f' for provider {provider}' if provider else ''}.",
            "See `llmfinops pricing list` for the models the tables know.",
        )
    return [model for _, model in by_provider.values()]


@dataclass(frozen=True)
class UnpricedUsage:
    month: str
    provider: str
    model: str
    requests: int
    tokens: int
    reason: str


@dataclass(frozen=True)
class StalePricing:
    month: str
    rows: int  # rows priced with tables, aliases or contracts that have changed since


@dataclass(frozen=True)
class PricingCheck:
    unpriced: tuple[UnpricedUsage, ...]
    stale: tuple[StalePricing, ...]

    @property
    def passed(self) -> bool:
        return not self.unpriced


def check_pricing(database: Database, month: Month | None = None) -> PricingCheck:
    """Usage that could not be priced, by month and model with the reason; months priced with older tables."""
    period_sql, parameters = ("WHERE ts >= ? AND ts < ?", [month.start, month.end]) if month else ("", [])
    unpriced = database.fetchall(
        f"""
        SELECT strftime(ts, '%Y-%m') AS month, provider, model, sum(request_count),
               sum(input_tokens + cache_read_tokens + cache_write_tokens + output_tokens), any_value(unpriced_reason)
        FROM (SELECT * FROM usage_for_totals {period_sql}) WHERE NOT priced
        GROUP BY ALL ORDER BY month, provider, model
        """,
        parameters,
    )
    stale = database.fetchall(
        f"""
        SELECT strftime(ts, '%Y-%m') AS month, count(*)
        FROM (SELECT * FROM usage_for_totals {period_sql})
        WHERE pricing_hash IS DISTINCT FROM (SELECT pricing_hash FROM pricing_state)
        GROUP BY ALL ORDER BY month
        """,
        parameters,
    )
    return PricingCheck(
        unpriced=tuple(UnpricedUsage(row[0], row[1], row[2], int(row[3]), int(row[4]), row[5]) for row in unpriced),
        stale=tuple(StalePricing(row[0], int(row[1])) for row in stale),
    )
