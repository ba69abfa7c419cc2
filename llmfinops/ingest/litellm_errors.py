"""LiteLLM proxy error logs: the `LiteLLM_ErrorLogs` table as CSV (`COPY ... CSV HEADER`) or a JSON array of its
rows, as failed requests with no tokens and no cost.

Source (shared/formats/gateways.md §1.1): BerriAI/litellm `schema.prisma`, model `LiteLLM_ErrorLogs`: `request_id`,
`startTime`, `endTime`, `api_base`, `model_group`, `litellm_model_name`, `model_id`, `request_kwargs`,
`exception_type`, `exception_string`, `status_code`. The table has no token, cost or attribution columns.

- `request_kwargs` holds the call's arguments (the messages) and `exception_string` can quote them: never read.
- A failure that LiteLLM also wrote to spend logs (status 'failure') has a different natural key family
  (`litellm-error:` vs `litellm:`), so both load; whether one failure lands in both tables is UNCONFIRMED.
"""

from __future__ import annotations

from llmfinops.ingest.base import FileSample, InputFormat

_SIGNATURE = frozenset({"request_id", "startTime", "model_group", "exception_type"})


def _detect(sample: FileSample) -> bool:
    return sample.field_names >= _SIGNATURE


LITELLM_ERROR_LOGS = InputFormat(
    name="litellm_error_logs",
    title="LiteLLM proxy error logs (LiteLLM_ErrorLogs CSV or JSON)",
    fields=(
        "request_id",
        "startTime",
        "endTime",
        "api_base",
        "model_group",
        "litellm_model_name",
        "model_id",
        "exception_type",
        "status_code",
    ),
    sql_file="litellm_error_logs.sql",
    timestamp_field="startTime",
    detect=_detect,
    private_fields=frozenset({"request_kwargs", "exception_string"}),
)
