"""Helicone request exports: the JSON / JSON Lines / CSV written by `npx @helicone/export` (records of
`POST /v1/request/query-clickhouse`, the `HeliconeRequest` shape).

Sources (shared/formats/gateways.md §3): Helicone/helicone `examples/export`, `packages/cost/costCalc.ts`
(`COST_PRECISION_MULTIPLIER = 1_000_000_000`), `valhalla/jawn/.../anthropicBodyProcessor.ts`. Conventions the SQL
applies:

- For `provider = ANTHROPIC`, `prompt_tokens` is Anthropic's `input_tokens` (cache reads and writes excluded; read
  in anthropicBodyProcessor). For other providers Helicone keeps the provider's `prompt_tokens`, which in the
  OpenAI shape include cached tokens; since newer Helicone versions may store uncached counts (its cost SQL prices
  `prompt_tokens` at the full rate beside the cache counts), the row is read with the first convention that leaves
  a non-negative uncached count, and `token_convention` records it. UNCONFIRMED per provider beyond Anthropic.
- `costUSD` (API record) or `cost_usd` (the tool's CSV) is USD; ClickHouse's `cost` is USD x 1e9 as an integer and
  is converted exactly. Used only when no USD amount is present.
- `request_properties` (Helicone-Property-* headers) become tags; `request_user_id` (Helicone-User-Id) is the end
  user. There is no API-key field in the record.
- `request_body` and `response_body` (filled by `--include-body`) hold prompt text: they are never read.
"""

from __future__ import annotations

from llmfinops.ingest.base import FileSample, InputFormat

_SIGNATURE = frozenset({"request_created_at", "prompt_tokens", "completion_tokens"})


def _detect(sample: FileSample) -> bool:
    # The API record has request_id; the tool's CSV header has only response_id.
    return sample.field_names >= _SIGNATURE and bool(sample.field_names & {"request_id", "response_id"})


HELICONE_REQUESTS = InputFormat(
    name="helicone",
    title="Helicone request export (@helicone/export JSON, JSON Lines or CSV)",
    fields=(
        "request_id",
        "response_id",
        "request_created_at",
        "request_path",
        "model",
        "model_override",
        "request_model",
        "response_model",
        "provider",
        "response_status",
        "prompt_tokens",
        "completion_tokens",
        "prompt_cache_read_tokens",
        "prompt_cache_write_tokens",
        "prompt_audio_tokens",
        "completion_audio_tokens",
        "costUSD",
        "cost_usd",
        "cost",
        "request_user_id",
        "request_properties",
    ),
    sql_file="helicone.sql",
    detect=_detect,
    private_fields=frozenset({"request_body", "response_body"}),
)
