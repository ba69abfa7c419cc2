"""Keep the database's `prices` and `price_model_names` tables equal to the price files."""

from __future__ import annotations

from llmfinops.db.connection import Database
from llmfinops.prices.tables import PriceTables


def sync_prices(database: Database, tables: PriceTables) -> bool:
    """Reload the price tables when the files changed; return whether they were reloaded."""
    if database.scalar("SELECT tables_hash FROM prices_state") == tables.tables_hash:
        return False
    price_rows = [
        (
            model.provider,
            model.model,
            window.effective_from,
            window.effective_to,
            window.input_per_mtok,
            window.cache_read_per_mtok,
            window.cache_write_per_mtok,
            window.output_per_mtok,
            window.batch_multiplier,
            model.currency,
            window.source_url,
            window.captured,
            str(model.price_file),
        )
        for model in tables.models
        for window in model.windows
    ]
    name_rows = [
        (model.provider, "exact", name, model.model)
        for model in tables.models
        for name in {model.model, *model.aliases}
    ] + [(model.provider, "glob", pattern, model.model) for model in tables.models for pattern in model.patterns]
    with database.transaction():
        database.execute("DELETE FROM prices")
        database.execute("DELETE FROM price_model_names")
        database.execute("DELETE FROM prices_state")
        if price_rows:
            database.connection.executemany(
                "INSERT INTO prices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", price_rows
            )
        if name_rows:
            database.connection.executemany("INSERT INTO price_model_names VALUES (?, ?, ?, ?)", name_rows)
        database.execute("INSERT INTO prices_state VALUES (?, now()::TIMESTAMP)", [tables.tables_hash])
    return True
