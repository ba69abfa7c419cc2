"""Pricing: exact Decimal costs, the batch multiplier, effective-dated windows, unpriced usage and price-file
validation (acceptance criteria 3 and 7)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.config import load_config
from llmfinops.db.connection import Database
from llmfinops.errors import ConfigError
from llmfinops.ingest.load import ingest_files
from llmfinops.periods import parse_month
from llmfinops.prices.apply import reprice_month
from llmfinops.prices.tables import load_price_tables, parse_price_file
from llmfinops.reports.build import build_showback
from llmfinops.resources import pricing_dir
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.builders import canonical_row, write_canonical_jsonl
from tests.conftest import CASES

MTOK = Decimal(1_000_000)
# pricing/anthropic.yaml, claude-sonnet-4-5 (USD per million tokens).
SONNET = {
    "input": Decimal("3.00"),
    "cache_read": Decimal("0.30"),
    "cache_write": Decimal("3.75"),
    "output": Decimal("15.00"),
}


def _cost(input_tokens: int, cache_read: int, cache_write: int, output: int, prices: dict[str, Decimal]) -> Decimal:
    return (
        input_tokens * prices["input"]
        + cache_read * prices["cache_read"]
        + cache_write * prices["cache_write"]
        + output * prices["output"]
    ) / MTOK


SONNET_ID = "anthropic/claude-sonnet-4-5"


def test_bundled_sonnet_prices_are_the_ones_this_file_assumes() -> None:
    models = {model.model: model for model in parse_price_file(pricing_dir() / "anthropic.yaml")}
    window = models["claude-sonnet-4-5"].windows[-1]

    rates = window.rates
    assert (rates.input_per_mtok, rates.cache_read_per_mtok, rates.cache_write_per_mtok, rates.output_per_mtok) == (
        SONNET["input"],
        SONNET["cache_read"],
        SONNET["cache_write"],
        SONNET["output"],
    )
    assert [(tier.name, tier.multiplier) for tier in window.tiers] == [("batch", Decimal("0.5"))]


def test_cost_of_a_known_row_computed_by_hand(store: Database) -> None:
    ingest_files(store, [CASES / "litellm" / "token_conventions.csv"])

    row = store.fetchone(
        "SELECT model, input_cost, cache_read_cost, cache_write_cost, output_cost, estimated_cost, priced "
        "FROM usage_priced WHERE request_id = 'msg_conv_4'"
    )

    # 12 uncached + 24950 cache read + 1253 cache write + 500 output.
    assert row == (
        "claude-sonnet-4-5",
        Decimal("0.000036"),
        Decimal("0.007485"),
        Decimal("0.00469875"),
        Decimal("0.0075"),
        _cost(12, 24950, 1253, 500, SONNET),
        True,
    )
    assert row[5] == Decimal("0.01971975")


def test_batch_multiplier_halves_a_batch_row(store: Database) -> None:
    ingest_files(store, [CASES / "canonical" / "batch.jsonl"])

    costs = dict(store.fetchall("SELECT service_tier, estimated_cost FROM usage_priced"))

    standard = _cost(100_000, 20_000, 4_000, 30_000, SONNET)  # 124,000 prompt tokens: below the 200K tier
    assert standard == Decimal("0.771")
    assert costs == {"standard": standard, "batch": standard * Decimal("0.5")}


OVERRIDE = """\
provider: anthropic
currency: USD
models:
  - model: claude-sonnet-4-5
    aliases: [claude-sonnet-4-5-20250929]
    prices:
      - effective_from: "2026-01-01"
        effective_to: "2026-10-15"
        input_per_mtok: "3.00"
        cache_read_per_mtok: "0.30"
        cache_write_per_mtok: "3.75"
        output_per_mtok: "15.00"
        source_url: https://example.com/old
      - effective_from: "2026-10-15"
        input_per_mtok: "2.00"
        cache_read_per_mtok: "0.20"
        cache_write_per_mtok: "2.50"
        output_per_mtok: "10.00"
        source_url: https://example.com/new
"""


def test_effective_dated_window_change(make_workspace: Callable[..., Workspace], tmp_path: Path) -> None:
    workspace = make_workspace(prices={"anthropic_override.yaml": OVERRIDE})
    rows = [
        canonical_row(1, ts="2026-10-14T23:59:59.999Z", input_tokens=1_000_000, output_tokens=1_000_000),
        canonical_row(2, ts="2026-10-15T00:00:00Z", input_tokens=1_000_000, output_tokens=1_000_000),
        canonical_row(3, ts="2025-12-31T23:00:00Z"),
    ]
    write_canonical_jsonl(tmp_path / "window.jsonl", rows)

    with open_store(workspace) as database:
        ingest_files(database, [tmp_path / "window.jsonl"])
        priced = database.fetchall(
            "SELECT request_id, priced, estimated_cost, price_window_id, price_source_url, unpriced_reason "
            "FROM usage_priced ORDER BY request_id"
        )

    assert priced == [
        (
            "req-000001",
            True,
            Decimal("18.00"),
            "anthropic/claude-sonnet-4-5@2026-01-01",
            "https://example.com/old",
            None,
        ),
        (
            "req-000002",
            True,
            Decimal("12.00"),
            "anthropic/claude-sonnet-4-5@2026-10-15",
            "https://example.com/new",
            None,
        ),
        (
            "req-000003",
            False,
            None,
            None,
            None,
            "no price for claude-sonnet-4-5 in effect at 2025-12-31 23:00:00",
        ),
    ]


def test_a_changed_price_file_changes_history_only_through_reprice(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    workspace = make_workspace()
    write_canonical_jsonl(tmp_path / "one.jsonl", [canonical_row(1, input_tokens=100_000, output_tokens=0)])
    with open_store(workspace) as database:
        ingest_files(database, [tmp_path / "one.jsonl"])
        assert database.scalar("SELECT estimated_cost FROM usage_priced") == Decimal("0.30")
        first_hash = database.scalar("SELECT pricing_hash FROM usage_priced")

    (workspace.pricing_dir / "anthropic_override.yaml").write_text(OVERRIDE.replace('"3.00"', '"4.00"'))

    with open_store(workspace) as database:
        # Priced history stays as priced, with the hash of the tables that priced it...
        assert database.scalar("SELECT estimated_cost FROM usage_priced") == Decimal("0.30")
        assert database.scalar("SELECT pricing_hash FROM usage_priced") == first_hash
        # ...until the month is repriced, which says what changed.
        report = reprice_month(database, parse_month("2026-10"))
        assert database.scalar("SELECT estimated_cost FROM usage_priced") == Decimal("0.40")
        assert database.scalar("SELECT pricing_hash FROM usage_priced") != first_hash
    assert (report.rows, report.total_before, report.total_after) == (1, Decimal("0.30"), Decimal("0.40"))
    assert [(model.model, model.estimated_before, model.estimated_after) for model in report.models] == [
        ("claude-sonnet-4-5", Decimal("0.30"), Decimal("0.40"))
    ]


def _write_price_file(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "pricing"
    folder.mkdir(exist_ok=True)
    path = folder / "local.yaml"
    path.write_text(text)
    return folder


def test_overlapping_windows_name_the_file_and_the_model(tmp_path: Path) -> None:
    overlapping = OVERRIDE.replace('effective_to: "2026-10-15"', 'effective_to: "2026-10-20"')
    folder = _write_price_file(tmp_path, overlapping)

    with pytest.raises(ConfigError) as caught:
        load_price_tables([folder])

    assert caught.value.message == (
        f"{folder / 'local.yaml'}:14: model claude-sonnet-4-5: price windows overlap at 2026-10-15."
    )


def test_open_ended_window_followed_by_another_overlaps(tmp_path: Path) -> None:
    folder = _write_price_file(tmp_path, OVERRIDE.replace('        effective_to: "2026-10-15"\n', ""))

    with pytest.raises(ConfigError, match="model claude-sonnet-4-5: price windows overlap"):
        load_price_tables([folder])


def test_float_price_is_refused_with_file_and_line(tmp_path: Path) -> None:
    folder = _write_price_file(tmp_path, OVERRIDE.replace('input_per_mtok: "2.00"', "input_per_mtok: 2.5"))

    with pytest.raises(ConfigError) as caught:
        load_price_tables([folder])

    assert caught.value.message.startswith(f"{folder / 'local.yaml'}:15: input_per_mtok: ")
    assert 'quoted decimal string ("2.5")' in caught.value.message


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('input_per_mtok: "2.00"', 'input_per_mtok: "2.0000001"', "must be a non-negative decimal with at most 6"),
        ('input_per_mtok: "2.00"', 'input_per_mtok: "-2"', "must be a non-negative decimal"),
        ('input_per_mtok: "2.00"', 'input_per_mtok: "two"', "is not a decimal number"),
        ("source_url: https://example.com/new", "source_url: ''", "source_url: missing"),
        ('effective_to: "2026-10-15"', 'effective_to: "2025-01-01"', "effective_to: must be after effective_from"),
    ],
)
def test_invalid_price_values(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in OVERRIDE
    folder = _write_price_file(tmp_path, OVERRIDE.replace(old, new))

    with pytest.raises(ConfigError, match=message):
        load_price_tables([folder])


def test_bad_price_file_in_a_workspace_fails_the_command(
    cli: Callable, make_workspace: Callable[..., Workspace]
) -> None:
    workspace = make_workspace(
        prices={"local.yaml": OVERRIDE.replace('output_per_mtok: "10.00"', "output_per_mtok: 10.5")}
    )

    result = cli("-w", workspace.root, "sources")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {workspace.pricing_dir / 'local.yaml'}:18: output_per_mtok:")
    assert "Traceback" not in result.output


# 3. Unpriced usage is visible, counted, and never costed at $0.


def test_model_without_a_price_is_unpriced_never_zero(store: Database, tmp_path: Path) -> None:
    write_canonical_jsonl(
        tmp_path / "mixed.jsonl",
        [
            canonical_row(1, provider="openai", model="gpt-9-turbo", input_tokens=500, output_tokens=50),
            canonical_row(2, provider="openai", model="gpt-9-turbo", input_tokens=100, output_tokens=10),
            canonical_row(3, input_tokens=100_000, output_tokens=0),
        ],
    )
    ingest_files(store, [tmp_path / "mixed.jsonl"])

    unpriced = store.fetchall(
        "SELECT priced, estimated_cost, input_cost, output_cost, unpriced_reason FROM usage_priced "
        "WHERE model = 'gpt-9-turbo'"
    )
    assert unpriced == [(False, None, None, None, "no price table entry for model gpt-9-turbo of provider openai")] * 2

    config = load_config(Path(str(store.path)).parent / "finops.yaml")
    report = build_showback(store, config, parse_month("2026-10"))
    assert [(item.provider, item.model, item.requests, item.tokens, item.reason) for item in report.unpriced] == [
        ("openai", "gpt-9-turbo", 2, 660, "no price table entry for model gpt-9-turbo of provider openai")
    ]
    unallocated = next(line for line in report.lines if line.cost_center == "unallocated")
    assert (unallocated.requests, unallocated.unpriced_requests, unallocated.estimated_cost) == (3, 2, Decimal("0.30"))
    assert {model.model: model.estimated_cost for model in report.models} == {
        "claude-sonnet-4-5": Decimal("0.30"),
        "gpt-9-turbo": None,
    }
    assert report.total_estimated_cost == Decimal("0.30")


def test_unpriced_usage_is_listed_in_the_showback_json_and_table(
    cli: Callable, workspace: Workspace, tmp_path: Path
) -> None:
    import json

    write_canonical_jsonl(tmp_path / "u.jsonl", [canonical_row(1, provider="openai", model="gpt-9-turbo")])
    cli("-w", workspace.root, "ingest", tmp_path / "u.jsonl")

    as_json = json.loads(
        cli("-w", workspace.root, "report", "showback", "--month", "2026-10", "--format", "json").stdout
    )
    as_table = cli("-w", workspace.root, "report", "showback", "--month", "2026-10").stdout

    assert as_json["unpriced"] == [
        {
            "provider": "openai",
            "model": "gpt-9-turbo",
            "requests": 1,
            "tokens": 1100,
            "reason": "no price table entry for model gpt-9-turbo of provider openai",
        }
    ]
    assert as_json["models"][0]["estimated_cost"] is None
    assert "unpriced" in as_table
    assert "  openai/gpt-9-turbo: 1 requests, 1,100 tokens: no price table entry for model gpt-9-turbo" in as_table


@pytest.mark.parametrize("tier", ["flex", "priority"])
def test_tier_without_a_price_is_unpriced_not_standard(store: Database, tmp_path: Path, tier: str) -> None:
    write_canonical_jsonl(tmp_path / "tier.jsonl", [canonical_row(1, service_tier=tier)])
    ingest_files(store, [tmp_path / "tier.jsonl"])

    assert store.fetchone("SELECT priced, estimated_cost, unpriced_reason FROM usage_priced") == (
        False,
        None,
        f"no {tier} price for claude-sonnet-4-5",
    )


def test_an_unknown_price_component_is_refused_with_file_and_line(tmp_path: Path) -> None:
    folder = _write_price_file(tmp_path, OVERRIDE.replace('output_per_mtok: "10.00"', 'output_per_mtoken: "10.00"'))

    with pytest.raises(ConfigError) as caught:
        load_price_tables([folder])

    assert caught.value.message == f"{folder / 'local.yaml'}:18: output_per_mtoken: unknown price component."
    assert caught.value.hint is not None and "output_per_mtok" in caught.value.hint
