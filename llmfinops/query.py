"""Read-only SQL for analysts over the public views."""

from __future__ import annotations

from typing import Any

import duckdb

from llmfinops.db.connection import Database
from llmfinops.errors import QueryError


def run_query(database: Database, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of one statement, on a read-only connection (writes fail there)."""
    if not database.read_only:
        raise QueryError("queries run on a read-only connection only")
    try:
        cursor = database.execute(sql)
        columns = [description[0] for description in cursor.description or []]
        return columns, cursor.fetchall()
    except duckdb.Error as error:
        message = str(error).splitlines()[0]
        hint = (
            "The database is opened read-only for queries."
            if "read-only" in message.lower()
            else "Tables and views: usage, usage_priced, sources, quarantine (docs/schema.md)."
        )
        raise QueryError(f"query failed: {message}", hint) from error
