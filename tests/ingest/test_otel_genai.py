"""OpenTelemetry GenAI spans (OTLP/JSON Lines) -> one usage row per inference span, disjoint token counts and
attribution (conventions in llmfinops/ingest/otel_genai.py and sql/otel_genai.sql)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.db.connection import Database
from llmfinops.errors import InputError
from llmfinops.ingest.containers import sample_file
from llmfinops.ingest.load import ingest_files
from llmfinops.ingest.registry import detect_format
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.conftest import CASES

TRACES = CASES / "otel_genai" / "traces.jsonl"
SEMCONV = "otel: input_tokens includes cache reads and writes"
EXCLUDES = "otel: input_tokens excludes cached tokens (anthropic convention)"

#: One malformed file per quarantine message: a good first line and a bad second one.
OTEL_QUARANTINE_CASES: dict[str, tuple[str, str | None, str]] = {
    "otel_genai/missing_resource_spans.jsonl": (
        "line 2, span 1",
        "resourceSpans",
        "missing; each line must be one OTLP TracesData object",
    ),
    "otel_genai/bad_trace_id.jsonl": ("line 2, span 1", "traceId", "'not-a-trace-id' is not 32 hex digits"),
    "otel_genai/missing_span_id.jsonl": ("line 2, span 1", "spanId", "missing"),
    "otel_genai/missing_start_time.jsonl": ("line 2, span 1", "startTimeUnixNano", "missing"),
    "otel_genai/bad_start_time.jsonl": (
        "line 2, span 1",
        "startTimeUnixNano",
        "'2026-10-02T10:15:03Z' is not a whole number of nanoseconds since 1970",
    ),
    "otel_genai/bad_input_tokens.jsonl": (
        "line 2, span 1",
        "gen_ai.usage.input_tokens",
        "'1.4k' is not a whole non-negative number",
    ),
    "otel_genai/negative_output_tokens.jsonl": (
        "line 2, span 1",
        "gen_ai.usage.output_tokens",
        "'-3' is not a whole non-negative number",
    ),
    "otel_genai/bad_cache_read_tokens.jsonl": (
        "line 2, span 1",
        "gen_ai.usage.cache_read.input_tokens",
        "'10.5' is not a whole non-negative number",
    ),
    "otel_genai/reasoning_over_output.jsonl": (
        "line 2, span 1",
        "gen_ai.usage.output_tokens",
        "smaller than its reasoning and audio output tokens",
    ),
    "otel_genai/missing_model.jsonl": (
        "line 2, span 1",
        "gen_ai.request.model",
        "missing (and no gen_ai.response.model)",
    ),
    "otel_genai/bad_cost.jsonl": ("line 2, span 1", "gen_ai.usage.cost", "'$0.05' is not a number"),
    "otel_genai/duplicate_span_in_line.jsonl": ("line 1, span 2", "spanId", "duplicate of span 1 in the same line"),
    "otel_genai/duplicate_span_across_lines.jsonl": (
        "line 2, span 1",
        "request_id",
        "duplicate of line 1 in the same file",
    ),
    "otel_genai/broken_line.jsonl": ("line 2", None, "not valid JSON"),
}


@pytest.fixture
def spans(store: Database) -> dict[str, tuple]:
    result = ingest_files(store, [TRACES]).files[0]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_duplicate) == (8, 8, 0, 0)
    rows = store.fetchall(
        "SELECT natural_key, request_id, ts, provider, model, model_raw, operation, service_tier, input_tokens, "
        "cache_read_tokens, cache_write_tokens, output_tokens, reasoning_tokens, status, user_id, team_alias, "
        "feature, environment, reported_cost, token_convention FROM usage"
    )
    return {row[0]: row[1:] for row in rows}


def test_file_is_detected_as_otlp_json_lines() -> None:
    assert detect_format(sample_file(TRACES)).name == "otel_genai"


def test_openai_span_with_cache_reads(spans: dict[str, tuple]) -> None:
    # input_tokens 1400 includes cache_read.input_tokens 1024 (semconv); response model and id preferred.
    assert spans["otel:5b8efff798038103d269b633813fc60c:eee19b7ec3c1b174"] == (
        "chatcmpl-9a1f0c",
        datetime(2026, 10, 2, 10, 15, 3, 120000),
        "openai",
        "gpt-4.1-2025-04-14",
        "gpt-4.1-2025-04-14",
        "chat",
        "standard",
        376,
        1024,
        0,
        330,
        0,
        "success",
        "alice@corp.example",
        "search",
        "search-api",
        "prod",
        None,
        SEMCONV,
    )


def test_anthropic_span_with_cache_reads_and_writes_inside_input(spans: dict[str, tuple]) -> None:
    # 26303 = 100 uncached + 24950 read + 1253 written
    row = spans["otel:0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331"]
    assert row[2:11] == (
        "anthropic",
        "claude-sonnet-4-5-20250929",
        "claude-sonnet-4-5-20250929",
        "chat",
        "standard",
        100,
        24950,
        1253,
        500,
    )
    assert row[15:] == ("code-review", "staging", None, SEMCONV)


def test_older_attribute_names_and_anthropic_native_input(spans: dict[str, tuple]) -> None:
    # gen_ai.system, prompt/completion_tokens, underscore cache names; prompt_tokens 12 excludes the cache.
    row = spans["otel:1f2e3d4c5b6a79881f2e3d4c5b6a7988:00f067aa0ba902b7"]
    assert row[2] == "anthropic"
    assert row[7:12] == (12, 24950, 1253, 2500, 0)
    assert row[17:] == (Decimal("0.0521"), EXCLUDES)


def test_reasoning_service_tier_failure_and_embeddings(spans: dict[str, tuple]) -> None:
    trace = "otel:4bf92f3577b34da6a3ce929d0e0e4736:"
    assert spans[trace + "00f067aa0ba902b8"][2:12] == (
        "openai",
        "o4-mini-2025-04-16",
        "o4-mini-2025-04-16",
        "chat",
        "flex",
        2000,
        0,
        0,
        1500,
        1200,
    )
    assert spans[trace + "00f067aa0ba902b9"][7:13] == (0, 0, 0, 0, 0, "failure")
    assert spans[trace + "00f067aa0ba902ba"][2:8] == (
        "bedrock",
        "amazon.titan-embed-text-v2:0",
        "amazon.titan-embed-text-v2:0",
        "embedding",
        "standard",
        800,
    )


def test_non_genai_and_tool_spans_are_not_usage(spans: dict[str, tuple]) -> None:
    # HTTP server, DB and execute_tool spans make no row and are not counted as read (8 rows from 12 spans).
    span_ids = {key.rsplit(":", 1)[1] for key in spans}
    assert not span_ids & {"eee19b7ec3c1b173", "eee19b7ec3c1b176", "00f067aa0ba902bb"}


def test_agent_usage_is_read_only_when_its_trace_has_no_inference_usage(spans: dict[str, tuple]) -> None:
    assert "otel:a3ce929d0e0e47364bf92f3577b34da6:1000000000000001" not in spans  # its child is counted
    assert spans["otel:a3ce929d0e0e47364bf92f3577b34da6:1000000000000002"][2:4] == ("vertex_ai", "gemini-2.5-flash")
    agent = spans["otel:b3ce929d0e0e47364bf92f3577b34da6:2000000000000001"]
    assert (agent[2], agent[5], agent[7], agent[10]) == ("azure", "invoke_agent", 500, 50)


def test_tags_keep_span_and_resource_attributes_including_unicode(store: Database) -> None:
    ingest_files(store, [TRACES])
    tags = store.scalar("SELECT tags FROM usage WHERE natural_key LIKE '%00f067aa0ba902b7'")
    assert tags["équipe"] == "données 🚀"
    assert tags["service.name"] == "recherche"
    assert not any(key.startswith("gen_ai.usage.") for key in tags)
    no_resource = store.scalar("SELECT tags FROM usage WHERE natural_key LIKE '%1000000000000002'")
    assert set(no_resource) == {"gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model"}
    finish = store.scalar(
        "SELECT tags['gen_ai.response.finish_reasons'] FROM usage WHERE request_id = 'chatcmpl-9a1f0c'"
    )
    assert json.loads(finish) == ["stop"]


def test_reingesting_an_overlapping_export_counts_duplicates(store: Database, tmp_path: Path) -> None:
    ingest_files(store, [TRACES])
    overlap = tmp_path / "overlap.jsonl"
    overlap.write_text(TRACES.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")

    result = ingest_files(store, [overlap]).files[0]

    assert (result.rows_read, result.rows_loaded, result.rows_duplicate) == (1, 0, 1)


@pytest.mark.parametrize("case", sorted(OTEL_QUARANTINE_CASES))
def test_malformed_span_is_quarantined_with_its_message(case: str, make_workspace: Callable[..., Workspace]) -> None:
    with open_store(make_workspace()) as database:
        result = ingest_files(database, [CASES / case]).files[0]
        quarantined = database.fetchall("SELECT location, field, reason FROM quarantine")
        loaded = int(database.scalar("SELECT count(*) FROM usage"))

    assert quarantined == [OTEL_QUARANTINE_CASES[case]]
    assert (result.rows_quarantined, result.rows_duplicate) == (1, 0)
    assert loaded == result.rows_loaded == result.rows_read - 1


def test_empty_file_is_refused(store: Database) -> None:
    with pytest.raises(InputError, match=r"empty\.jsonl: the file is empty"):
        ingest_files(store, [CASES / "otel_genai" / "empty.jsonl"])


#: Every file under cases/otel_genai/: the malformed ones above, the fixture and the whole-file error.
OTEL_CASE_FILES = set(OTEL_QUARANTINE_CASES) | {"otel_genai/traces.jsonl", "otel_genai/empty.jsonl"}


def test_every_otel_case_file_is_covered() -> None:
    on_disk = {str(path.relative_to(CASES)) for path in (CASES / "otel_genai").iterdir()}
    assert on_disk == OTEL_CASE_FILES
