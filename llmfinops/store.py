"""Open a workspace's database ready for work: migrated, views current, pricing inputs in sync, every row priced."""

from __future__ import annotations

from llmfinops.config import Config, load_config
from llmfinops.db.connection import Database, connect
from llmfinops.db.migrations import migrate, require_current
from llmfinops.prices.apply import price_never_priced
from llmfinops.prices.setup import load_pricing_setup
from llmfinops.prices.sync import sync_prices
from llmfinops.workspace import Workspace


def open_store(workspace: Workspace, *, read_only: bool = False, config: Config | None = None) -> Database:
    """The workspace database; read-only connections (for `query`) are opened after the file is brought up to date."""
    database = connect(workspace.database_path)
    try:
        migrate(database)
        setup = load_pricing_setup(workspace, config or load_config(workspace.config_path))
        with database.transaction():
            sync_prices(database, setup)
            price_never_priced(database)
    except BaseException:
        database.close()
        raise
    if not read_only:
        return database
    database.close()
    reader = connect(workspace.database_path, read_only=True)
    require_current(reader)
    return reader
