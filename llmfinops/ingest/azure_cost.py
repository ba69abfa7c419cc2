"""Azure OpenAI / Foundry Models in Azure Cost Management cost details exports (actual or amortized cost, CSV or
Parquet; EA PascalCase and MCA camelCase headers): token usage buckets and billed lines.

Sources: shared/formats/providers.md §5; MicrosoftDocs/azure-docs `dataset-schema/cost-usage-details-ea.md` and
`-mca.md` (column names and meanings); microsoft/finops-toolkit `docs/_docs/focus/convert.md` and `mapping.md`
(ChargeType -> FOCUS charge category and class, BillingPeriodEndDate + 1 day, "wrap Tags in { and } if needed") and
`src/powershell/Tests/Unit/assets/EA_ActualCost_Small.csv` (a real EA file: `MM/dd/yyyy` dates, brace-less Tags,
the older `Cost` / `BillingCurrency` / `Product` names, ResourceId in mixed case, `10K` meters whose Quantity times
EffectivePrice is the cost). Conventions the SQL applies:

- Headers are matched ignoring case (the container does that for every format), so one field list reads both
  schemas; where the names differ the SQL takes the first present: `ResourceGroup` / `resourceGroupName`,
  `BillingCurrencyCode` / `billingCurrency` (older EA: `BillingCurrency`), `CostInBillingCurrency` (older EA:
  `Cost`), `ProductName` (older EA: `Product`), `benefitId` / `ReservationId`.
- `Date`: `MM/dd/yyyy` or ISO `yyyy-MM-dd` (a midnight time after it is accepted, as Parquet writes timestamps); any
  other text is quarantined. Rows are daily (UTC), so each covers [Date, Date + 1 day).
- Azure OpenAI rows are recognised by name, not by category alone: ProductName starting `Azure OpenAI`, MeterCategory
  `Foundry Models`, a MeterSubCategory naming OpenAI, a `Cognitive Services` token meter (MeterName with `Tokens` and
  a direction or cache word), or a Claude line. Every other row is skipped with reason "not Azure OpenAI or Foundry
  Models (<MeterCategory>)", so Speech, Vision and the rest of Cognitive Services are skipped too.
- MeterName is split into lower-case words: direction `inp` / `inpt` / `input` / `in` vs `outp` / `outpt` / `opt` /
  `output` / `out`; cache `cached` / `cd` / `cchd` (a cache read) and with `wr` / `write` a cache write; audio `aud`;
  deployment `glbl` / `gl` / `global`, `dzone` / `dz` / "data zone", `regnl` / `regional` / `rg`; tier `batch`,
  `pp` / `priority` (priority processing), `ptu` / `provisioned`; context `shortco` / `longco`; `std`, `tokens`,
  `1k`, `1m` are noise. What is left is the model text, joined with `-` (`gpt 4o 0513` -> `gpt-4o-0513`); on an
  Azure OpenAI product a model text that starts with a digit gets `gpt-` (`5 mini pp Inp Gl 1M Tokens` ->
  `gpt-5-mini`). pricing/azure.yaml aliases map the dated meter texts it prices (`gpt-4o-0806` -> gpt-4o); others
  (`gpt-4o-0513`, `gpt-35-turbo-4k`, fine-tuned and partner models) load unpriced.
- A token line (Azure OpenAI, token-shaped meter, a count unit such as `1K` / `1M`, not PTU, hosting or training)
  loads as one usage bucket with one token class (input, cache read, cache write or output; audio meters also count
  as input / output audio) AND as a billed line; `ChargeType` other than Usage (a refund of token usage) is billed
  only. Other Azure OpenAI lines (PTU and hosting hours, training, Claude CCU) are billed lines only.
- Quantity scale of `1K` / `1M` meters: each row is checked. Quantity x price = cost means Quantity counts blocks
  (tokens = Quantity x block size); Quantity / block size x price = cost means it counts tokens. Price is
  EffectivePrice or UnitPrice, cost CostInBillingCurrency or (MCA, other billing currency) CostInPricingCurrency;
  a reading holds within 5 cents or 1 % of the cost, and when both hold the closer one wins. A row with a non-zero
  cost that neither reading explains is quarantined. A row that cannot be checked (cost 0) takes the scale the
  file's checked rows of the same unit showed, else blocks (as the EA sample and Microsoft's
  `paygCostInBillingCurrency = PayGPrice x quantity` formula read it). `token_convention` says which held and how
  ('azure_cost: quantity in 1K blocks', 'azure_cost: quantity in tokens', ... '(cost 0: ...)'). Tokens are rounded
  to whole tokens in usage; the billed line's consumed_quantity keeps the exact token count.
- Usage attribution: project_id = the account name from ResourceId (`.../accounts/<name>`, else its last segment),
  workspace_id = the resource group, both lower-cased (Azure names are case-insensitive and exports mix cases);
  tags = the resource's Tags (`{"k": "v"}` JSON or the legacy brace-less `"k": "v","k2": "v2"`) plus
  `azure_subscription_id` and `azure_deployment_type` (global / data_zone / regional). service_tier: batch, priority,
  else standard; long_context for `LongCo` meters. request_count is 0 (the export has none).
- reported_cost is USD: CostInBillingCurrency when the billing currency is USD, else MCA's CostInUsd, else NULL.
- Billed lines: billed_cost = CostInBillingCurrency (before credits and taxes, which are not in the file);
  charge_category from ChargeType as Microsoft's FOCUS conversion does: Usage, Purchase, Tax as written,
  UnusedReservation / UnusedSavingsPlan -> Usage, Refund -> Adjustment with charge_class 'Correction',
  RoundingAdjustment -> Adjustment; any other value is quarantined. Billing period = BillingPeriodStartDate ..
  BillingPeriodEndDate + 1 day, else the calendar month of Date. invoice_id = InvoiceId (MCA only; EA has none),
  sub_account_id = SubscriptionId, billing_account_id = BillingAccountId, service_name = MeterCategory, sku_id =
  MeterId, sku_description = MeterName verbatim (ProductName where the meter is blank), list_cost = MCA's
  PaygCostInBillingCurrency or, on an EA token line, PayGPrice x the blocks billed.
- Claude on Foundry is billed in Claude Consumption Units through the Marketplace: one line, no model, no token
  counts (billing only; per-model detail is only in the Foundry portal).

UNCONFIRMED (kept so until a primary source shows them): the MeterCategory / MeterSubCategory strings of Azure
OpenAI rows in a given month; the Quantity scale of `1K` / `1M` token meters (conflicting evidence: hence the per-row
check); the Date and Tags formats of current exports; the cache-write meter words (`Cd Wr`, third-party only); the
meaning of `ShortCo` / `LongCo`; how Claude CCU lines are named (MeterName / ProductName / PublisherName containing
"Claude" or PublisherName Anthropic is assumed).

Ingest either the actual or the amortized file of a month, not both: they share natural keys and the feed, so the
later file replaces the earlier one's days. The actual file is the one that ties out to the invoice.
"""

from __future__ import annotations

from llmfinops.ingest.base import FileSample, InputFormat

#: Lower-cased header names every cost details file has (EA, MCA, older EA), whatever its casing.
_SIGNATURE = frozenset({"date", "metername", "metercategory", "quantity", "unitofmeasure", "chargetype"})
_COST_COLUMNS = frozenset({"costinbillingcurrency", "cost"})


def _detect(sample: FileSample) -> bool:
    names = {name.lower() for name in sample.field_names}
    return names >= _SIGNATURE and bool(names & _COST_COLUMNS)


AZURE_COST_EXPORT = InputFormat(
    name="azure_cost_export",
    title="Azure Cost Management cost details export (actual or amortized; EA or MCA) - Azure OpenAI rows",
    fields=(
        "Date",
        "BillingPeriodStartDate",
        "BillingPeriodEndDate",
        "BillingAccountId",
        "InvoiceId",
        "SubscriptionId",
        "ResourceGroup",
        "ResourceGroupName",
        "ResourceId",
        "ProductName",
        "Product",
        "MeterCategory",
        "MeterSubCategory",
        "MeterId",
        "MeterName",
        "UnitOfMeasure",
        "Quantity",
        "EffectivePrice",
        "UnitPrice",
        "PayGPrice",
        "CostInBillingCurrency",
        "Cost",
        "CostInPricingCurrency",
        "CostInUsd",
        "PaygCostInBillingCurrency",
        "BillingCurrencyCode",
        "BillingCurrency",
        "ChargeType",
        "PricingModel",
        "benefitId",
        "ReservationId",
        "PublisherName",
        "Tags",
    ),
    sql_file="azure_cost.sql",
    detect=_detect,
    targets=frozenset({"usage", "billing"}),
    feed="azure_cost",
)
