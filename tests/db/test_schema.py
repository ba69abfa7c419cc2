"""Money is DECIMAL in every table and view, and Decimal in Python (acceptance criterion 4)."""

from __future__ import annotations

import fnmatch
from decimal import Decimal

from llmfinops.db.connection import Database
from llmfinops.ingest.load import ingest_files
from tests.conftest import CASES

MONEY_NAMES = ("*cost*", "*_per_mtok", "*multiplier*", "*budget*")


def test_every_money_column_of_every_table_and_view_is_decimal(store: Database) -> None:
    columns = store.fetchall(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    )
    money = [
        (table, column, data_type)
        for table, column, data_type in columns
        if any(fnmatch.fnmatch(column, pattern) for pattern in MONEY_NAMES) and not column.startswith("cost_center")
    ]
    not_decimal = [
        (table, column, data_type) for table, column, data_type in money if not data_type.startswith("DECIMAL")
    ]

    assert not_decimal == []
    # The check looks at the columns that matter (so it cannot pass by finding none).
    names = {(table, column) for table, column, _ in money}
    assert {
        ("usage", "reported_cost"),
        ("usage_priced", "estimated_cost"),
        ("usage_priced", "input_cost"),
        ("prices", "input_per_mtok"),
        ("prices", "cache_write_1h_per_mtok"),
        ("usage_costs", "list_cost"),
    } <= names


def test_estimated_cost_is_fetched_as_decimal(store: Database) -> None:
    ingest_files(store, [CASES / "litellm" / "spend_logs_api.json"])

    values = store.fetchall("SELECT estimated_cost, reported_cost, input_cost FROM usage_priced WHERE priced")

    assert values
    assert all(isinstance(value, Decimal) for row in values for value in row)
