"""Portkey log exports: the JSON Lines of Exports -> Request Data, or of the Admin API's
`GET /v1/logs/exports/{id}/download`.

Sources (shared/formats/gateways.md §2): Portkey-AI/docs-core `product/observability/logs-export.mdx`, the log
export Admin API pages, portkey.ai/docs/product/observability/metadata. Conventions the SQL applies:

- `cost` is in cents (USD): divided by 100 exactly in DECIMAL. Rows whose `cost_currency` is not USD are refused.
- Tokens: `req_units` / `res_units` (the documented columns), else `prompt_tokens` / `completion_tokens` (the export
  filter names). Cached-token counts are not a documented column (they live only in `response.body`, which is never
  read), so cache counts are 0 and every prompt token is counted as uncached input.
- `metadata._user` is the end user (Portkey's reserved key); other metadata keys, `trace_id`, `config` and
  `prompt_slug` become tags. `virtual_key` is the key id; `workspace_slug` the workspace.
- A gateway cache hit (`cache_status` HIT / SEMANTIC HIT) did not reach the provider: status `cache_hit`.
- UNCONFIRMED: the `id` column (seen in a third-party consumer; the trace id and time are used without it), the
  `created_at` text format, and whether metadata arrives nested or as flattened `metadata.<key>` columns (only the
  nested object, or a JSON string of it, is read).
"""

from __future__ import annotations

from llmfinops.ingest.base import FileSample, InputFormat

_SIGNATURE = frozenset({"ai_org", "ai_model", "created_at"})


def _detect(sample: FileSample) -> bool:
    return sample.field_names >= _SIGNATURE


PORTKEY_LOGS = InputFormat(
    name="portkey",
    title="Portkey log export (JSON Lines)",
    fields=(
        "id",
        "trace_id",
        "created_at",
        "is_success",
        "ai_org",
        "ai_model",
        "req_units",
        "res_units",
        "prompt_tokens",
        "completion_tokens",
        "cost",
        "cost_currency",
        "response_status_code",
        "cache_status",
        "virtual_key",
        "workspace_slug",
        "config",
        "prompt_slug",
        "metadata",
    ),
    sql_file="portkey.sql",
    detect=_detect,
    private_fields=frozenset({"request.body", "response.body", "request", "response"}),
)
