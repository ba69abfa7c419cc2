"""FOCUS cost and usage datasets (FinOps Open Cost and Usage Specification 1.0 to 1.3), CSV or Parquet: every row of
a cloud or SaaS bill as a billed line.

Sources: shared/formats/focus.md (FOCUS spec v1.2 `specification/`, the FinOps Foundation FOCUS-Sample-Data 1.0
file). Conventions the SQL applies:

- Every row loads (a cloud provider's FOCUS file holds every service, and the billed lines must tie out to the
  invoice: Σ BilledCost per InvoiceId is the invoice total, spec v1.2). Rows are marked `is_ai` when they are
  AI / LLM spend: ServiceCategory "AI and Machine Learning", or a service known to sell LLM inference (Amazon
  Bedrock, Azure OpenAI / Foundry Models, Vertex AI, Gemini API, OpenAI, Anthropic). Only those are reconciled.
- `provider` is the llmfinops provider name where the service is an LLM service we price (bedrock, azure,
  vertex_ai, gemini, openai, anthropic), so billed lines meet usage of the same provider; otherwise the FOCUS
  ProviderName (ServiceProviderName in 1.3) in lower case ("aws", "microsoft").
- Nulls: FOCUS writes null as an empty cell in CSV; real exports (the FOCUS 1.0 sample) write the bare token NULL,
  and some write empty strings where null is meant. All three read as null.
- Timestamps: ISO 8601 with Z or an offset, or the sample's `2024-09-01 00:00:00` (read as UTC; the source notes
  count them). BillingPeriodEnd and ChargePeriodEnd are exclusive, as the spec says.
- ChargeCategory must be one of Usage, Purchase, Tax, Credit, Adjustment (rows with another value are quarantined);
  ChargeClass is NULL or Correction. Refunds are negative rows in their own category (spec v1.2).
- The model of a line, where the FOCUS file names one: `SkuPriceDetails` key ModelId or x_ModelId (working-draft
  model identity properties; UNCONFIRMED in any ratified version). AWS FOCUS files carry the Bedrock usage type in
  `x_UsageType`, kept as sku_description when ChargeDescription is empty.
- No row id exists in FOCUS (the sample's `Id` column is not a FOCUS column and is not relied on): a row's natural
  key is a hash of the fields read plus its occurrence among identical rows of the file, so overlapping files
  deduplicate and two identical charges in one file both load.
- Newer exports of a period replace earlier ones (feed "focus"), per provider and charge period.
"""

from __future__ import annotations

from llmfinops.ingest.base import FileSample, InputFormat

#: FOCUS columns read (1.0 to 1.3 names; absent ones read as null).
FOCUS_FIELDS: tuple[str, ...] = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "BillingAccountId",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ConsumedQuantity",
    "ConsumedUnit",
    "InvoiceId",
    "ProviderName",
    "ServiceProviderName",
    "ServiceCategory",
    "ServiceName",
    "SkuId",
    "SkuPriceDetails",
    "SubAccountId",
    "ResourceId",
    "Tags",
    "x_UsageType",
    "x_ServiceCode",
)

_REQUIRED = frozenset({"BilledCost", "BillingPeriodStart", "ChargeCategory", "ChargePeriodStart", "BillingCurrency"})


def _detect(sample: FileSample) -> bool:
    return sample.field_names >= _REQUIRED


FOCUS_COST_AND_USAGE = InputFormat(
    name="focus",
    title="FOCUS cost and usage dataset (1.0 to 1.3, CSV or Parquet)",
    fields=FOCUS_FIELDS,
    sql_file="focus.sql",
    detect=_detect,
    targets=frozenset({"billing"}),
    feed="focus",
    replace_billing_by="billing_period",
    timestamp_field="ChargePeriodStart",
)
