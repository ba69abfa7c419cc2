"""Keep the database's price tables, model names and contracts equal to the files and finops.yaml."""

from __future__ import annotations

from llmfinops.db.connection import Database
from llmfinops.prices.expand import expand_window, window_id
from llmfinops.prices.setup import PricingSetup
from llmfinops.prices.tables import RATE_KEYS
from llmfinops.runs import utc_now

_WINDOW_COLUMNS = (
    "window_id",
    "provider",
    "model",
    "effective_from",
    "effective_to",
    "currency",
    "source_url",
    "captured",
    "price_file",
)
_RATE_COLUMNS = ("window_id", "service_tier", "context_tier", "min_prompt_tokens", *RATE_KEYS)
_NAME_COLUMNS = ("provider", "match_kind", "match_text", "model", "origin")
_CONTRACT_COLUMNS = (
    "position",
    "provider",
    "model_pattern",
    "discount_percent",
    "effective_from",
    "effective_to",
)


def sync_prices(database: Database, setup: PricingSetup) -> bool:
    """Reload everything pricing reads when any of it changed; return whether it was reloaded.

    Reloading never reprices: rows keep the cost they were priced at (and the hash of what priced them) until
    `reprice` recomputes their month.
    """
    if database.scalar("SELECT pricing_hash FROM pricing_state") == setup.pricing_hash:
        return False
    models = setup.tables.models
    window_rows = [
        (
            window_id(model, window),
            model.provider,
            model.model,
            window.effective_from,
            window.effective_to,
            model.currency,
            window.source_url,
            window.captured,
            str(model.price_file),
        )
        for model in models
        for window in model.windows
    ]
    rate_rows = [
        (
            row.window_id,
            row.service_tier,
            row.context_tier,
            row.min_prompt_tokens,
            *(getattr(row.rates, key) for key in RATE_KEYS),
        )
        for model in models
        for window in model.windows
        for row in expand_window(model, window)
    ]
    exact_names = [
        (model.provider, "exact", name, model.model, "price table")
        for model in models
        for name in sorted({model.model, *model.aliases})
    ]
    glob_names = [
        (model.provider, "glob", pattern, model.model, "price table") for model in models for pattern in model.patterns
    ]
    workspace_names = [(alias.provider, "exact", alias.name, alias.model, "workspace") for alias in setup.model_aliases]
    contract_rows = [
        (
            contract.position,
            contract.provider,
            contract.model_pattern,
            contract.discount_percent,
            contract.effective_from,
            contract.effective_to,
        )
        for contract in setup.contracts
    ]
    with database.transaction():
        for table in ("price_rates", "price_windows", "price_model_names", "contract_discounts", "pricing_state"):
            database.execute(f"DELETE FROM {table}")
        database.insert_rows("price_windows", _WINDOW_COLUMNS, window_rows)
        database.insert_rows("price_rates", _RATE_COLUMNS, rate_rows)
        database.insert_rows("price_model_names", _NAME_COLUMNS, exact_names + glob_names + workspace_names)
        database.insert_rows("contract_discounts", _CONTRACT_COLUMNS, contract_rows)
        database.execute(
            "INSERT INTO pricing_state VALUES (?, ?, ?)",
            [setup.pricing_hash, setup.tables.tables_hash, utc_now()],
        )
    return True
