"""The pricing engine against costs worked out by hand from the providers' published rates (USD per million
tokens, as in pricing/*.yaml), exact to 1e-9 dollars. Each test writes its rows in the canonical format, which
carries disjoint token counts, so what is tested here is the price arithmetic, not a parser's convention."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from llmfinops.ingest.load import ingest_files
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.builders import canonical_row, write_canonical_jsonl
from tests.conftest import DEFAULT_CONFIG

MTOK = Decimal(1_000_000)


def _cost(**tokens_times_rate: tuple[int, str]) -> Decimal:
    """Sum of tokens x (USD per million) / 1e6, written out the way a person checks an invoice line."""
    return sum((Decimal(tokens) * Decimal(rate) / MTOK for tokens, rate in tokens_times_rate.values()), Decimal(0))


def _priced(workspace: Workspace, tmp_path: Path, rows: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    write_canonical_jsonl(tmp_path / "rows.jsonl", rows)
    with open_store(workspace) as database:
        ingest_files(database, [tmp_path / "rows.jsonl"])
        priced = database.fetchall(
            "SELECT request_id, priced, list_cost, estimated_cost, unpriced_reason, price_window_id, "
            "price_context_tier FROM usage_priced"
        )
    return {row[0]: row[1:] for row in priced}


def _anthropic(number: int, **tokens: Any) -> dict[str, Any]:
    return canonical_row(number, provider="anthropic", model="claude-sonnet-4-5-20250929", **tokens)


def test_anthropic_cache_reads_and_5_minute_and_1_hour_cache_writes(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    # claude-sonnet-4-5: input 3.00, cache read 0.30, cache write 5m 3.75, 1h 6.00, output 15.00
    rows = [
        _anthropic(1, input_tokens=10_000, cache_read_tokens=150_000, cache_write_tokens=20_000, output_tokens=2_000),
        _anthropic(
            2,
            input_tokens=10_000,
            cache_read_tokens=150_000,
            cache_write_tokens=20_000,
            cache_write_1h_tokens=8_000,
            output_tokens=2_000,
        ),
    ]
    priced = _priced(make_workspace(), tmp_path, rows)

    assert (
        priced["req-000001"][2]
        == _cost(input=(10_000, "3.00"), read=(150_000, "0.30"), write=(20_000, "3.75"), output=(2_000, "15.00"))
        == Decimal("0.18")
    )
    assert (
        priced["req-000002"][2]
        == _cost(
            input=(10_000, "3.00"),
            read=(150_000, "0.30"),
            write_5m=(12_000, "3.75"),
            write_1h=(8_000, "6.00"),
            output=(2_000, "15.00"),
        )
        == Decimal("0.198")
    )


def test_a_prompt_above_the_long_context_threshold_prices_the_whole_request_at_the_tier_rate(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    # claude-sonnet-4-5 above 200K prompt tokens: input 6.00, cache read 0.60, cache write 7.50, output 22.50
    rows = [
        _anthropic(1, input_tokens=200_000, output_tokens=1_000),  # exactly at the threshold: base rates
        _anthropic(2, input_tokens=150_000, cache_read_tokens=50_000, cache_write_tokens=1, output_tokens=1_000),
    ]
    priced = _priced(make_workspace(), tmp_path, rows)

    assert priced["req-000001"][2] == _cost(input=(200_000, "3.00"), output=(1_000, "15.00"))
    assert priced["req-000001"][5] == "base"
    assert priced["req-000002"][2] == _cost(
        input=(150_000, "6.00"), read=(50_000, "0.60"), write=(1, "7.50"), output=(1_000, "22.50")
    )
    assert priced["req-000002"][5] == "long"


def test_openai_reasoning_is_priced_as_output_and_batch_halves_every_component(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    # gpt-5: input 1.25, cached input 0.125, output 10.00 (reasoning included); Batch API: 50 % off
    tokens = {"input_tokens": 1_000, "cache_read_tokens": 4_000, "output_tokens": 3_000, "reasoning_tokens": 2_000}
    rows = [
        canonical_row(1, provider="openai", model="gpt-5-2025-08-07", **tokens),
        canonical_row(2, provider="openai", model="gpt-5-2025-08-07", service_tier="batch", **tokens),
    ]
    priced = _priced(make_workspace(), tmp_path, rows)

    standard = _cost(input=(1_000, "1.25"), read=(4_000, "0.125"), output=(3_000, "10.00"))
    assert priced["req-000001"][2] == standard == Decimal("0.03175")
    assert priced["req-000002"][2] == _cost(input=(1_000, "0.625"), read=(4_000, "0.0625"), output=(3_000, "5.00"))
    assert priced["req-000002"][2] == standard / 2


def test_a_request_before_and_after_a_price_change_uses_the_window_in_effect(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    # OpenAI cut o3 from 10.00 / 40.00 to 2.00 / 8.00 per million on 2025-06-10.
    million = {"input_tokens": 1_000_000, "output_tokens": 1_000_000}
    rows = [
        canonical_row(1, provider="openai", model="o3-2025-04-16", ts="2025-06-09T23:59:59Z", **million),
        canonical_row(2, provider="openai", model="o3-2025-04-16", ts="2025-06-10T00:00:00Z", **million),
    ]
    priced = _priced(make_workspace(), tmp_path, rows)

    assert priced["req-000001"][2] == Decimal("50.00")
    assert priced["req-000002"][2] == Decimal("10.00")
    assert priced["req-000001"][4] != priced["req-000002"][4]


def test_bedrock_regional_inference_profile_uses_the_regional_price(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    # Claude Haiku 4.5 on Bedrock, regional (us.) profile: input 1.10, output 5.50
    rows = [
        canonical_row(
            1,
            provider="bedrock",
            model="us.anthropic.claude-haiku-4-5-20251001-v1:0",
            input_tokens=100_000,
            output_tokens=10_000,
        )
    ]
    priced = _priced(make_workspace(), tmp_path, rows)

    assert priced["req-000001"][2] == _cost(input=(100_000, "1.10"), output=(10_000, "5.50")) == Decimal("0.165")


CONTRACT_CONFIG = (
    DEFAULT_CONFIG
    + """
contracts:
  - provider: openai
    models: "gpt-5*"
    discount_percent: "12.5"
    effective_from: "2026-10-01"
"""
)


def test_a_negotiated_discount_gives_net_cost_below_list_cost_from_its_start_date(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    tokens = {"input_tokens": 1_000_000, "output_tokens": 100_000}
    rows = [
        canonical_row(1, provider="openai", model="gpt-5", ts="2026-09-30T23:00:00Z", **tokens),
        canonical_row(2, provider="openai", model="gpt-5", ts="2026-10-01T00:00:00Z", **tokens),
        canonical_row(3, provider="openai", model="gpt-4.1", ts="2026-10-01T00:00:00Z", **tokens),
    ]
    priced = _priced(make_workspace(CONTRACT_CONFIG), tmp_path, rows)

    list_cost = _cost(input=(1_000_000, "1.25"), output=(100_000, "10.00"))  # 2.25
    assert priced["req-000001"][1:3] == (list_cost, list_cost)  # before the contract
    assert priced["req-000002"][1:3] == (list_cost, list_cost * Decimal("0.875"))  # 1.96875
    assert priced["req-000003"][1] == priced["req-000003"][2]  # the contract covers gpt-5* only


def test_a_tier_the_table_does_not_price_is_unpriced_not_standard(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    rows = [_anthropic(1, service_tier="flex")]
    priced = _priced(make_workspace(), tmp_path, rows)

    assert priced["req-000001"][0] is False
    assert priced["req-000001"][2] is None
    assert priced["req-000001"][3] == "no flex price for claude-sonnet-4-5"


@pytest.mark.parametrize(
    ("tokens", "reason"),
    [
        ({"cache_write_tokens": 10, "cache_write_1h_tokens": 10}, None),
        ({"input_audio_tokens": 10}, "no audio input price for claude-sonnet-4-5"),
        ({"image_count": 2}, "no per-image price for claude-sonnet-4-5"),
    ],
)
def test_usage_the_window_has_no_rate_for_is_unpriced_with_the_reason(
    tokens: dict[str, int], reason: str | None, make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    priced = _priced(make_workspace(), tmp_path, [_anthropic(1, **tokens)])

    assert priced["req-000001"][3] == reason
    assert priced["req-000001"][0] is (reason is None)


def test_vertex_gemini_long_context_and_an_azure_deployment_name_mapped_in_finops_yaml(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    # gemini-2.5-pro on Vertex: 1.25 / cached 0.125 / output 10.00; above 200K prompt tokens 2.50 / 0.25 / 15.00.
    # Azure: a deployment named prod-gpt4o-east is gpt-4o (2.50 / cached 1.25 / 10.00).
    config = (
        DEFAULT_CONFIG
        + """
model_aliases:
  - provider: azure
    name: prod-gpt4o-east
    model: gpt-4o
"""
    )
    rows = [
        canonical_row(1, provider="vertex_ai", model="gemini-2.5-pro", input_tokens=100_000, output_tokens=5_000),
        canonical_row(
            2,
            provider="vertex_ai",
            model="gemini-2.5-pro",
            input_tokens=180_000,
            cache_read_tokens=40_000,
            output_tokens=5_000,
        ),
        canonical_row(3, provider="azure", model="prod-gpt4o-east", input_tokens=10_000, output_tokens=1_000),
    ]
    priced = _priced(make_workspace(config), tmp_path, rows)

    assert priced["req-000001"][2] == _cost(input=(100_000, "1.25"), output=(5_000, "10.00")) == Decimal("0.175")
    assert (
        priced["req-000002"][2]
        == _cost(input=(180_000, "2.50"), read=(40_000, "0.25"), output=(5_000, "15.00"))
        == Decimal("0.535")
    )
    assert priced["req-000003"][2] == _cost(input=(10_000, "2.50"), output=(1_000, "10.00")) == Decimal("0.035")
    assert priced["req-000003"][4] == "azure/gpt-4o@" + priced["req-000003"][4].split("@")[1]
