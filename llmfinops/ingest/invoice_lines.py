"""Invoice lines: a small CSV a person types from a PDF invoice, for providers whose invoice is only a PDF (OpenAI,
Anthropic, Mistral) or to enter an invoice total to reconcile against.

Columns (header names exact, order free; docs/formats.md "Invoice lines"):
`provider` (llmfinops provider name: openai, anthropic, bedrock, azure, vertex_ai, gemini, ...), `invoice_id`,
`billing_period` (YYYY-MM, the month the invoice bills), `category` (usage, tax, credit, adjustment, purchase; any
case), `description` (the line as printed), `amount` (a decimal in the invoice currency: credits negative),
`currency` (ISO 4217). Optional: `model` (the model a usage line is for), `billing_account_id`, `correction`
(true for a line correcting an earlier month: FOCUS ChargeClass Correction).

A newer file with lines for the same provider and month replaces the earlier one's lines for it (feed
"invoice_lines"), so a corrected invoice file is re-ingested, not added.
"""

from __future__ import annotations

from llmfinops.ingest.base import FileSample, InputFormat

_REQUIRED = ("provider", "invoice_id", "billing_period", "category", "description", "amount", "currency")
_OPTIONAL = ("model", "billing_account_id", "correction")


def _detect(sample: FileSample) -> bool:
    return set(_REQUIRED) <= sample.field_names


INVOICE_LINES = InputFormat(
    name="invoice_lines",
    title="Invoice lines typed from an invoice (CSV)",
    fields=_REQUIRED + _OPTIONAL,
    sql_file="invoice_lines.sql",
    detect=_detect,
    targets=frozenset({"billing"}),
    feed="invoice_lines",
)
