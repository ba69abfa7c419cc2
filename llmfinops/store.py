"""Open a workspace's database ready for work: migrated, views current, price tables in sync with the files."""

from __future__ import annotations

from llmfinops.db.connection import Database, connect
from llmfinops.db.migrations import migrate, require_current
from llmfinops.prices.sync import sync_prices
from llmfinops.prices.tables import load_price_tables
from llmfinops.resources import pricing_dir
from llmfinops.workspace import Workspace


def open_store(workspace: Workspace, *, read_only: bool = False) -> Database:
    """The workspace database; read-only connections (for `query`) are opened after the file is brought up to date."""
    database = connect(workspace.database_path)
    try:
        migrate(database)
        sync_prices(database, load_price_tables([pricing_dir(), workspace.pricing_dir]))
    except BaseException:
        database.close()
        raise
    if not read_only:
        return database
    database.close()
    reader = connect(workspace.database_path, read_only=True)
    require_current(reader)
    return reader
