"""LiteLLM spend logs -> disjoint token counts and attribution (acceptance criterion 6; conventions in
llmfinops/ingest/litellm.py and sql/litellm_spend_logs.sql)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from llmfinops.db.connection import Database
from llmfinops.ingest.load import ingest_files
from tests.conftest import CASES

BOTH = "litellm: prompt_tokens includes cache reads and writes"
READS_ONLY = "litellm: prompt_tokens includes cache reads only"
EXCLUDES = "litellm: prompt_tokens excludes cached tokens (anthropic convention)"

#: request_id -> (input, cache read, cache write, output, reasoning, token_convention)
TOKEN_CASES = {
    # OpenAI shape: prompt_tokens 1400 includes prompt_tokens_details.cached_tokens 1024.
    "chatcmpl-openai-cached": (376, 1024, 0, 330, 0, BOTH),
    # Anthropic, current LiteLLM: prompt 26303 = 100 uncached + 24950 read + 1253 written.
    "msg_conv_2": (100, 24950, 1253, 500, 0, BOTH),
    # Anthropic, LiteLLM between April 2025 and 1.77: prompt 25050 = 100 + 24950 read; writes not included.
    "msg_conv_3": (100, 24950, 1253, 500, 0, READS_ONLY),
    # Anthropic convention: prompt 12 excludes the 24950 read and 1253 written.
    "msg_conv_4": (12, 24950, 1253, 500, 0, EXCLUDES),
    # Reasoning is part of output (completion_tokens_details.reasoning_tokens).
    "chatcmpl-reasoning": (2000, 0, 0, 1500, 1200, BOTH),
    # cache_hit = "True" is LiteLLM's response cache: same counts as msg_conv_2.
    "msg_conv_6": (100, 24950, 1253, 500, 0, BOTH),
    # No usage_object at all, and cache_hit "True": nothing is cached.
    "chatcmpl-no-usage-object": (900, 0, 0, 100, 0, BOTH),
}


@pytest.fixture
def conventions(store: Database) -> dict[str, tuple]:
    ingest_files(store, [CASES / "litellm" / "token_conventions.csv"])
    rows = store.fetchall(
        "SELECT request_id, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, reasoning_tokens, "
        "token_convention FROM usage"
    )
    return {row[0]: row[1:] for row in rows}


@pytest.mark.parametrize("request_id", sorted(TOKEN_CASES))
def test_token_counts_are_stored_disjoint(conventions: dict[str, tuple], request_id: str) -> None:
    assert conventions[request_id] == TOKEN_CASES[request_id]


def test_cache_hit_does_not_change_cache_counts(conventions: dict[str, tuple]) -> None:
    assert conventions["msg_conv_6"] == conventions["msg_conv_2"]


def test_disjoint_counts_add_up_to_what_the_provider_billed(store: Database, conventions: dict[str, tuple]) -> None:
    """input + cache read + cache write is the whole prompt, whichever convention the row used."""
    whole_prompt = {"msg_conv_2": 26303, "msg_conv_3": 26303, "msg_conv_4": 12 + 24950 + 1253}
    for request_id, total in whole_prompt.items():
        input_tokens, cache_read, cache_write, *_ = conventions[request_id]
        assert input_tokens + cache_read + cache_write == total


def test_api_rows_map_attribution_status_time_and_reported_cost(store: Database) -> None:
    ingest_files(store, [CASES / "litellm" / "spend_logs_api.json"])
    rows = {
        row[0]: row[1:]
        for row in store.fetchall(
            "SELECT request_id, ts, provider, model, model_raw, operation, status, api_key_alias, team_id, team_alias, "
            "user_id, end_user, feature, environment, tags, reported_cost FROM usage"
        )
    }

    assert rows["chatcmpl-9a1f0c"] == (
        datetime(2026, 10, 2, 10, 15, 3, 120000),
        "openai",
        "gpt-4.1-2025-04-14",
        "gpt-4.1-2025-04-14",
        "chat",
        "success",
        "search-prod",
        "team-search",
        "search",
        "alice@corp.example",
        "cust_812",
        "rerank",
        "prod",
        {"feature": "rerank", "env": "prod"},
        Decimal("0.004125"),
    )
    anthropic = rows["msg_01XyZ"]
    assert anthropic[1:6] == (
        "anthropic",
        "claude-sonnet-4-5-20250929",
        "claude-sonnet-4-5-20250929",
        "chat",
        "success",
    )
    assert anthropic[7] == "team-devex"
    failed = rows["c3d1e2f0-0000-4b1a-9c1d-1f2e3d4c5b6a"]
    assert failed[5] == "failure"
    assert failed[14] == Decimal("0")
    assert store.fetchall("SELECT DISTINCT grain, origin, request_count FROM usage") == [("request", "gateway", 1)]
    # usage_priced resolves dated ids to the priced model through the aliases of pricing/*.yaml.
    assert sorted(store.fetchall("SELECT DISTINCT provider, model FROM usage_priced")) == [
        ("anthropic", "claude-sonnet-4-5"),
        ("openai", "gpt-4.1"),
    ]


def test_time_zone_offsets_are_converted_to_utc(store: Database, tmp_path) -> None:
    from tests.builders import litellm_row, write_litellm_json

    write_litellm_json(tmp_path / "tz.json", [litellm_row(1, startTime="2026-10-31T23:30:00-02:00")])

    ingest_files(store, [tmp_path / "tz.json"])

    assert store.scalar("SELECT ts FROM usage") == datetime(2026, 11, 1, 1, 30)
