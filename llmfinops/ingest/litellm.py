"""LiteLLM proxy spend logs: the `LiteLLM_SpendLogs` table as CSV (`COPY ... TO ... CSV HEADER`) or the JSON of
`GET /spend/logs` / `GET /spend/logs/ui`.

Sources (see shared/formats/gateways.md §1): BerriAI/litellm `schema.prisma` (model LiteLLM_SpendLogs),
`litellm/proxy/_types.py` (SpendLogsMetadata), `spend_management_endpoints.py`. Conventions the SQL applies:

- Cache counts exist only inside `metadata` (`usage_object`, or `additional_usage_values` in older rows).
  `cache_hit` is LiteLLM's own response cache, not provider prompt caching, so it is ignored.
- `prompt_tokens` includes cache reads and cache writes in current LiteLLM (anthropic `calculate_usage`
  since 1.77.1/1.77.2, bedrock converse since 1.78.0; checked in the released packages). Between PR #9838
  (April 2025) and then it included cache reads only. Rows where subtracting both would go negative are read
  with the older convention; `token_convention` records which one was used for each row.
- Claims that `anthropic_messages` rows exclude cached tokens (PR #23342) were not merged; those rows are read
  like the others. UNCONFIRMED against a live proxy.
- `messages`, `response` and `proxy_server_request` can hold prompt text: they are never read.
- LiteLLM's own `spend` (a float in USD) is kept as `reported_cost`, through its decimal text, never a float.
- Older exports lack `session_id`, `status`, `agent_id`, `custom_llm_provider` and more (older `SpendLogsPayload`):
  every non-key column is optional; the status then comes from `metadata.status` and the provider from the
  model prefix or a well-known `api_base` host.
"""

from __future__ import annotations

from llmfinops.ingest.base import FileSample, InputFormat

#: Every column of the `LiteLLM_SpendLogs` table in schema.prisma order (shared/formats/gateways.md §1.1), as
#: `COPY ... CSV HEADER` writes them. The parser reads only `LITELLM_SPEND_LOGS.fields` of them; test builders and
#: the sample-data generator write files with all of them.
SPEND_LOGS_TABLE_COLUMNS: tuple[str, ...] = (
    "request_id",
    "call_type",
    "api_key",
    "spend",
    "total_tokens",
    "prompt_tokens",
    "completion_tokens",
    "startTime",
    "endTime",
    "request_duration_ms",
    "completionStartTime",
    "model",
    "model_id",
    "model_group",
    "custom_llm_provider",
    "api_base",
    "user",
    "metadata",
    "cache_hit",
    "cache_key",
    "request_tags",
    "team_id",
    "organization_id",
    "end_user",
    "requester_ip_address",
    "messages",
    "response",
    "session_id",
    "status",
    "mcp_namespaced_tool_name",
    "agent_id",
    "proxy_server_request",
)
_SIGNATURE = frozenset({"request_id", "call_type", "spend", "startTime", "prompt_tokens", "completion_tokens"})


def _detect(sample: FileSample) -> bool:
    return sample.field_names >= _SIGNATURE


LITELLM_SPEND_LOGS = InputFormat(
    name="litellm_spend_logs",
    title="LiteLLM proxy spend logs (LiteLLM_SpendLogs CSV, /spend/logs JSON)",
    fields=(
        "request_id",
        "call_type",
        "api_key",
        "spend",
        "total_tokens",
        "prompt_tokens",
        "completion_tokens",
        "startTime",
        "endTime",
        "model",
        "model_id",
        "model_group",
        "custom_llm_provider",
        "api_base",
        "user",
        "metadata",
        "request_tags",
        "team_id",
        "organization_id",
        "end_user",
        "session_id",
        "status",
    ),
    sql_file="litellm_spend_logs.sql",
    detect=_detect,
    private_fields=frozenset({"messages", "response", "proxy_server_request"}),
    timestamp_field="startTime",
    # metadata may carry proxy_server_request, requester_metadata or error text (prompt text); keep what
    # explains a rejection: attribution, tags and usage.
    quarantine_json_keys={
        "metadata": (
            "user_api_key_alias",
            "user_api_key_team_id",
            "user_api_key_team_alias",
            "user_api_key_user_id",
            "user_api_key_project_id",
            "spend_logs_metadata",
            "usage_object",
            "additional_usage_values",
            "status",
        )
    },
)
