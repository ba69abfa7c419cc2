"""Langfuse observations (exports and API lists) -> one usage row per observation with usage, disjoint token counts
whatever the usage_details keys, attribution and exact reported costs (conventions in llmfinops/ingest/langfuse.py
and sql/langfuse.sql)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest

from llmfinops.db.connection import Database
from llmfinops.errors import InputError
from llmfinops.ingest.containers import sample_file
from llmfinops.ingest.load import ingest_files
from llmfinops.ingest.registry import detect_format
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.conftest import CASES

LANGFUSE = CASES / "langfuse"
DISJOINT = "langfuse: usage_details keys are disjoint (Langfuse convention)"
INSIDE = "langfuse: input_* and output_* details inside input and output (total = input + output)"

LANGFUSE_QUARANTINE_CASES: dict[str, tuple[str, str | None, str]] = {
    "langfuse/missing_id.jsonl": ("line 2", "id", "missing; every observation has one"),
    "langfuse/missing_type.jsonl": ("line 2", "type", "missing"),
    "langfuse/missing_start_time.jsonl": ("line 2", "start_time", "missing"),
    "langfuse/bad_start_time.jsonl": ("line 2", "start_time", "'02/10/2026 10:15' is not a timestamp"),
    "langfuse/bad_usage_details.jsonl": ("line 2", "usage_details", "not a JSON object"),
    "langfuse/fractional_usage_count.jsonl": (
        "line 2",
        "usage_details",
        "'input' is '12.5', not a whole non-negative number",
    ),
    "langfuse/negative_usage_count.jsonl": (
        "line 2",
        "usage_details",
        "'output_reasoning_tokens' is '-1', not a whole non-negative number",
    ),
    "langfuse/bad_cost_details.jsonl": ("line 2", "cost_details", "not a JSON object"),
    "langfuse/bad_total_cost.jsonl": ("line 2", "total_cost", "'0,0039' is not a number"),
    "langfuse/bad_metadata.jsonl": ("line 2", "metadata", "not a JSON object"),
    "langfuse/bad_tags.jsonl": ("line 2", "tags", "not a JSON array"),
    "langfuse/missing_model.jsonl": ("line 2", "provided_model_name", "missing on an observation with usage"),
    "langfuse/duplicate_id.jsonl": ("line 2", "request_id", "duplicate of line 1 in the same file"),
    "langfuse/extra_field.csv": ("row 2", None, "unreadable record: Expected Number of Columns: 25 Found: 26"),
}
WELL_FORMED = {"langfuse/observations.jsonl", "langfuse/observations_api.json", "langfuse/observations_export.csv"}
WHOLE_FILE_ERRORS = {"langfuse/truncated.json"}
#: Every file under cases/langfuse/.
LANGFUSE_CASE_FILES = set(LANGFUSE_QUARANTINE_CASES) | WELL_FORMED | WHOLE_FILE_ERRORS

COLUMNS = (
    "natural_key, ts, provider, model, model_raw, operation, input_tokens, cache_read_tokens, cache_write_tokens, "
    "output_tokens, reasoning_tokens, status, project_id, user_id, team_alias, feature, environment, reported_cost, "
    "token_convention"
)


def _rows(store: Database) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in store.fetchall(f"SELECT {COLUMNS} FROM usage")}


@pytest.fixture
def observations(store: Database) -> dict[str, tuple]:
    result = ingest_files(store, [LANGFUSE / "observations.jsonl"]).files[0]
    # 10 observations: a SPAN and an EVENT without usage are not usage rows and are not counted
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (8, 8, 0)
    return _rows(store)


@pytest.mark.parametrize("name", sorted(WELL_FORMED))
def test_files_are_detected_as_langfuse(name: str) -> None:
    assert detect_format(sample_file(CASES / name)).name == "langfuse"


def test_openai_usage_as_langfuse_converts_it(observations: dict[str, tuple]) -> None:
    # Langfuse subtracted input_cached_tokens from input: 376 + 1024 + 330 = total 1730.
    assert observations["langfuse:obs_01"] == (
        datetime(2026, 10, 2, 10, 16, 3, 120000),
        "openai",
        "gpt-4.1-2025-04-14",
        "gpt-4.1-2025-04-14",
        "chat",
        376,
        1024,
        0,
        330,
        0,
        "success",
        "proj_a",
        "alice@corp.example",
        "search",
        "search",
        "production",
        Decimal("0.003904"),
        DISJOINT,
    )


def test_anthropic_cache_keys_are_separate_from_input(observations: dict[str, tuple]) -> None:
    row = observations["langfuse:obs_02"]
    assert row[1:10] == (
        "anthropic",
        "claude-sonnet-4-5-20250929",
        "claude-sonnet-4-5-20250929",
        "chat",
        100,
        24950,
        1253,
        500,
        0,
    )
    assert (row[13], row[14], row[16]) == ("devex", "code-review", Decimal("0.01998375"))


def test_reasoning_is_added_back_into_output(observations: dict[str, tuple]) -> None:
    assert observations["langfuse:obs_03"][5:10] == (2000, 0, 0, 1500, 1200)


def test_details_sent_inside_input_are_not_counted_twice(observations: dict[str, tuple]) -> None:
    # total 1730 = input 1400 + output 330: input_cached_tokens 1024 is a part of input here.
    row = observations["langfuse:obs_07"]
    assert row[5:10] == (376, 1024, 0, 330, 0)
    assert row[17] == INSIDE


def test_langchain_cache_keys_and_ls_provider(observations: dict[str, tuple]) -> None:
    row = observations["langfuse:obs_08"]
    assert row[1] == "anthropic"
    assert row[5:9] == (100, 24950, 1253, 500)
    assert row[16] is None  # no cost in the export


def test_error_embedding_unicode_tags_and_missing_tags(observations: dict[str, tuple], store: Database) -> None:
    assert observations["langfuse:obs_04"][5:11] == (0, 0, 0, 0, 0, "failure")
    embedding = observations["langfuse:obs_09"]
    assert (embedding[1], embedding[4], embedding[5], embedding[12], embedding[14]) == (
        "openai",
        "embedding",
        800,
        "zoë@corp.example",
        "résumé",
    )
    assert store.scalar("SELECT tags['équipe'] FROM usage WHERE request_id = 'obs_09'") == "données 🚀"
    bedrock = observations["langfuse:obs_10"]
    assert (bedrock[1], bedrock[15]) == ("bedrock", "default")
    assert set(store.scalar("SELECT tags FROM usage WHERE request_id = 'obs_10'")) == {
        "langfuse.trace_id",
        "langfuse.observation_name",
    }


def test_metadata_keys_that_can_name_content_are_not_tags(store: Database) -> None:
    ingest_files(store, [LANGFUSE / "observations.jsonl"])
    tags = store.scalar("SELECT tags FROM usage WHERE request_id = 'obs_01'")
    assert "prompt_template" not in tags
    assert tags["team"] == "search"


def test_spans_and_events_without_usage_make_no_row(observations: dict[str, tuple]) -> None:
    assert not {"langfuse:obs_05", "langfuse:obs_06"} & set(observations)


def test_api_list_with_camel_case_fields(store: Database) -> None:
    result = ingest_files(store, [LANGFUSE / "observations_api.json"]).files[0]
    rows = _rows(store)

    assert (result.rows_read, result.rows_loaded) == (2, 2)
    assert rows["langfuse:3f1c2a9e-obs-a"][0:2] == (datetime(2026, 10, 3, 8, 0), "openai")
    assert rows["langfuse:3f1c2a9e-obs-a"][11:17] == (
        "proj_a",
        "alice@corp.example",
        "search",
        "search",
        "production",
        Decimal("0.003904"),
    )
    # an offset is converted to UTC; WARNING is not a failure
    assert rows["langfuse:3f1c2a9e-obs-c"][0:11] == (
        datetime(2026, 10, 3, 6, 5),
        "anthropic",
        "claude-sonnet-4-5-20250929",
        "claude-sonnet-4-5-20250929",
        "chat",
        100,
        24950,
        1253,
        500,
        0,
        "success",
    )


def test_csv_export_with_byte_order_mark_and_crlf(store: Database) -> None:
    result = ingest_files(store, [LANGFUSE / "observations_export.csv"]).files[0]
    rows = _rows(store)

    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 2, 0)
    assert rows["langfuse:obs_21"][1:10] == (
        "openai",
        "o4-mini-2025-04-16",
        "o4-mini-2025-04-16",
        "chat",
        2000,
        0,
        0,
        1500,
        1200,
    )
    assert rows["langfuse:obs_21"][14:17] == ("scoring", "production", Decimal("0.0088"))
    assert rows["langfuse:obs_23"][1:2] == ("gemini",)


@pytest.mark.parametrize("case", sorted(LANGFUSE_QUARANTINE_CASES))
def test_malformed_observation_is_quarantined_with_its_message(
    case: str, make_workspace: Callable[..., Workspace]
) -> None:
    with open_store(make_workspace()) as database:
        result = ingest_files(database, [CASES / case]).files[0]
        quarantined = database.fetchall("SELECT location, field, reason FROM quarantine")
        loaded = int(database.scalar("SELECT count(*) FROM usage"))

    assert quarantined == [LANGFUSE_QUARANTINE_CASES[case]]
    assert (result.rows_quarantined, result.rows_duplicate) == (1, 0)
    assert loaded == result.rows_loaded == result.rows_read - 1


def test_truncated_json_is_refused_with_its_line(store: Database) -> None:
    with pytest.raises(InputError, match=r"truncated\.json: line 1: not valid JSON at the start of the file"):
        ingest_files(store, [LANGFUSE / "truncated.json"])


def test_every_langfuse_case_file_is_covered() -> None:
    on_disk = {str(path.relative_to(CASES)) for path in LANGFUSE.iterdir()}
    assert on_disk == LANGFUSE_CASE_FILES
