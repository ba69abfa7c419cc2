"""Properties of the pricing engine over generated usage: a cost is never negative, never falls when any count
grows, and the rows of a month add up to the month's total."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmfinops.config import load_config
from llmfinops.db.connection import Database
from llmfinops.ingest.load import refresh_usage_basis
from llmfinops.periods import parse_month
from llmfinops.prices.apply import price_where
from llmfinops.reports.build import build_showback
from llmfinops.store import open_store
from llmfinops.workspace import create_workspace
from tests.conftest import DEFAULT_CONFIG

COUNTS = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens")
# Models with cache prices and, for claude-sonnet-4-5, a long-context tier, so threshold crossings are exercised.
MODELS = [("anthropic", "claude-sonnet-4-5"), ("openai", "gpt-5"), ("vertex_ai", "gemini-2.5-pro")]

token_counts = st.integers(min_value=0, max_value=400_000)
usage_rows = st.fixed_dictionaries(
    {
        "model": st.sampled_from(MODELS),
        "tier": st.sampled_from(["standard", "batch"]),
        **{count: token_counts for count in COUNTS},
    }
).map(
    # Only Anthropic sells cache writes; elsewhere a cache write would (rightly) leave the row unpriced.
    lambda row: row if row["model"][0] == "anthropic" else {**row, "cache_write_tokens": 0}
)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    workspace = create_workspace(Path(tmp_path_factory.mktemp("properties")) / "ws", DEFAULT_CONFIG)
    store = open_store(workspace)
    try:
        yield store
    finally:
        store.close()


def _price_rows(database: Database, rows: list[dict]) -> list[Decimal]:
    """Insert rows for 2026-10 (replacing earlier ones), price them, return their estimated costs in order."""
    database.execute("DELETE FROM usage_costs")
    database.execute("DELETE FROM usage")
    for number, row in enumerate(rows, start=1):
        provider, model = row["model"]
        database.execute(
            """
            INSERT INTO usage (natural_key, request_id, grain, origin, ts, provider, model, model_raw, operation,
                               service_tier, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens,
                               reasoning_tokens, request_count, status, token_convention, source_id, source_row)
            VALUES (?, ?, 'request', 'gateway', TIMESTAMP '2026-10-10 10:00:00', ?, ?, ?, 'chat', ?, ?, ?, ?, ?,
                    0, 1, 'success', 'test', 0, ?)
            """,
            [
                f"test:{number}",
                f"r{number}",
                provider,
                model,
                model,
                row["tier"],
                *(row[count] for count in COUNTS),
                number,
            ],
        )
    price_where(database, "true", [])
    refresh_usage_basis(database)  # rows written here, not by ingest
    costs = database.fetchall("SELECT estimated_cost FROM usage_priced ORDER BY source_row")
    return [cost for (cost,) in costs]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=usage_rows, grown=st.sampled_from(COUNTS), extra=st.integers(min_value=1, max_value=300_000))
def test_cost_is_never_negative_and_never_falls_when_a_count_grows(
    database: Database, row: dict, grown: str, extra: int
) -> None:
    if grown == "cache_write_tokens" and row["model"][0] != "anthropic":
        grown = "input_tokens"
    bigger = {**row, grown: row[grown] + extra}
    cost, bigger_cost = _price_rows(database, [row, bigger])

    assert cost is not None and cost >= 0
    assert bigger_cost >= cost


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(usage_rows, min_size=1, max_size=12))
def test_the_rows_of_a_month_add_up_to_the_months_total(database: Database, rows: list[dict]) -> None:
    costs = _price_rows(database, rows)
    config = load_config(Path(database.path).parent / "finops.yaml")
    showback = build_showback(database, config, parse_month("2026-10"))

    assert showback.exact_estimated_cost == sum(costs, Decimal(0))
    assert showback.total_estimated_cost == sum((line.estimated_cost for line in showback.lines), Decimal(0))
