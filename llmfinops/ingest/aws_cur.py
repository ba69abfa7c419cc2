"""AWS Cost and Usage Report 2.0 (Data Exports, CSV, gzip CSV or Parquet): the Amazon Bedrock lines of an AWS bill,
as provider usage buckets (token lines) and as billed lines (every Bedrock line).

Sources (shared/formats/providers.md §3): AWS Data Exports column dictionary (bill_*, line_item_*, pricing_*,
product, resource_tags), AWS Bedrock user guide "Understanding your Amazon Bedrock Cost and Usage Report data"
(token-class usage-type patterns), the AWS blog "Introducing granular cost attribution for Amazon Bedrock"
(line_item_iam_principal, usage types such as `USE1-Claude4.6Sonnet-input-tokens`), third-party price syncers
(Marketplace usage types). Conventions the SQL (sql/aws_cur.sql) applies:

- Bedrock lines: `line_item_product_code` (or `product_servicecode`) AmazonBedrock, AmazonBedrockService,
  AmazonBedrockFoundationModels or AmazonBedrockAgentCore, or a product name ending "(Amazon Bedrock Edition)".
  Every other line (other AWS services, their Tax and Credit lines too) is skipped, counted as
  "not Amazon Bedrock (<product code>)": the CUR holds the whole AWS bill, and loading all of it is the FOCUS path
  (`focus` format, AWS FOCUS export).
- A Bedrock token line of a usage kind (Usage, DiscountedUsage, SavingsPlanCoveredUsage) is one usage bucket (one
  token class per line; ts = line_item_usage_start_date, reported_cost = line_item_unblended_cost) AND one billed
  line. Every other Bedrock line (non-token usage such as AgentCore hours, Tax, Credit, Refund, Fee, discounts)
  is a billed line only.
- Token classes from `line_item_usage_type`. Native usage types `{REGION}-{Model}-{class}[-{tier}]`: classes
  `input-tokens`, `output-tokens`, `cache-read-input-token-count`, `cache-write-input-token-count` (AWS page) and the
  "mantle" endpoint's `{Model}-mantle-{input|output|cache-read|cache-write}-tokens-{[global-]tier}` (AWS blog and
  one third-party test). Suffixes: `-flex`, `-priority`, `-batch`, `-standard` (service tier), `-global` and
  `-cross-region-global` (global cross-Region inference). Marketplace usage types
  (`USE1-MP:USE1_InputTokenCount-Units`, `..._CacheReadInputTokenCount_Global-Units`,
  `USW2-MP:USW2_input_tokens_standard-Units`, `APN2_InputTokenCount_LCtx_Global`) name no model: the model is the
  product name (`product_product_name` column, else the `product` map's `product_name`) without
  " (Amazon Bedrock Edition)". `_LCtx` marks the long-context tier. An unknown suffix is quarantined (it could
  change the price), never guessed.
- `model` = the model text lower-cased (`Claude4.6Sonnet` -> `claude4.6sonnet`, "Claude Sonnet 4.6 (Amazon
  Bedrock Edition)" -> `claude sonnet 4.6`), prefixed `global.` for global cross-Region lines, as Bedrock's own
  global inference profile ids are; pricing/bedrock.yaml has these names as aliases (geographic and in-Region
  lines are priced alike, global ones ~10 % lower).
- Units: `line_item_usage_amount` is in `pricing_unit`, read per row: `tokens`, `1K tokens` (also `1,000`, `1000`,
  `thousand`), `1M tokens` (also `1,000,000`, `1000000`, `million`), any case. Tokens = amount x unit size in
  DECIMAL; a token count more than 0.001 away from a whole number is quarantined (the rest is binary-float noise
  from the export and is rounded away). A token line with any other unit is quarantined: the count is not guessed.
- Check on every Bedrock usage line with a rate: |usage_amount x unblended_rate - unblended_cost| must be at most
  max(0.01, 1 % of the cost), else the line is quarantined (the amount is not in the unit the rate is for).
- Charge category (FOCUS): Usage, DiscountedUsage, SavingsPlanCoveredUsage -> Usage; Tax -> Tax; Credit and
  Refund -> Credit (a refund is money given back after the fact; keeping it out of Usage keeps the Usage lines
  comparable with the usage estimate); Fee, RIFee, SavingsPlanRecurringFee, SavingsPlanUpfrontFee -> Purchase;
  EdpDiscount, PrivateRateDiscount, BundledDiscount, DistributorDiscount, SavingsPlanNegation, Rounding ->
  Adjustment. Another line item type is quarantined. `charge_class` = Correction when the line's usage starts
  before its billing period (it corrects an earlier, already invoiced month).
- Attribution: `line_item_usage_account_id` -> project_id and billing.sub_account_id; `bill_payer_account_id` ->
  billing_account_id; `line_item_iam_principal` (opt-in column, a full ARN) -> user_id. Tags: `resource_tags`
  keys `user_<name>` become `<name>`, other keys stay as written; `tags` (IAM principal tags such as
  `iamPrincipal/team`) stay as written; `aws:region` = product_region_code and `aws:resource_id` =
  line_item_resource_id are added. On a key clash the first wins, in that order (aws:*, resource_tags, tags).
- Billing currency: `line_item_currency_code`, or USD when the export has no such column (the CUR default).
- Each line's natural key is the hash of its identifying fields (payer, billing period, usage account, line item
  type, product code, usage type, operation, usage start and end, resource, IAM principal, billing entity,
  description, tags) plus its occurrence among identical ones in the file: CUR splits lines by columns this reader
  does not read (such as pricing_rate_id), so two lines alike in all read fields both load.
- Feed "aws_cur": a newer export of a billing period replaces what earlier runs loaded for that period
  (period = [bill_billing_period_start_date, bill_billing_period_end_date)). Files ingested in one run are the parts
  of one export and add up. Do not also load the AWS FOCUS export of the same months (it is another feed).

UNCONFIRMED (kept so until a primary source shows them):
- the full set of `pricing_unit` strings on Bedrock token lines;
- how CUR 2.0 CSV exports serialise MAP columns (resource_tags, tags, product): read as JSON objects; a value that
  is not a JSON object is quarantined (Parquet maps arrive as JSON through the container layer);
- `line_item_product_code` of Marketplace-edition model lines (hence the product-name test as well) and where the
  product name lives for them (`product_name` in the `product` map is assumed);
- the Marketplace dimension grammar beyond the examples above, and whether the product name always carries
  " (Amazon Bedrock Edition)";
- the usage-type suffix of geographic (us., eu.) cross-Region inference, if it has one: an unknown suffix is
  quarantined;
- whether CUR splits cache writes by TTL (no 1-hour class is read: all cache writes are cache_write_tokens);
- the key grammar of the `tags` column (`iamPrincipal/...` per the AWS blog) and the format of
  `line_item_resource_id` (read verbatim).
"""

from __future__ import annotations

from llmfinops.errors import InputError
from llmfinops.ingest.base import FileSample, InputFormat

#: CUR 2.0 columns read (absent ones read as null); no other column is read.
AWS_CUR_FIELDS: tuple[str, ...] = (
    "bill_invoice_id",
    "bill_billing_entity",
    "bill_payer_account_id",
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_operation",
    "line_item_line_item_description",
    "line_item_usage_account_id",
    "line_item_resource_id",
    "line_item_iam_principal",
    "line_item_usage_amount",
    "line_item_unblended_rate",
    "line_item_unblended_cost",
    "line_item_currency_code",
    "pricing_unit",
    "pricing_public_on_demand_cost",
    "product_region_code",
    "product_servicecode",
    "product_product_name",
    "product",
    "resource_tags",
    "tags",
)

#: Without these a Bedrock line cannot be read; a CUR file lacking any of them is refused as a whole.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "bill_billing_period_start_date",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_usage_amount",
    "line_item_unblended_cost",
    "pricing_unit",
)

#: Static CUR 2.0 columns: a file with three or more of them is a CUR export (of any selection of columns).
_CUR_SIGNATURE = frozenset(
    {
        *REQUIRED_COLUMNS,
        "bill_payer_account_id",
        "bill_invoice_id",
        "bill_billing_entity",
        "bill_billing_period_end_date",
        "bill_bill_type",
        "identity_line_item_id",
        "identity_time_interval",
        "line_item_usage_account_id",
        "line_item_unblended_rate",
        "line_item_blended_cost",
        "line_item_net_unblended_cost",
        "line_item_operation",
        "line_item_resource_id",
        "line_item_currency_code",
        "product_region_code",
        "product_servicecode",
    }
)


def _detect(sample: FileSample) -> bool:
    """A CUR 2.0 export: ours when it has the Bedrock columns; refused with the missing ones named otherwise."""
    if len(sample.field_names & _CUR_SIGNATURE) < 3:
        return False
    missing = [name for name in REQUIRED_COLUMNS if name not in sample.field_names]
    if missing:
        raise InputError(
            f"{sample.path}: an AWS Cost and Usage Report without the columns Amazon Bedrock lines need: "
            f"{', '.join(missing)}.",
            "Export CUR 2.0 with these columns selected (AWS Billing > Data Exports > Standard data export, "
            "CUR 2.0), or load the AWS FOCUS export instead.",
        )
    return True


AWS_CUR_BEDROCK = InputFormat(
    name="aws_cur_bedrock",
    title="AWS Cost and Usage Report 2.0, Amazon Bedrock lines (CSV, gzip CSV or Parquet)",
    fields=AWS_CUR_FIELDS,
    sql_file="aws_cur.sql",
    detect=_detect,
    timestamp_field="line_item_usage_start_date",
    targets=frozenset({"usage", "billing"}),
    feed="aws_cur",
    replace_billing_by="billing_period",
    required_fields=frozenset(REQUIRED_COLUMNS),
)
