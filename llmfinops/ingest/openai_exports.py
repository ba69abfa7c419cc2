"""OpenAI's own exports: the Organization Usage API and Costs API (JSON pages), and the usage dashboard's activity
and cost CSV downloads. The two usage shapes feed `openai_usage`, the two cost shapes `openai_costs`.

Sources (shared/formats/providers.md §1): the OpenAI API reference for `/v1/organization/usage/*` and
`/v1/organization/costs` as generated into OpenAPI clients (genai-rs/openai-client-base `docs/Usage*Result.md`,
docs.rs `openai-struct` for the older wording); the openai-cookbook `completions_usage_api.ipynb`; for the CSVs,
headers of real exports kept in third-party repositories (OpenAI publishes no column list). Conventions the SQL
applies (docs/providers/openai.md has the field tables):

- A page's record is a bucket (`start_time`/`end_time`, Unix seconds UTC); each of its `results[]` is one row
  (part word "result"). An empty bucket (`results: []`) is a skipped row with its period ("bucket with no usage" /
  "bucket with no costs"), so a newer export saying a day had no usage still replaces that day.
- Completions results: `input_tokens` INCLUDES `input_cached_tokens` and the cache writes. Uncached input is
  `input_uncached_tokens` where the result has it (and then input = uncached + cached + cache writes must hold, or
  the row is quarantined), otherwise input - cached - cache writes (older results have no uncached field).
  `input_audio_tokens` is uncached audio in the current spec (a part of uncached input); `output_tokens` is all
  output (no reasoning count exists), `output_audio_tokens` a part of it.
- `input_cache_write_tokens` is the 30-minute cache write and `input_cache_write_12h_tokens` (newest spec) the
  12-hour one: both are cache_write_tokens, read as disjoint from each other (the spec words each by its own
  retention). cache_write_1h_tokens stays 0: OpenAI has no 1-hour class.
- `batch: true` is service tier batch; `service_tier` flex / priority as written, default (and auto, standard, no
  value) standard; any other tier (scale) is kept as written, so it shows as unpriced, never priced at a guess.
- Nulls mean "not grouped by it": project_id, user_id, api_key_id stay NULL. A result without `model` (a page not
  grouped by model) cannot be priced and is rejected with the fix (fetch with group_by=model).
- Embeddings results are operation embedding (input_tokens only); images results operation image (`images` is
  image_count, `size` and `source` are tags). Audio speeches (`characters`), transcriptions (`seconds`), vector
  stores (`usage_bytes`) and code interpreter sessions (`num_sessions`) have no usage column to hold their unit:
  they are skipped, the reason naming the result object. Moderations are skipped too (not read); any other
  result object is skipped with its name.
- Costs results: `amount.value` is read from its text into DECIMAL(38, 12), never through a double (the format sets
  InputFormat.exact_json_numbers, so the loader hands over the number as written, scientific notation included);
  `amount.currency` is upper-cased. Every result is a billed line of the UTC day; billing period = the UTC month of
  the bucket start; `line_item` is sku_description verbatim. Where the line item reads "<model>, <class>" (optionally
  "priority | " before and ", long context" after, and a modality word after the model: "gpt-audio-mini audio,
  input"), the model and the token class are taken from it (input; cached input -> cache_read; cache write(s) ->
  cache_write; output); other line items ("web search tool calls") have no model.
- Natural keys start with the feed name, not the format name, so the same bucket read from the API JSON and from the
  dashboard CSV is one row (the CSV has organization_id, the API does not, so it is not part of the key).
- Replacement is per provider and feed: the completions, embeddings and images pages of one period must be ingested
  in one run (files of one run add up), or the later endpoint's file replaces the earlier one's rows of the period;
  the same holds for two organizations' exports (docs/providers/openai.md, "Feeds, keys and replacement").

UNCONFIRMED (kept so until a primary source says otherwise):
- The Costs API `line_item` vocabulary: the "<model>, <class>" shapes, the "priority | " prefix and ", long context"
  suffix are from third-party code that parses real responses, not from OpenAI. Lines are kept verbatim either way.
- Whether the Costs API ever sends credits, refunds or tax: a line item naming tax (tax, VAT, GST) is charge category
  Tax, one naming a credit or with a negative amount Credit (is_ai false for both); everything else is Usage.
- Whether `amount.value` is ever a JSON string (some clients accept both): both are read.
- The `quantity` field of costs results (one published example, undocumented): not read.
- Whether `input_cache_write_12h_tokens` is a part of `input_cache_write_tokens` rather than beside it: read as beside
  it; a file where it is a part breaks the input identity and is quarantined, not miscounted.
- The older spec's `input_audio_tokens` ("audio input tokens, including cached"): read, like the current one, as a
  part of the uncached input; a row where it is larger is quarantined.
- The dashboard CSV headers (they drift between versions; missing optional columns read as 0 / NULL) and the cost
  CSV's file name.
- Reasoning tokens: no field in any spec version, so they are inside output_tokens and reasoning_tokens is 0.
"""

from __future__ import annotations

from llmfinops.ingest.base import FileSample, InputFormat

_BUCKET_SIGNATURE = frozenset({"object", "start_time", "end_time", "results"})
#: Every usage result object has a request count; a costs result has an amount and never a request count.
_USAGE_RESULT_KEY = "num_model_requests"
_COST_RESULT_KEY = "amount"
_USAGE_CSV_SIGNATURE = frozenset({"start_time", "end_time", "num_model_requests", "input_tokens", "output_tokens"})
#: A dashboard export of a range with no usage at all has only the time columns.
_EMPTY_EXPORT_HEADER = frozenset({"start_time", "end_time", "start_time_iso", "end_time_iso"})
_COST_CSV_SIGNATURE = frozenset({"start_time", "end_time", "amount_value", "amount_currency"})


def _is_bucket_page(sample: FileSample) -> bool:
    # a page as the API sends it, or a JSON array of its buckets (JSON Lines would read amounts through a double)
    return sample.container == "json" and sample.field_names >= _BUCKET_SIGNATURE


def _detect_usage_api(sample: FileSample) -> bool:
    # A page whose sampled buckets are all empty cannot be told from a costs page: neither format claims it (ingest
    # it with --kind), since reading a costs page as usage would replace that period's usage with nothing.
    return (
        _is_bucket_page(sample)
        and _USAGE_RESULT_KEY in sample.nested_field_names
        and _COST_RESULT_KEY not in sample.nested_field_names
    )


def _detect_costs_api(sample: FileSample) -> bool:
    return (
        _is_bucket_page(sample)
        and _COST_RESULT_KEY in sample.nested_field_names
        and _USAGE_RESULT_KEY not in sample.nested_field_names
    )


def _detect_usage_csv(sample: FileSample) -> bool:
    return sample.container == "csv" and (
        sample.field_names >= _USAGE_CSV_SIGNATURE or sample.field_names == _EMPTY_EXPORT_HEADER
    )


def _detect_costs_csv(sample: FileSample) -> bool:
    return sample.container == "csv" and sample.field_names >= _COST_CSV_SIGNATURE


OPENAI_USAGE_API = InputFormat(
    name="openai_usage_api",
    title="OpenAI Organization Usage API pages (GET /v1/organization/usage/completions, embeddings, images)",
    fields=("object", "start_time", "end_time", "results"),
    sql_file="openai_usage_api.sql",
    sql_prelude="_openai_page_buckets.sql",
    detect=_detect_usage_api,
    part_word="result",
    feed="openai_usage",
)

OPENAI_USAGE_CSV = InputFormat(
    name="openai_usage_csv",
    title="OpenAI usage dashboard activity CSV (platform.openai.com/usage -> Export)",
    fields=(
        "start_time",
        "end_time",
        "project_id",
        "num_model_requests",
        "user_id",
        "api_key_id",
        "model",
        "batch",
        "service_tier",
        "api_source",
        "input_tokens",
        "output_tokens",
        "input_cached_tokens",
        "input_cache_write_tokens",
        "input_cache_write_12h_tokens",
        "input_uncached_tokens",
        "input_audio_tokens",
        "output_audio_tokens",
    ),
    sql_file="openai_usage_csv.sql",
    detect=_detect_usage_csv,
    feed="openai_usage",
)

OPENAI_COSTS_API = InputFormat(
    name="openai_costs_api",
    title="OpenAI Costs API pages (GET /v1/organization/costs)",
    fields=("object", "start_time", "end_time", "results"),
    sql_file="openai_costs_api.sql",
    sql_prelude="_openai_page_buckets.sql",
    detect=_detect_costs_api,
    part_word="result",
    targets=frozenset({"billing"}),
    feed="openai_costs",
    billing_document="cost_report",
    exact_json_numbers=True,
)

OPENAI_COSTS_CSV = InputFormat(
    name="openai_costs_csv",
    title="OpenAI usage dashboard cost CSV (platform.openai.com/usage -> Cost -> Export)",
    fields=(
        "start_time",
        "end_time",
        "amount_value",
        "amount_currency",
        "line_item",
        "project_id",
        "api_key_id",
        "organization_id",
        "organization_name",
    ),
    sql_file="openai_costs_csv.sql",
    detect=_detect_costs_csv,
    targets=frozenset({"billing"}),
    feed="openai_costs",
    billing_document="cost_report",
)

OPENAI_FORMATS: tuple[InputFormat, ...] = (OPENAI_USAGE_API, OPENAI_COSTS_API, OPENAI_USAGE_CSV, OPENAI_COSTS_CSV)
