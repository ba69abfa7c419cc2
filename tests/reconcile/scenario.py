"""A seeded reconciliation scenario with known causes, written as real input files: gateway requests (canonical
CSV, summarised per day), the provider's own usage (OpenAI Usage API pages) and the invoice (invoice lines).

Ten days of gpt-4o in October 2026. The gateway truly carried, per day, 100 requests with 90M uncached and 50M
cached input tokens and 10M output tokens, but it logged 10M of the cached tokens as uncached (a cached-token
undercount). 3 % more traffic went to OpenAI directly, bypassing the gateway, so the provider reports 103 requests,
92.7M uncached, 51.5M cached and 10.3M output tokens a day. A model the price tables do not know
(gpt-mystery-1) is billed 123.45. The invoice bills gpt-4o at exactly our list prices, a 200.00 credit and tax.

At gpt-4o's list prices (2.50 input, 1.25 cached, 10.00 output per million tokens):
    gateway estimate  G = 10 x (100 x 2.50 + 40 x 1.25 + 10 x 10.00)         = 4,000.00
    provider usage    P = 10 x (92.7 x 2.50 + 51.5 x 1.25 + 10.3 x 10.00)    = 3,991.25
    missing traffic     = (103 / 100 - 1) x G                                =   120.00
    uncached input      = 10 x 92.7 x 2.50 - 1.03 x 10 x 100 x 2.50          =  -257.50
    cached input        = 10 x 51.5 x 1.25 - 1.03 x 10 x 40 x 1.25           =   128.75
    output              = 10 x 10.3 x 10 - 1.03 x 10 x 10 x 10               =     0.00
    invoice T = 3,991.25 + 123.45 - 200.00 + 313.18 (tax)                    = 4,227.88
    variance  = T - G                                                        =   227.88
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

DAYS = 10
FIRST_DAY = datetime(2026, 10, 1, tzinfo=UTC)
M = 1_000_000

EXPECTED = {
    "gateway_estimate": Decimal("4000.00"),
    "provider_usage_estimate": Decimal("3991.25"),
    "missing_traffic": Decimal("120.00"),
    "tokens_input": Decimal("-257.50"),
    "tokens_cache_read": Decimal("128.75"),
    "unpriced_usage": Decimal("123.45"),
    "credits": Decimal("-200.00"),
    "taxes": Decimal("313.18"),
    "invoiced_total": Decimal("4227.88"),
    "variance": Decimal("227.88"),
}


def write_gateway(path: Path) -> Path:
    header = "request_id,ts,provider,model,input_tokens,cache_read_tokens,output_tokens,request_count,reported_cost"
    lines = [header]
    for day in range(DAYS):
        stamp = (FIRST_DAY + timedelta(days=day, hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"gw-{day}-4o,{stamp},openai,gpt-4o,{100 * M},{40 * M},{10 * M},100,")
        # the unknown model: the gateway's own figure for it is all there is to value it by
        lines.append(f"gw-{day}-mystery,{stamp},openai,gpt-mystery-1,{M},0,{M // 10},10,12.345")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_provider_usage(path: Path) -> Path:
    buckets = []
    for day in range(DAYS):
        start = int((FIRST_DAY + timedelta(days=day)).timestamp())
        uncached, cached, output = 92_700_000, 51_500_000, 10_300_000
        buckets.append(
            {
                "object": "bucket",
                "start_time": start,
                "end_time": start + 86_400,
                "results": [
                    {
                        "object": "organization.usage.completions.result",
                        "input_tokens": uncached + cached,
                        "input_cached_tokens": cached,
                        "input_uncached_tokens": uncached,
                        "output_tokens": output,
                        "num_model_requests": 103,
                        "project_id": None,
                        "user_id": None,
                        "api_key_id": None,
                        "model": "gpt-4o-2024-08-06",
                        "batch": False,
                    },
                    {
                        "object": "organization.usage.completions.result",
                        "input_tokens": M,
                        "input_cached_tokens": 0,
                        "output_tokens": M // 10,
                        "num_model_requests": 10,
                        "project_id": None,
                        "user_id": None,
                        "api_key_id": None,
                        "model": "gpt-mystery-1",
                        "batch": False,
                    },
                ],
            }
        )
    page = {"object": "page", "data": buckets, "has_more": False, "next_page": None}
    path.write_text(json.dumps(page, indent=1), encoding="utf-8")
    return path


def write_invoice(path: Path, *, currency: str = "USD", scale: Decimal = Decimal(1)) -> Path:
    lines = [
        "provider,invoice_id,billing_period,category,description,amount,currency,model",
        f"openai,INV-2026-10,2026-10,usage,GPT-4o usage,{Decimal('3991.25') * scale},{currency},gpt-4o",
        f"openai,INV-2026-10,2026-10,usage,Other model usage,{Decimal('123.45') * scale},{currency},gpt-mystery-1",
        f"openai,INV-2026-10,2026-10,credit,Promotional credit,{Decimal('-200.00') * scale},{currency},",
        f"openai,INV-2026-10,2026-10,tax,VAT,{Decimal('313.18') * scale},{currency},",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
