"""Anthropic's own exports: the Admin API messages usage report and cost report (JSON pages), and the Console's
usage and cost CSVs. The two usage shapes feed `anthropic_usage`, the two cost shapes `anthropic_costs`.

Sources (shared/formats/providers.md §2): platform.claude.com Admin API reference (`usage_report/messages`,
`cost_report`), anthropics/claude-cookbooks `observability/usage_cost_api.ipynb`; for the Console CSVs, headers seen
alike in many independent third-party parsers and fixtures (Anthropic publishes no column list). Conventions the SQL
applies (docs/providers/anthropic.md has the field tables):

- Usage report token classes are disjoint: `uncached_input_tokens` is input, `cache_read_input_tokens` cache reads,
  `cache_creation.ephemeral_5m_input_tokens` + `ephemeral_1h_input_tokens` cache writes (the 1h part also in
  cache_write_1h_tokens), `output_tokens` all output, extended thinking included (the report has no reasoning
  count). `server_tool_use.web_search_requests` is web_search_count. The report has no request count: 0.
- A result without `model` (a report not grouped by model) cannot be priced and is rejected with the fix.
- `workspace_id` NULL means the Default workspace OR a report not grouped by workspace; the file cannot say which
  (the group_by is a query parameter, not in the response), so NULL is stored and documented as such.
- `account_id` (the user account of OAuth requests) is user_id; `service_account_id`, the tier, context window,
  inference geo and speed as written are tags.
- Tiers: standard -> standard, batch -> batch, priority and priority_on_demand -> priority, flex and flex_discount
  -> flex (the tiers price files know; pricing/anthropic.yaml has batch rates only, so priority and flex rows show
  as unpriced rather than priced at a guess). No tier (not grouped by service_tier) is standard. An unknown tier
  or context window is rejected, never priced at a guessed tier.
- `context_window` `200k-1M` (API) or a long value in the CSV sets long_context (long-context rates); `0-200k`,
  `≤ 200k` (U+2264) and no value are the base tier.
- An empty bucket (`results: []`) is skipped ("bucket with no usage" / "bucket with no costs") with its period.
- Cost report `amount` is a decimal string in cents: "123.45" USD is $1.2345, read in DECIMAL and multiplied by 0.01.
  Every result is a Usage line of the UTC day, billing period = UTC month; `description` is sku_description verbatim;
  `token_type` maps to token_class; non-token costs (web search, code execution, sessions) have token_class NULL.
  Priority Tier costs never appear in the cost report (claude-cookbooks): the usage report has them, reconciliation
  must expect the gap.
- Console usage CSV: `api_key` is the key's NAME (api_key_alias), `workspace` the workspace's NAME (workspace_id as
  written). Older files have one `usage_input_tokens_cache_write` column (read as 5-minute writes: 1-hour writes did
  not exist yet) and no inference_geo / speed. A UTF-8 BOM is read through.
- Console cost CSV: `cost_usd` is dollars (billed_cost), `list_price_usd` list_cost; `model` is a display name
  ("Claude Sonnet 4.5"), lower-cased and resolved through aliases in pricing/anthropic.yaml; `api_key_id` where the
  file has it, the key name in tags.

UNCONFIRMED (kept so until a primary source says otherwise):
- The cost report's exact `description` strings ("Claude Sonnet 4.5 Usage - Input Tokens, Cache Hit" is from
  third-party fixtures): read verbatim, never parsed; token_type is what classifies a line.
- The Console CSV header set over time (it drifts) and the single `usage_input_tokens_cache_write` column of older
  files (seen in one older parser).
- CSV `usage_type` values other than `standard` (usage CSV) and `message` (cost CSV): the API's tier names are
  assumed; the cost CSV's usage_type is kept as a tag only.
- The CSV's wording of the long-context window: `> 200k` and `200k-1M` are read as long; anything else is rejected.
- `speed` = `fast` (fast mode, beta) has its own prices that pricing/anthropic.yaml does not carry: such rows are
  priced at the standard rates of their tier; `speed` is kept in tags so they can be found.
- Whether the cost report or cost CSV ever carries credits or negative amounts: amounts are loaded as written.
"""

from __future__ import annotations

from llmfinops.ingest.base import FileSample, InputFormat

_BUCKET_SIGNATURE = frozenset({"starting_at", "ending_at", "results"})
#: Keys of a usage report result (any one of them tells it from a cost result).
_USAGE_RESULT_KEYS = frozenset({"uncached_input_tokens", "cache_read_input_tokens", "cache_creation", "output_tokens"})
_COST_RESULT_KEYS = frozenset({"amount", "currency"})
_USAGE_CSV_SIGNATURE = frozenset(
    {"usage_date_utc", "model_version", "usage_input_tokens_no_cache", "usage_input_tokens_cache_read"}
)
_COST_CSV_SIGNATURE = frozenset({"usage_date_utc", "model", "token_type", "cost_usd"})


def _detect_usage_api(sample: FileSample) -> bool:
    # A page whose buckets are all empty has no result keys to tell usage from cost: it is claimed by neither
    # (ingest it with --kind), since reading a cost page as usage would replace that period's usage with nothing.
    return (
        sample.container == "json"
        and sample.field_names >= _BUCKET_SIGNATURE
        and bool(sample.nested_field_names & _USAGE_RESULT_KEYS)
        and not sample.nested_field_names & _COST_RESULT_KEYS
    )


def _detect_cost_api(sample: FileSample) -> bool:
    return (
        sample.container == "json"
        and sample.field_names >= _BUCKET_SIGNATURE
        and sample.nested_field_names >= _COST_RESULT_KEYS
        and not sample.nested_field_names & _USAGE_RESULT_KEYS
    )


def _detect_usage_csv(sample: FileSample) -> bool:
    return sample.container == "csv" and sample.field_names >= _USAGE_CSV_SIGNATURE


def _detect_cost_csv(sample: FileSample) -> bool:
    return sample.container == "csv" and sample.field_names >= _COST_CSV_SIGNATURE


ANTHROPIC_USAGE_API = InputFormat(
    name="anthropic_usage_api",
    title="Anthropic Admin API messages usage report (GET /v1/organizations/usage_report/messages pages)",
    fields=("starting_at", "ending_at", "results"),
    sql_file="anthropic_usage_api.sql",
    sql_prelude="_anthropic_report_buckets.sql",
    detect=_detect_usage_api,
    part_word="result",
    timestamp_field="starting_at",
    feed="anthropic_usage",
)

ANTHROPIC_COST_API = InputFormat(
    name="anthropic_cost_api",
    title="Anthropic Admin API cost report (GET /v1/organizations/cost_report pages)",
    fields=("starting_at", "ending_at", "results"),
    sql_file="anthropic_cost_api.sql",
    sql_prelude="_anthropic_report_buckets.sql",
    detect=_detect_cost_api,
    part_word="result",
    timestamp_field="starting_at",
    targets=frozenset({"billing"}),
    feed="anthropic_costs",
    billing_document="cost_report",
    # `amount` is documented as a string; should a file carry it as a JSON number, it is still read exactly
    exact_json_numbers=True,
)

ANTHROPIC_USAGE_CSV = InputFormat(
    name="anthropic_usage_csv",
    title="Anthropic Console usage CSV (Usage page -> Export)",
    fields=(
        "usage_date_utc",
        "model_version",
        "api_key",
        "workspace",
        "usage_type",
        "context_window",
        "usage_input_tokens_no_cache",
        "usage_input_tokens_cache_write_5m",
        "usage_input_tokens_cache_write_1h",
        "usage_input_tokens_cache_write",
        "usage_input_tokens_cache_read",
        "usage_output_tokens",
        "web_search_count",
        "inference_geo",
        "speed",
    ),
    sql_file="anthropic_usage_csv.sql",
    detect=_detect_usage_csv,
    feed="anthropic_usage",
)

ANTHROPIC_COST_CSV = InputFormat(
    name="anthropic_cost_csv",
    title="Anthropic Console cost CSV (Cost page -> Export)",
    fields=(
        "usage_date_utc",
        "model",
        "workspace",
        "api_key",
        "usage_type",
        "context_window",
        "token_type",
        "cost_usd",
        "list_price_usd",
        "cost_type",
        "inference_geo",
        "speed",
        "api_key_id",
        "api_key_status",
    ),
    sql_file="anthropic_cost_csv.sql",
    detect=_detect_cost_csv,
    targets=frozenset({"billing"}),
    feed="anthropic_costs",
    billing_document="cost_report",
)

ANTHROPIC_FORMATS: tuple[InputFormat, ...] = (
    ANTHROPIC_USAGE_API,
    ANTHROPIC_COST_API,
    ANTHROPIC_USAGE_CSV,
    ANTHROPIC_COST_CSV,
)
