"""Google Cloud Billing export to BigQuery: the Vertex AI and Gemini API rows of the standard (or detailed) usage cost
table `gcp_billing_export_v1_<BILLING_ACCOUNT_ID>`, saved as newline-delimited JSON, a JSON array, Parquet, or a
CSV download whose nested columns are flattened (`service.description`), into usage buckets and billed lines.

Sources (shared/formats/providers.md §4; see docs/providers/gcp_billing.md): Google's "Structure of Standard data
export" page (cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage) for the columns,
third-party parsers of real exports for the SKU grammars (project-koku/koku, and repositories that parse real
Vertex and Gemini API bills). Conventions the SQL applies:

- Rows of `service.description` 'Vertex AI' (provider vertex_ai) and 'Gemini API' or its older name 'Generative
  Language API' (provider gemini) load as billed lines (`is_ai` true). Rows of every other service are skipped and
  counted ("not Vertex AI or Gemini API (Compute Engine)"): the whole cloud bill is the FOCUS export's job.
- A `cost_type` 'regular' row whose SKU is a token SKU is also a usage bucket (one hour, one project, one token class,
  one model): the model and the token class are read from `sku.description` in its two grammars, Vertex's
  `Gemini 2.5 Flash GA Text Input - Predictions` and the Gemini API's `Generate content input token count gemini 2.5
  flash lite`. Each row holds ONE token class, so the counts are disjoint as they stand. Input caching SKUs are
  cache reads; Google bills no cache-write tokens (cache STORAGE is an hourly SKU, billed only). `(Long)` / `long
  input text` SKUs are the long-context tier; `Batch Predictions` / `batch`, `Priority`, `Flex` name the tier.
  Thinking SKUs' tokens are output and also `reasoning_tokens` (UNCONFIRMED whether such a SKU holds only the thought
  tokens or all output of thinking requests). Image OUTPUT SKUs belong to the image-generation models:
  `-image` is added to the model name, so they are never priced as text output.
- Tokens: `usage.amount` where `usage.unit` is 'count' (Cloud Billing's base unit for token SKUs: real Gemini API
  bills in third-party fixtures show unit 'count' with the token count), else `usage.amount_in_pricing_units` where
  `usage.pricing_unit` is 'count'; a token SKU in any other unit is quarantined rather than guessed at
  (UNCONFIRMED: the pricing_unit strings of token SKUs).
- Money is read as text into DECIMAL(38, 12) exactly (BigQuery FLOAT values such as 1.2e-05 included). `cost` is in
  the billing currency (`currency`) and kept in it; no conversion. `reported_cost` of a usage row is
  cost + Σ credits.amount (credits are negative) when the currency is USD, else NULL (the billed lines keep it).
- Billed lines: one line per row (Usage; cost_type tax -> Tax; adjustment -> Adjustment with charge_class
  Correction; rounding_error -> Adjustment) with billed_cost = `cost`, plus one Credit line per entry of
  `credits[]` with its own (negative) amount, so Σ billed_cost of an invoice month is the invoice total. Tax,
  adjustment and rounding rows are kept only where their service is Vertex AI or the Gemini API (UNCONFIRMED which
  service Google writes on tax rows). Rows read counts the charge line and each credit line.
- billing_period = `invoice.month` (YYYYMM), never the usage date; the charge period is the usage window.
  `period_start` / `period_end` (what a newer export of the feed "gcp_billing" replaces) are the usage window, and
  NULL for late rows (usage month is not the invoice month), so a late row never widens the replaced range into a
  month the new file does not hold.
- Timestamps: BigQuery TIMESTAMPs are UTC; ISO 8601 with Z or an offset, `2026-10-01 10:00:00 UTC` (BigQuery's JSON
  and console form), or no zone (read as UTC).
- CSV: BigQuery cannot extract a table with nested or repeated columns to CSV (BigQuery export docs), so a CSV is a
  console download of query results. Its header is assumed to flatten RECORD columns as `service.description`,
  `sku.description`, `usage.amount`, `invoice.month`, ... and to hold `labels` and `credits` as JSON text
  (UNCONFIRMED: no public sample of such a download was found).
- The natural key is built from the normalised fields (the same row in the JSON and the CSV shape gets the same
  key) plus its occurrence among rows with the same fields in the file: the export has no row id, and two
  identical rows are two charges.
"""

from __future__ import annotations

from llmfinops.ingest.base import FileSample, InputFormat

#: Nested columns as JSON text (JSON Lines, JSON array, Parquet) and their flattened CSV names; a file has one set,
#: the other reads as NULL. `labels` and `credits` have one name in both shapes.
GCP_BILLING_FIELDS: tuple[str, ...] = (
    "billing_account_id",
    "service",
    "sku",
    "usage_start_time",
    "usage_end_time",
    "project",
    "labels",
    "location",
    "resource",
    "export_time",
    "cost",
    "currency",
    "cost_at_list",
    "usage",
    "credits",
    "invoice",
    "cost_type",
    "service.id",
    "service.description",
    "sku.id",
    "sku.description",
    "project.id",
    "location.location",
    "location.region",
    "resource.name",
    "usage.amount",
    "usage.unit",
    "usage.amount_in_pricing_units",
    "usage.pricing_unit",
    "invoice.month",
)

_NESTED_SIGNATURE = frozenset({"service", "sku", "usage_start_time", "cost"})
_FLAT_SIGNATURE = frozenset({"service.description", "sku.description", "usage_start_time", "cost"})


def _detect(sample: FileSample) -> bool:
    if sample.field_names >= _FLAT_SIGNATURE:
        return True
    # the nested shape: `service` and `sku` are objects with a description (Parquet samples list top-level columns)
    return sample.field_names >= _NESTED_SIGNATURE and (
        "description" in sample.nested_field_names or sample.container == "parquet"
    )


GCP_BILLING_EXPORT = InputFormat(
    name="gcp_billing_export",
    title="Google Cloud Billing export to BigQuery (Vertex AI and Gemini API rows; JSON Lines, JSON, Parquet or CSV)",
    fields=GCP_BILLING_FIELDS,
    sql_file="gcp_billing.sql",
    detect=_detect,
    targets=frozenset({"usage", "billing"}),
    feed="gcp_billing",
)
