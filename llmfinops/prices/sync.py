"""Keep the database's price tables, model names and contracts equal to the files and finops.yaml."""

from __future__ import annotations

from llmfinops.db.connection import Database
from llmfinops.prices.expand import expand_window, window_id
from llmfinops.prices.setup import PricingSetup
from llmfinops.prices.tables import RATE_KEYS
from llmfinops.runs import utc_now


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
        _insert(database, "price_windows", window_rows)
        _insert(database, "price_rates", rate_rows)
        _insert(
            database,
            "price_model_names (provider, match_kind, match_text, model, origin)",
            exact_names + glob_names + workspace_names,
        )
        _insert(database, "contract_discounts", contract_rows)
        database.execute(
            "INSERT INTO pricing_state VALUES (?, ?, ?)",
            [setup.pricing_hash, setup.tables.tables_hash, utc_now()],
        )
    return True


def _insert(database: Database, table: str, rows: list[tuple[object, ...]]) -> None:
    """Many rows per statement: DuckDB's executemany runs one statement per row, which is slow for ~2,000 rates."""
    chunk = 500
    for start in range(0, len(rows), chunk):
        batch = rows[start : start + chunk]
        placeholders = "(" + ", ".join("?" * len(batch[0])) + ")"
        values = [value for row in batch for value in row]
        database.execute(f"INSERT INTO {table} VALUES {', '.join([placeholders] * len(batch))}", values)
