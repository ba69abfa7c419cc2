"""OpenRouter: generation records (`GET /api/v1/generation?id=` -> `{"data": {...}}`, saved as JSON Lines or a JSON
array of the `data` objects) and the daily activity export (`GET /api/v1/activity` -> `{"data": [...]}`).

Sources (shared/formats/gateways.md §4): openrouter.ai/docs `GenerationResponseData` and `ActivityItem` (SDK model
pages; wire names are snake_case). Conventions the SQL applies:

- `native_tokens_prompt` includes `native_tokens_cached`: OpenRouter reports usage in the OpenAI shape, where
  `prompt_tokens_details.cached_tokens` is a part of `prompt_tokens` (Helicone's OpenRouter usage processor
  subtracts it the same way). UNCONFIRMED for the generation endpoint's `native_*` fields in particular: a row
  whose cached count exceeds its prompt count is read as excluding them, and `token_convention` says which.
- There is no cache-write count in a generation record: cache writes stay inside `input_tokens`.
- `native_tokens_reasoning` is a part of `native_tokens_completion`.
- `total_cost` (USD, what OpenRouter charged) is `reported_cost`; for BYOK calls (`is_byok`) the provider's own bill
  (`upstream_inference_cost`) is not in it and is not read. `cache_discount` is informational and not read.
- `provider` is the model's author (`anthropic/claude-sonnet-4` -> anthropic), which prices it; `provider_name`
  (who served it) is a tag.
- A file of raw responses (`{"data": {...}}` per line) is not read: save the `data` objects (see docs/formats.md).
- Activity rows carry no cached-token count and no key or user: they are bucket rows (one a day, model and
  endpoint) with `request_count = requests`. Do not ingest them for days also covered by generation records.
"""

from __future__ import annotations

from llmfinops.ingest.base import FileSample, InputFormat

_GENERATION_SIGNATURE = frozenset({"id", "created_at", "model", "total_cost", "native_tokens_prompt"})
_ACTIVITY_SIGNATURE = frozenset({"date", "model", "requests", "prompt_tokens", "completion_tokens", "usage"})


def _detect_generations(sample: FileSample) -> bool:
    return sample.field_names >= _GENERATION_SIGNATURE


def _detect_activity(sample: FileSample) -> bool:
    return sample.field_names >= _ACTIVITY_SIGNATURE


OPENROUTER_GENERATIONS = InputFormat(
    name="openrouter_generations",
    title="OpenRouter generation records (GET /api/v1/generation data objects)",
    fields=(
        "id",
        "created_at",
        "model",
        "provider_name",
        "total_cost",
        "usage",
        "native_tokens_prompt",
        "native_tokens_completion",
        "native_tokens_cached",
        "native_tokens_reasoning",
        "is_byok",
        "cancelled",
        "api_type",
        "service_tier",
        "app_id",
        "origin",
        "external_user",
    ),
    sql_file="openrouter_generations.sql",
    detect=_detect_generations,
    # A generation record has no text, but files are often saved beside (or merged with) the chat response, whose
    # `choices` and request `messages` do: an unreadable line is therefore quarantined without its raw text.
    private_fields=frozenset({"choices", "messages"}),
)

OPENROUTER_ACTIVITY = InputFormat(
    name="openrouter_activity",
    title="OpenRouter daily activity (GET /api/v1/activity)",
    fields=(
        "date",
        "model",
        "model_permaslug",
        "endpoint_id",
        "provider_name",
        "usage",
        "byok_usage_inference",
        "requests",
        "prompt_tokens",
        "completion_tokens",
        "reasoning_tokens",
    ),
    sql_file="openrouter_activity.sql",
    detect=_detect_activity,
)
