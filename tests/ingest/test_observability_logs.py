"""OTLP GenAI spans and Langfuse observations: content never reaches the database, and the same requests written by
LiteLLM, an OpenTelemetry instrumentation and Langfuse give the same canonical counts and the same estimated cost."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmfinops.db.connection import Database
from llmfinops.ingest.load import ingest_files
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.builders import litellm_row, write_litellm_csv

MARKER = "SECRET-CONTENT-7f3a"


def _cells_anywhere(database: Database, needle: str) -> list[tuple[str, str]]:
    """Every (table, column) of every table in the database whose text holds the needle."""
    found = []
    tables = database.fetchall("SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'")
    for (table,) in tables:
        columns = database.fetchall(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            [table],
        )
        for (column,) in columns:
            hits = database.scalar(
                f'SELECT count(*) FROM "{table}" WHERE contains(CAST("{column}" AS VARCHAR), ?)', [needle]
            )
            if hits:
                found.append((table, column))
    return found


def _string(key: str, value: str) -> dict[str, Any]:
    return {"key": key, "value": {"stringValue": value}}


def _count(key: str, value: int | str) -> dict[str, Any]:
    return {"key": key, "value": {"intValue": str(value)}}


def _otlp_line(spans: list[dict[str, Any]], resource: list[dict[str, Any]] | None = None) -> str:
    return json.dumps(
        {
            "resourceSpans": [
                {
                    "resource": {"attributes": resource or [_string("service.name", "search-api")]},
                    "scopeSpans": [{"scope": {"name": "opentelemetry.instrumentation.openai_v2"}, "spans": spans}],
                }
            ]
        }
    )


def _span(span_id: str, attributes: list[dict[str, Any]], start: str, trace_id: str) -> dict[str, Any]:
    return {
        "traceId": trace_id,
        "spanId": span_id,
        "name": "chat",
        "kind": 3,
        "startTimeUnixNano": start,
        "endTimeUnixNano": start,
        "attributes": attributes,
        "status": {},
    }


def test_content_in_spans_never_reaches_the_database(store: Database, tmp_path: Path) -> None:
    content = [
        _string("gen_ai.input.messages", json.dumps([{"role": "user", "parts": [{"content": MARKER}]}])),
        _string("gen_ai.output.messages", json.dumps([{"role": "assistant", "parts": [{"content": MARKER}]}])),
        _string("gen_ai.system_instructions", MARKER),
        _string("gen_ai.prompt", MARKER),
        _string("gen_ai.completion.0.content", MARKER),
        _string("gen_ai.tool.call.arguments", MARKER),
    ]
    events = [{"timeUnixNano": "1", "name": "gen_ai.user.message", "attributes": [_string("content", MARKER)]}]
    usage = [
        _string("gen_ai.operation.name", "chat"),
        _string("gen_ai.provider.name", "openai"),
        _string("gen_ai.request.model", "gpt-4.1"),
        _count("gen_ai.usage.input_tokens", 10),
    ]
    good = {**_span("1000000000000001", usage + content, "1790936103120000000", "a" * 32), "events": events}
    bad = {
        **_span("1000000000000002", [*usage, _count("gen_ai.usage.output_tokens", "x"), *content], "1", "a" * 32),
        "events": events,
    }
    broken = _otlp_line([good])[:-40] + MARKER
    path = tmp_path / "traces.jsonl"
    path.write_text("\n".join([_otlp_line([good, bad]), broken]) + "\n", encoding="utf-8")
    assert path.read_text(encoding="utf-8").count(MARKER) == 21

    result = ingest_files(store, [path]).files[0]

    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    assert store.fetchall("SELECT location FROM quarantine ORDER BY record_number") == [
        ("line 1, span 2",),
        ("line 2",),
    ]
    assert "gen_ai.request.model" in store.scalar("SELECT raw_record FROM quarantine WHERE location LIKE '%span 2'")
    assert _cells_anywhere(store, MARKER) == []


def _observation(number: int, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": f"obs_{number}",
        "trace_id": "tr_1",
        "type": "GENERATION",
        "start_time": "2026-10-02 10:15:03.120000",
        "input": [{"role": "user", "content": MARKER}],
        "output": {"role": "assistant", "content": MARKER},
        "metadata": {"team": "search", "user_prompt": MARKER, "nested": {"messages": [MARKER]}},
        "provided_model_name": "gpt-4.1-2025-04-14",
        "usage_details": {"input": 10, "output": 2, "total": 12},
        "cost_details": {},
        "total_cost": None,
    }
    row.update(overrides)
    return row


def test_langfuse_input_and_output_never_reach_the_database(store: Database, tmp_path: Path) -> None:
    lines = [
        json.dumps(_observation(1)),
        json.dumps(_observation(2, start_time="soon")),  # quarantined by the SQL checks
        json.dumps(_observation(3))[:-30] + MARKER,  # not valid JSON
    ]
    path = tmp_path / "observations.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = ingest_files(store, [path]).files[0]

    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    assert "search" in store.scalar("SELECT raw_record FROM quarantine WHERE location = 'line 2'")
    assert _cells_anywhere(store, MARKER) == []


#: The same three requests: OpenAI with cache reads, Anthropic with cache reads and writes, OpenAI with reasoning.
#: (provider, model, uncached input, cache read, cache write, output, reasoning, start)
REQUESTS = (
    ("openai", "gpt-4.1-2025-04-14", 376, 1024, 0, 330, 0, "2026-10-02 10:15:03"),
    ("anthropic", "claude-sonnet-4-5-20250929", 100, 24950, 1253, 500, 0, "2026-10-02 10:16:00"),
    ("openai", "o4-mini-2025-04-16", 2000, 0, 0, 1500, 1200, "2026-10-02 10:18:00"),
)
_NANOS = {
    "2026-10-02 10:15:03": "1790936103000000000",
    "2026-10-02 10:16:00": "1790936160000000000",
    "2026-10-02 10:18:00": "1790936280000000000",
}


def _write_litellm(path: Path) -> Path:
    rows = []
    for number, (provider, model, uncached, read, write, output, reasoning, start) in enumerate(REQUESTS, 1):
        usage: dict[str, Any] = {"prompt_tokens": uncached + read + write, "completion_tokens": output}
        if provider == "anthropic":
            usage |= {"cache_read_input_tokens": read, "cache_creation_input_tokens": write}
        else:
            usage |= {
                "prompt_tokens_details": {"cached_tokens": read},
                "completion_tokens_details": {"reasoning_tokens": reasoning},
            }
        metadata = {**litellm_row()["metadata"], "usage_object": usage}
        rows.append(
            litellm_row(
                number,
                model=model,
                model_group=model,
                custom_llm_provider=provider,
                prompt_tokens=uncached + read + write,
                completion_tokens=output,
                total_tokens=uncached + read + write + output,
                startTime=start,
                metadata=metadata,
            )
        )
    return write_litellm_csv(path, rows)


def _write_otlp(path: Path) -> Path:
    spans = []
    for number, (provider, model, uncached, read, write, output, reasoning, start) in enumerate(REQUESTS, 1):
        attributes = [
            _string("gen_ai.operation.name", "chat"),
            _string("gen_ai.provider.name", provider),
            _string("gen_ai.response.model", model),
            _count("gen_ai.usage.input_tokens", uncached + read + write),  # the semconv: all input
            _count("gen_ai.usage.cache_read.input_tokens", read),
            _count("gen_ai.usage.cache_creation.input_tokens", write),
            _count("gen_ai.usage.output_tokens", output),
            _count("gen_ai.usage.reasoning.output_tokens", reasoning),
        ]
        spans.append(_span(f"{number:016x}", attributes, _NANOS[start], "b" * 32))
    path.write_text(_otlp_line(spans) + "\n", encoding="utf-8")
    return path


def _write_langfuse(path: Path) -> Path:
    lines = []
    for number, (provider, model, uncached, read, write, output, reasoning, start) in enumerate(REQUESTS, 1):
        if provider == "anthropic":
            details = {
                "input": uncached,
                "cache_read_input_tokens": read,
                "cache_creation_input_tokens": write,
                "output": output,
            }
        else:  # as Langfuse converts OpenAI usage: details subtracted from input and output
            details = {
                "input": uncached,
                "input_cached_tokens": read,
                "output": output - reasoning,
                "output_reasoning_tokens": reasoning,
            }
        details["total"] = uncached + read + write + output
        lines.append(
            json.dumps(
                {
                    "id": f"obs_{number}",
                    "trace_id": "tr_1",
                    "type": "GENERATION",
                    "start_time": start + ".000000",
                    "provided_model_name": model,
                    "usage_details": details,
                    "cost_details": {},
                    "total_cost": None,
                }
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_same_requests_give_the_same_counts_and_cost_in_every_format(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    results = {}
    for name, writer in (("litellm", _write_litellm), ("otel", _write_otlp), ("langfuse", _write_langfuse)):
        with open_store(make_workspace()) as database:
            path = writer(tmp_path / f"{name}.{'csv' if name == 'litellm' else 'jsonl'}")
            assert ingest_files(database, [path]).files[0].rows_loaded == 3
            results[name] = database.fetchall(
                "SELECT ts, provider, model_raw, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, "
                "reasoning_tokens, priced, estimated_cost FROM usage_priced ORDER BY ts"
            )

    expected_counts = [(provider, model, *counts) for provider, model, *counts, _ in REQUESTS]
    assert [row[1:8] for row in results["litellm"]] == expected_counts
    assert all(row[8] for row in results["litellm"])
    assert results["otel"] == results["litellm"]
    assert results["langfuse"] == results["litellm"]
