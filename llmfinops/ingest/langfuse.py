"""Langfuse observations: the blob-storage / batch export of the `observations` table (legacy `observations/` and
enriched `observations_v2/`, snake_case, CSV / JSON / JSON Lines) and the public API's observation lists
(`GET /api/public/observations`, v1 and v2, camelCase, `{"data": [...], "meta": {...}}`).

Sources (see shared/formats/gateways.md §7): langfuse/langfuse-docs `token-and-cost-tracking.mdx`, the ClickHouse
`observations` DDL, the "Blob Storage Export Field Reference" page and the `ObservationsView` API schema; Langfuse's
ingestion code (`OpenAICompletionUsageSchema` / `OpenAIResponseUsageSchema` in langfuse/langfuse, and the LangChain
handler's `_parse_usage_model` in langfuse-python). Conventions the SQL applies:

- `usage_details` / `cost_details` are maps with arbitrary keys. Langfuse's own ingestion turns OpenAI usage into
  `input` = prompt_tokens minus every `prompt_tokens_details` entry, each detail kept as `input_<key>`
  (`input_cached_tokens`, `input_audio_tokens`), and likewise for output (`output_reasoning_tokens`); the LangChain
  handler does the same for `input_token_details` (`input_cache_read`, `input_cache_creation`). Anthropic-style keys
  (`cache_read_input_tokens`, `cache_creation_input_tokens`) are never part of `input`. So keys are disjoint and
  `total` is their sum, which is the default reading. A record whose `total` equals input + output (+ the
  Anthropic-style cache keys) while the sum of all keys is larger was written by a client that sent details as
  parts of input/output (shared/formats/gateways.md §7's example): its `input_*` cache keys are subtracted from
  `input` and its `output_*` details are taken as inside `output`. `token_convention` records which reading applied.
- Key rules: a key containing `cache` is a cache write if it also contains `creat` or `write`, else a cache read;
  `input` / `output` are the base counts; other `input*` / `output*` keys are details (reasoning and audio are
  recognised by name); keys containing `modality` or `ephemeral` are breakdowns of tokens counted under another key
  and are ignored (the 1-hour part of `ephemeral_1h*` is kept as cache_write_1h_tokens); `total` only decides the
  reading; any other key (`images`, `characters`, ...) is not a token count and is ignored.
- `total_cost`, else `cost_details.total`, else the API's deprecated `calculatedTotalCost` is `reported_cost` (USD,
  Langfuse's own estimate from its model prices), read from its decimal text into DECIMAL.
- Langfuse stores no provider: it is taken from LangChain's `metadata.ls_provider`, a `provider/` model prefix, or
  the model family (UNCONFIRMED for models routed through clouds under their plain names).
- `input`, `output` (prompt and completion), `model_parameters`, tool definitions and calls are never read.
  `metadata` is read, but only its plain entries whose key cannot name content become tags.
- Only observations of type GENERATION or EMBEDDING, or of any other type with a non-zero usage count, are usage
  rows. SPAN, EVENT, AGENT, TOOL, ... observations without usage are not usage: no row, counted nowhere (not read,
  not quarantined). Counting them as "read, skipped" would need a loader change.
"""

from __future__ import annotations

from llmfinops.ingest.base import FileSample, InputFormat

_USAGE_FIELDS = frozenset({"usage_details", "usageDetails", "cost_details", "costDetails", "total_cost", "totalCost"})


def _detect(sample: FileSample) -> bool:
    names = sample.field_names
    has_trace = "trace_id" in names or "traceId" in names
    return {"id", "type"} <= names and has_trace and bool(names & _USAGE_FIELDS)


LANGFUSE_OBSERVATIONS = InputFormat(
    name="langfuse",
    title="Langfuse observations (blob storage / UI export CSV, JSON, JSON Lines; public API observation lists)",
    fields=(
        "id",
        "trace_id",
        "traceId",
        "project_id",
        "projectId",
        "environment",
        "type",
        "start_time",
        "startTime",
        "name",
        "metadata",
        "level",
        "provided_model_name",
        "providedModelName",
        "model",
        "usage_details",
        "usageDetails",
        "cost_details",
        "costDetails",
        "total_cost",
        "totalCost",
        "calculatedTotalCost",
        "user_id",
        "userId",
        "session_id",
        "sessionId",
        "tags",
        "release",
        "trace_name",
        "traceName",
        "prompt_name",
        "promptName",
    ),
    sql_file="langfuse.sql",
    detect=_detect,
    # input and output hold the prompt and the completion; a record that cannot be parsed keeps no raw text.
    private_fields=frozenset({"input", "output"}),
    # metadata may hold anything a client logged; a quarantined row keeps only attribution keys of it.
    quarantine_json_keys={"metadata": ("team", "feature", "environment", "ls_provider", "ls_model_name")},
)
