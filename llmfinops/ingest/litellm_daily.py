"""LiteLLM's daily aggregate tables (`LiteLLM_DailyUserSpend`, `..TeamSpend`, `..TagSpend`, `..OrganizationSpend`,
`..EndUserSpend`, `..AgentSpend`) as CSV (`COPY ... CSV HEADER`) or a JSON array of their rows: bucket-grain usage.

Sources (shared/formats/gateways.md §1.5): BerriAI/litellm `schema.prisma` (the six models share one shape; only
the entity column differs) and `litellm/proxy/db/db_spend_update_writer.py`
(`_common_add_spend_log_transaction_to_daily_transaction`), which shows how a row is built from a spend log:

- `prompt_tokens` / `completion_tokens` / `spend` are the spend log's own values, summed; `cache_read_input_tokens`
  and `cache_creation_input_tokens` are `metadata.usage_object`'s, summed. So `prompt_tokens` follows the spend
  log's convention (it includes cache reads, and in current LiteLLM cache writes too) and the same newest-first
  rule as litellm.py turns it into uncached input; `token_convention` records the one applied to each row.
- `date` is the date part of the request's `startTime` as LiteLLM wrote it (UTC assumed, as for spend logs).
- The tag table gets one row per tag of a request, so a request with N tags is counted N times. Its rows load
  under the natural key family `litellm-daily-tag:` (and `sources.format = 'litellm_daily_tag_spend'`) so that
  reports can keep them apart; they must never be added to request-level usage or to another daily table.
- Each daily table is a complete roll-up of the same spend logs by one entity, so no two of them (nor a daily
  table and the spend logs of the same days) may be summed either: their natural key families keep them apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmfinops.db.sqltext import quote_identifier
from llmfinops.ingest.base import FileSample, InputFormat

#: The columns all six daily tables share (schema.prisma); `endpoint` and the cache and request counts are
#: missing from the oldest versions and read as absent.
_COMMON_FIELDS: tuple[str, ...] = (
    "id",
    "date",
    "api_key",
    "model",
    "model_group",
    "custom_llm_provider",
    "mcp_namespaced_tool_name",
    "endpoint",
    "prompt_tokens",
    "completion_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "spend",
    "api_requests",
    "successful_requests",
    "failed_requests",
)
_SIGNATURE = frozenset({"id", "date", "api_key", "prompt_tokens", "completion_tokens", "spend"})
#: table word -> entity column, in schema.prisma.
_ENTITY_COLUMNS: dict[str, str] = {
    "user": "user_id",
    "team": "team_id",
    "tag": "tag",
    "organization": "organization_id",
    "end_user": "end_user_id",
    "agent": "agent_id",
}
#: The tag table's key family (a request with two tags is in two rows). Like every daily table it rolls up the
#: spend logs, so its rows are kept out of totals (InputFormat.rollup_of).
TAG_KEY_FAMILY = "litellm-daily-tag"


@dataclass(frozen=True)
class LiteLLMDailyFormat(InputFormat):
    """One daily table: the shared SQL template with this table's entity column and key family filled in."""

    table_word: str = ""
    entity_column: str = ""
    key_family: str = ""

    def normalise_sql(self) -> str:
        return (
            super()
            .normalise_sql()
            .replace("__ENTITY__", quote_identifier(self.entity_column))
            .replace("__TABLE__", self.table_word)
            .replace("__FAMILY__", self.key_family)
        )


def _detector(entity_column: str):
    others = frozenset(_ENTITY_COLUMNS.values()) - {entity_column}

    def detect(sample: FileSample) -> bool:
        # the entity column names the table; a file with two of them is not one of these tables
        return sample.field_names >= _SIGNATURE | {entity_column} and not (sample.field_names & others)

    return detect


def _daily_format(table_word: str, table_name: str) -> LiteLLMDailyFormat:
    entity_column = _ENTITY_COLUMNS[table_word]
    return LiteLLMDailyFormat(
        name=f"litellm_daily_{table_word}_spend",
        title=f"LiteLLM daily aggregates by {table_word.replace('_', ' ')} ({table_name} CSV or JSON)",
        fields=(entity_column, *_COMMON_FIELDS),
        sql_file="litellm_daily_spend.sql",
        detect=_detector(entity_column),
        table_word=table_word,
        entity_column=entity_column,
        key_family=TAG_KEY_FAMILY if table_word == "tag" else f"litellm-daily-{table_word.replace('_', '-')}",
        rollup_of="litellm_spend_logs",
    )


LITELLM_DAILY_USER_SPEND = _daily_format("user", "LiteLLM_DailyUserSpend")
LITELLM_DAILY_TEAM_SPEND = _daily_format("team", "LiteLLM_DailyTeamSpend")
LITELLM_DAILY_TAG_SPEND = _daily_format("tag", "LiteLLM_DailyTagSpend")
LITELLM_DAILY_ORGANIZATION_SPEND = _daily_format("organization", "LiteLLM_DailyOrganizationSpend")
LITELLM_DAILY_END_USER_SPEND = _daily_format("end_user", "LiteLLM_DailyEndUserSpend")
LITELLM_DAILY_AGENT_SPEND = _daily_format("agent", "LiteLLM_DailyAgentSpend")

LITELLM_DAILY_FORMATS: tuple[LiteLLMDailyFormat, ...] = (
    LITELLM_DAILY_USER_SPEND,
    LITELLM_DAILY_TEAM_SPEND,
    LITELLM_DAILY_TAG_SPEND,
    LITELLM_DAILY_ORGANIZATION_SPEND,
    LITELLM_DAILY_END_USER_SPEND,
    LITELLM_DAILY_AGENT_SPEND,
)
