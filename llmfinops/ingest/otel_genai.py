"""OpenTelemetry GenAI spans in OTLP/JSON files: the OTLP file exporter's JSON Lines, one `TracesData` per line
(`resourceSpans[] -> resource.attributes[] + scopeSpans[] -> spans[]`), as the Collector's `file` exporter writes.

Sources (see shared/formats/gateways.md §6): open-telemetry/semantic-conventions v1.41.0 `model/gen-ai/registry.yaml`
and `deprecated/registry-deprecated.yaml` (the GenAI conventions have since moved to semantic-conventions-genai;
every attribute is still `development`), opentelemetry-proto `examples/trace.json` and the OTLP "JSON Protobuf
Encoding" rules. Conventions the SQL applies:

- One usage row per GenAI *inference* span: `gen_ai.operation.name` in chat, generate_content, text_completion,
  embeddings, or any other span with a `gen_ai.usage.*` attribute. Spans of other operations (execute_tool,
  retrieval, and invoke_agent / invoke_workflow / create_agent without usage) and non-GenAI spans (HTTP, DB, ...)
  are not usage: the SQL emits no row for them, so they are counted nowhere (not in rows read, not quarantined),
  exactly like blank lines. Counting them as "read, skipped" would need a loader change.
- An invoke_agent / invoke_workflow span that carries usage is read only when no inference span of the same trace
  in the file carries usage: agent frameworks may put their children's sum on the agent span, and counting both
  would double the trace. UNCONFIRMED which frameworks do which; this reads each trace's usage once either way.
- `gen_ai.usage.input_tokens` "SHOULD include all types of input tokens, including cached tokens", and cache reads
  and creations "SHOULD be included" in it (semconv v1.41.0, confirmed in the registry text). Instrumentations that
  copy Anthropic's own `input_tokens` (which excludes cached tokens) exist, and some write the older underscore
  names (`gen_ai.usage.cache_read_input_tokens`, `..._cache_creation_input_tokens`). As for LiteLLM, the first
  reading that leaves a non-negative uncached count is applied, newest first, and `token_convention` records it.
- Older names are read when the new ones are absent: `gen_ai.system` for `gen_ai.provider.name`,
  `gen_ai.usage.prompt_tokens` / `completion_tokens` for `input_tokens` / `output_tokens`.
- Content is never kept: `gen_ai.prompt*`, `gen_ai.completion*`, `gen_ai.input.messages`, `gen_ai.output.messages`,
  `gen_ai.system_instructions`, tool definitions / arguments / results and the OpenInference / OpenLLMetry /
  Langfuse equivalents are dropped before any other step reads the attributes, and span events and links are never
  read. The whole line is read into a temporary table (it is one JSON field), never stored.
- `gen_ai.usage.cost` is not in the semconv; where an instrumentation writes it, it is kept as `reported_cost`
  and taken to be USD (UNCONFIRMED: no spec names its currency).
"""

from __future__ import annotations

from llmfinops.ingest.base import FileSample, InputFormat


def _detect(sample: FileSample) -> bool:
    return "resourceSpans" in sample.field_names


OTEL_GENAI_SPANS = InputFormat(
    name="otel_genai",
    title="OpenTelemetry GenAI spans (OTLP/JSON Lines, one TracesData per line)",
    fields=("resourceSpans",),
    sql_file="otel_genai.sql",
    detect=_detect,
    # A line that cannot be parsed may hold content attributes or events, so its text is not kept.
    private_fields=frozenset({"resourceSpans"}),
    part_word="span",
)
