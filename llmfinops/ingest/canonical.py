"""llmfinops' own request format (docs/formats.md), for any source without a parser: CSV or JSON Lines whose
fields are the canonical usage columns, with token counts already disjoint (input_tokens is uncached input)."""

from __future__ import annotations

from llmfinops.ingest.base import FileSample, InputFormat

_SIGNATURE = frozenset({"request_id", "ts", "provider", "model", "input_tokens", "output_tokens"})


def _detect(sample: FileSample) -> bool:
    return sample.field_names >= _SIGNATURE


CANONICAL_REQUESTS = InputFormat(
    name="canonical",
    title="llmfinops canonical requests (CSV or JSON Lines, docs/formats.md)",
    fields=(
        "request_id",
        "ts",
        "provider",
        "model",
        "operation",
        "service_tier",
        "input_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "output_tokens",
        "reasoning_tokens",
        "cache_write_1h_tokens",
        "input_audio_tokens",
        "output_audio_tokens",
        "image_count",
        "web_search_count",
        "request_count",
        "status",
        "api_key_id",
        "api_key_alias",
        "project",
        "workspace",
        "user",
        "end_user",
        "team",
        "feature",
        "environment",
        "tags",
        "reported_cost",
    ),
    sql_file="canonical.sql",
    timestamp_field="ts",
    detect=_detect,
)
