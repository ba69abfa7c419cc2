"""The benchmark at small scale (issue 10): the generator and the library pipeline give the right results.

Correctness, not time: rows loaded = generated - deliberate defects; re-ingest changes nothing; the overlap file
loads only its new half; the month's chargeback equals an independent DuckDB query over the generated files,
priced from the bundled pricing/*.yaml read here, not through the pricing engine.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from bench.generate import BENCH_CONFIG, MODELS, MONTH, defects_in, generate_pair
from llmfinops.allocate.compute import allocate_month
from llmfinops.config import load_config
from llmfinops.ingest.load import ingest_files
from llmfinops.money import to_cents
from llmfinops.periods import parse_month
from llmfinops.reports.build import build_chargeback
from llmfinops.store import open_store
from llmfinops.workspace import create_workspace

REPO = Path(__file__).resolve().parent.parent
ROWS = 20_000


def _bundled_rates() -> list[tuple[str, Decimal, Decimal, Decimal, Decimal]]:
    """(model as logged, input, cache read, cache write, output) USD/MTok from the price window open in the month."""
    entries = {}
    for provider in ("openai", "anthropic"):
        for entry in yaml.safe_load((REPO / "pricing" / f"{provider}.yaml").read_text(encoding="utf-8"))["models"]:
            for name in [entry["model"], *entry.get("aliases", [])]:
                entries[(provider, name)] = entry
    rates = []
    for model, provider, *_ in MODELS:
        (window,) = [p for p in entries[(provider, model)]["prices"] if p["effective_to"] is None]
        assert str(window["effective_from"]) < f"{MONTH}-01"

        def rate(key: str, window: dict = window) -> Decimal:
            return Decimal(str(window.get(key) or 0))

        prices = ("input_per_mtok", "cache_read_per_mtok", "cache_write_per_mtok", "output_per_mtok")
        rates.append((model, *(rate(key) for key in prices)))
    return rates


def _independent_costs(files: list[Path]) -> dict[str, Decimal]:
    """Exact cost per provider of the distinct valid requests of the files, in plain DuckDB SQL."""
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE rates (model VARCHAR, input_rate DECIMAL(18, 6), cache_read_rate DECIMAL(18, 6), "
        "cache_write_rate DECIMAL(18, 6), output_rate DECIMAL(18, 6))"
    )
    connection.executemany("INSERT INTO rates VALUES (?, ?, ?, ?, ?)", _bundled_rates())
    rows = connection.execute(
        """
        WITH logged AS (
            SELECT DISTINCT ON (request_id) request_id, custom_llm_provider AS provider, model,
                   CAST(prompt_tokens AS BIGINT) AS prompt, CAST(completion_tokens AS BIGINT) AS completion,
                   coalesce(CAST(json_extract_string(metadata, '$.usage_object.cache_read_input_tokens') AS BIGINT),
                            CAST(json_extract_string(metadata, '$.usage_object.prompt_tokens_details.cached_tokens')
                                 AS BIGINT), 0) AS cache_read,
                   coalesce(CAST(json_extract_string(metadata, '$.usage_object.cache_creation_input_tokens')
                                 AS BIGINT), 0) AS cache_write,
                   CAST("startTime" AS TIMESTAMP) AS ts
            FROM read_csv(?, all_varchar = true, header = true)
            WHERE regexp_full_match(prompt_tokens, '[0-9]+')
        )
        -- USD per MTok x tokens, summed exactly as DECIMAL; divided by a million in Python (no float anywhere)
        SELECT provider,
               sum(CAST(prompt - cache_read - cache_write AS DECIMAL(38, 0)) * input_rate
                   + CAST(cache_read AS DECIMAL(38, 0)) * cache_read_rate
                   + CAST(cache_write AS DECIMAL(38, 0)) * cache_write_rate
                   + CAST(completion AS DECIMAL(38, 0)) * output_rate)
        FROM logged JOIN rates USING (model)
        WHERE ts >= TIMESTAMP '2026-10-01' AND ts < TIMESTAMP '2026-11-01'
        GROUP BY provider
        """,
        [[str(file) for file in files]],
    ).fetchall()
    connection.close()
    return {provider: Decimal(cost) / 1_000_000 for provider, cost in rows}


@pytest.mark.parametrize("fmt", ["csv"])
def test_small_benchmark_pipeline_is_correct(tmp_path: Path, fmt: str) -> None:
    main_file, overlap = generate_pair(tmp_path / "data", rows=ROWS, fmt=fmt)
    assert main_file.defects == defects_in(0, ROWS) > 0
    workspace = create_workspace(tmp_path / "ws", BENCH_CONFIG)
    database = open_store(workspace)
    try:
        first = ingest_files(database, [main_file.path]).files[0]
        assert (first.rows_read, first.rows_loaded, first.rows_quarantined, first.rows_duplicate) == (
            ROWS,
            ROWS - main_file.defects,
            main_file.defects,
            0,
        )
        snapshot = database.fetchall("SELECT count(*), sum(estimated_cost) FROM usage_priced")
        again = ingest_files(database, [main_file.path]).files[0]
        assert again.outcome == "already ingested"
        assert database.fetchall("SELECT count(*), sum(estimated_cost) FROM usage_priced") == snapshot
        assert database.scalar("SELECT count(*) FROM sources") == 1

        second = ingest_files(database, [overlap.path]).files[0]
        half = ROWS // 2
        shared_defects = defects_in(half, ROWS)
        new_defects = defects_in(ROWS, ROWS + half)
        assert second.rows_read == ROWS
        assert second.rows_quarantined == overlap.defects == shared_defects + new_defects
        assert second.rows_loaded == half - new_defects
        assert second.rows_duplicate == half - shared_defects
        assert database.scalar("SELECT count(*) FROM usage") == ROWS + half - defects_in(0, ROWS + half)
        assert database.scalar("SELECT count(*) FROM usage_priced WHERE NOT priced") == 0

        config = load_config(workspace.config_path)
        month = parse_month(MONTH)
        allocation = allocate_month(database, config, month)
        chargeback = build_chargeback(database, config, month)
    finally:
        database.close()

    expected = _independent_costs([main_file.path, overlap.path])
    assert allocation.direct_cost == sum(expected.values())
    # cents are rounded per provider (largest remainder), and the fixed platform pool adds its amount exactly
    assert chargeback.total_actual + chargeback.total_shared == sum(to_cents(cost) for cost in expected.values()) + (
        Decimal("1500.00")
    )
    assert chargeback.total_chargeback == chargeback.total_actual + chargeback.total_shared
    assert chargeback.total_shared == Decimal("1500.00")
