"""What an input format is: the one small interface every format module implements.

A format never loops over rows in Python. It declares which source fields it reads (as text) and ships one SQL
file that turns the relation `raw_records(record_number, <fields>)` into canonical usage rows plus a rejection
(field and reason) for rows that fail validation. The loader does the rest (reading, counting, dedupe, loading).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Literal

Container = Literal["csv", "json", "jsonl", "parquet"]
Target = Literal["usage", "billing"]
BillingDocument = Literal["invoice", "cost_report"]

#: The columns a format's SQL must select, in this order (the `usage` table's columns plus the rejection).
USAGE_COLUMNS: tuple[str, ...] = (
    "natural_key",
    "request_id",
    "grain",
    "origin",
    "ts",
    "provider",
    "model",
    "model_raw",
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
    "project_id",
    "workspace_id",
    "user_id",
    "end_user",
    "team_id",
    "team_alias",
    "feature",
    "environment",
    "tags",
    "reported_cost",
    "token_convention",
)
#: The columns of a billed line (the `billing` table, named after FOCUS columns where one exists). A format that
#: loads both usage and billing (a CUR line is usage and a billed amount) selects the union: columns of the same
#: name (natural_key, provider, model, model_raw, project_id, api_key_id, workspace_id, tags) mean the same thing.
BILLING_COLUMNS: tuple[str, ...] = (
    "natural_key",
    "provider",
    "billing_account_id",
    "sub_account_id",
    "invoice_id",
    "billing_period_start",
    "billing_period_end",
    "charge_period_start",
    "charge_period_end",
    "charge_category",
    "charge_class",
    "service_name",
    "sku_id",
    "sku_description",
    "model",
    "model_raw",
    "token_class",
    "consumed_quantity",
    "consumed_unit",
    "billed_cost",
    "list_cost",
    "effective_cost",
    "billing_currency",
    "is_ai",
    "project_id",
    "api_key_id",
    "workspace_id",
    "tags",
)
REJECTION_COLUMNS: tuple[str, ...] = ("record_number", "reject_field", "reject_reason")
#: Optional columns of a format's SQL. `skip_reason`: a row read and deliberately not loaded (a CUR line of another
#: AWS service, an empty usage bucket), counted by reason and never quarantined. `to_usage` / `to_billing`: for a
#: format with both targets, which of them the row goes to. `period_start` / `period_end`: the time the row covers
#: (a bucket, a charge period), which a newer export of the same feed replaces.
OPTIONAL_COLUMNS: tuple[str, ...] = ("skip_reason", "to_usage", "to_billing", "period_start", "period_end")


@dataclass(frozen=True)
class FileSample:
    """What detection may look at: the container and the field names of the first record."""

    path: Path
    container: Container
    field_names: frozenset[str]
    compressed: bool
    # A JSON object whose records are the list under this key: "data" (paged API responses), "result" (the
    # Cloudflare API envelope); None for a bare array, JSON Lines or CSV.
    records_key: str | None = None
    # Keys of the objects inside the sampled records' lists and objects (a usage bucket's `results[]`), so formats
    # whose records share an envelope can still be told apart.
    nested_field_names: frozenset[str] = frozenset()


@dataclass(frozen=True)
class InputFormat:
    """One input format: how to recognise it and the SQL that normalises it."""

    name: str  # the --kind value and sources.format
    title: str  # what a person calls it
    fields: tuple[str, ...]  # source fields read, as text; nothing else (such as prompt text) is ever read
    sql_file: str  # in llmfinops/ingest/sql/
    detect: Callable[[FileSample], bool]
    # Fields that may hold prompt or completion text. For a format that has any, a record that cannot even be
    # parsed is quarantined without its raw text, because that text may include a prompt.
    private_fields: frozenset[str] = field(default_factory=frozenset)
    # JSON fields that are read but may also nest prompt text (LiteLLM's metadata can hold the proxied request):
    # a quarantined row keeps only these keys of them.
    quarantine_json_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # For formats whose records hold several usage rows (OTLP: a line of many spans): what a part is called. The
    # SQL then also selects `record_part` (1-based) and `quarantine_raw` (the part's text, without content).
    part_word: str | None = None
    # Set when the format's rows summarise another source's rows (LiteLLM's daily tables roll up its spend
    # logs): they are stored with usage.rollup_of set and never added to totals.
    rollup_of: str | None = None
    # The source field holding each row's time as text; rows whose value has no UTC offset are read as UTC, and
    # the source says how many there were (sources.notes).
    timestamp_field: str | None = None
    # Which tables the rows go to.
    targets: frozenset[Target] = frozenset({"usage"})
    # Provider exports are restated for weeks: a newer export of a period replaces the rows that earlier files of
    # the same feed (formats sharing this name: the usage API's JSON and the dashboard's CSV of it) loaded for that
    # period and provider, instead of adding to them. None: rows are deduplicated by natural key only.
    feed: str | None = None
    # For billed lines: an invoice (or an export that sums to it), or a provider's cost report (billing.document).
    billing_document: BillingDocument = "invoice"
    # How a newer file replaces billed lines: by the span of its charge periods (daily cost reports: a file of half
    # a month replaces that half), or by billing period (a bill export of an invoice month - CUR, FOCUS, the GCP
    # billing export - replaces that month's lines whole, including late charges and corrections billed in it).
    replace_billing_by: Literal["charge_period", "billing_period"] = "charge_period"
    # Columns a CSV or Parquet file must have for this format (checked even when --kind forces the format, so a
    # file without them is refused by name rather than read as empty values).
    required_fields: frozenset[str] = frozenset()
    # JSON files: numbers with a fraction or an exponent arrive as the text written in the file, never through a
    # double (DuckDB's JSON functions parse numbers as doubles: 0.123456789012345678 would come back rounded). For
    # money written as a JSON number (OpenAI's Costs API `amount.value`).
    exact_json_numbers: bool = False

    # A shared SQL file of CTEs that the format's SQL continues (formats of one envelope, such as a provider's usage
    # and cost report pages, check their buckets once): it starts `WITH ...` and ends with a comma.
    sql_prelude: str | None = None

    def normalise_sql(self) -> str:
        sql = files("llmfinops.ingest").joinpath("sql", self.sql_file).read_text(encoding="utf-8")
        if self.sql_prelude is None:
            return sql
        return files("llmfinops.ingest").joinpath("sql", self.sql_prelude).read_text(encoding="utf-8") + sql
