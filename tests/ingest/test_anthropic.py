"""Anthropic exports -> disjoint token counts, attribution, exact billed amounts and period replacement
(conventions in llmfinops/ingest/anthropic_exports.py and its four SQL files)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.db.connection import Database
from llmfinops.errors import InputError
from llmfinops.ingest.anthropic_exports import ANTHROPIC_FORMATS
from llmfinops.ingest.containers import sample_file
from llmfinops.ingest.load import Replacement, SkippedRows, ingest_files
from llmfinops.ingest.registry import FORMATS, detect_format
from llmfinops.store import open_store
from llmfinops.workspace import Workspace, create_workspace
from tests.conftest import CASES, DEFAULT_CONFIG

ANTHROPIC = CASES / "anthropic"
M = Decimal(10**6)

#: One malformed file per quarantine message: one good row (or result) and this bad one.
ANTHROPIC_QUARANTINE_CASES: dict[str, tuple[str, str | None, str]] = {
    "usage_bad_output_tokens.json": ("element 1, result 2", "output_tokens", "'12.5' is not a count"),
    "usage_negative_cache_write.json": (
        "element 1, result 2",
        "cache_creation.ephemeral_1h_input_tokens",
        "'-3' is not a count",
    ),
    "usage_bad_web_search.json": (
        "element 1, result 2",
        "server_tool_use.web_search_requests",
        "'three' is not a count",
    ),
    "usage_missing_model.json": (
        "element 1, result 2",
        "model",
        "missing; fetch the report with group_by[]=model so each row can be priced",
    ),
    "usage_unknown_tier.json": (
        "element 1, result 2",
        "service_tier",
        "'turbo' is not a known tier (standard, batch, priority, priority_on_demand, flex, flex_discount)",
    ),
    "usage_unknown_context_window.json": (
        "element 1, result 2",
        "context_window",
        "'1M-2M' is not a known context window (0-200k, 200k-1M)",
    ),
    "usage_result_not_object.json": ("element 1, result 2", "results", "not a JSON object"),
    "usage_bad_starting_at.json": ("element 2", "starting_at", "'yesterday' is not an RFC 3339 timestamp"),
    "usage_missing_ending_at.json": ("element 2", "ending_at", "missing"),
    "usage_ending_before_start.json": ("element 2", "ending_at", "not after starting_at"),
    "usage_results_not_list.json": ("element 2", "results", "not a JSON array"),
    "cost_bad_amount.json": ("element 1, result 2", "amount", "'12,5' is not a decimal amount of cents"),
    "cost_missing_amount.json": ("element 1, result 2", "amount", "missing"),
    "cost_missing_currency.json": ("element 1, result 2", "currency", "missing"),
    "cost_bad_currency.json": ("element 1, result 2", "currency", "'US$' is not an ISO 4217 currency code"),
    "usage_bad_date.csv": ("row 2", "usage_date_utc", "'01/10/2026' is not a YYYY-MM-DD date"),
    "usage_missing_model_version.csv": ("row 2", "model_version", "missing"),
    "usage_bad_output_count.csv": ("row 2", "usage_output_tokens", "'1,400' is not a count"),
    "usage_negative_cache_read.csv": ("row 2", "usage_input_tokens_cache_read", "'-20' is not a count"),
    "usage_unknown_usage_type.csv": (
        "row 2",
        "usage_type",
        "'turbo' is not a known tier (standard, batch, priority, priority_on_demand, flex, flex_discount)",
    ),
    "usage_unknown_context_window.csv": (
        "row 2",
        "context_window",
        "'huge' is not a known context window (≤ 200k, > 200k)",
    ),
    "cost_bad_cost_usd.csv": ("row 2", "cost_usd", "'$0.01' is not a decimal amount"),
    "cost_missing_cost_usd.csv": ("row 2", "cost_usd", "missing"),
    "cost_bad_list_price.csv": ("row 2", "list_price_usd", "'n/a' is not a decimal amount"),
    "cost_bad_date.csv": ("row 2", "usage_date_utc", "'2026-13-01' is not a YYYY-MM-DD date"),
}
WELL_FORMED: dict[str, str] = {
    "usage_report.json": "anthropic_usage_api",
    "usage_report_restated.json": "anthropic_usage_api",
    "cost_report.json": "anthropic_cost_api",
    "cost_report_restated.json": "anthropic_cost_api",
    "usage.csv": "anthropic_usage_csv",
    "usage_old.csv": "anthropic_usage_csv",
    "cost.csv": "anthropic_cost_csv",
    "cost_old.csv": "anthropic_cost_csv",
}

#: Files that are refused whole (tests below), and the page that only --kind reads.
WHOLE_FILE_CASES: frozenset[str] = frozenset(
    {
        "usage_error_body.json",
        "usage_wrong_shape.json",
        "usage_report_truncated.json.gz",
        "usage_missing_columns.csv",
        "usage_all_empty.json",
    }
)

_USAGE_COLUMNS = (
    "ts, model, model_raw, service_tier, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, "
    "output_tokens, reasoning_tokens, web_search_count, request_count, api_key_id, api_key_alias, workspace_id, "
    "user_id, tags, long_context"
)
_BILLING_COLUMNS = (
    "charge_period_start, charge_period_end, billing_period_start, billing_period_end, charge_category, "
    "sku_description, model, model_raw, token_class, billed_cost, list_cost, billing_currency, is_ai, api_key_id, "
    "workspace_id, sub_account_id, tags, document"
)


def _usage(store: Database, order: str = "source_row, usage_id") -> list[dict[str, object]]:
    names = [name.strip() for name in _USAGE_COLUMNS.split(",")]
    rows = store.fetchall(f"SELECT {_USAGE_COLUMNS} FROM usage ORDER BY {order}")
    return [dict(zip(names, row, strict=True)) for row in rows]


def _billing(store: Database) -> list[dict[str, object]]:
    names = [name.strip() for name in _BILLING_COLUMNS.split(",")]
    rows = store.fetchall(f"SELECT {_BILLING_COLUMNS} FROM billing ORDER BY source_id, source_row, billing_id")
    return [dict(zip(names, row, strict=True)) for row in rows]


def _day(day: int, month: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day)


def test_every_case_file_is_covered() -> None:
    """A new case file must come with its expected outcome (one malformed file per message)."""
    on_disk = {path.name for path in ANTHROPIC.iterdir() if path.is_file()}

    assert on_disk == set(WELL_FORMED) | set(ANTHROPIC_QUARANTINE_CASES) | WHOLE_FILE_CASES


# ---- detection


@pytest.mark.parametrize("case", sorted(WELL_FORMED))
def test_each_export_is_detected_as_its_format(case: str) -> None:
    assert detect_format(sample_file(ANTHROPIC / case)).name == WELL_FORMED[case]


def test_no_other_format_claims_anthropic_files_and_these_formats_claim_no_other_files() -> None:
    anthropic_names = {input_format.name for input_format in ANTHROPIC_FORMATS}
    for path in sorted(ANTHROPIC.glob("*")):
        if path.name in WELL_FORMED or path.name in ANTHROPIC_QUARANTINE_CASES:
            sample = sample_file(path)
            claimed = [input_format.name for input_format in FORMATS if input_format.detect(sample)]
            assert len(claimed) == 1 and claimed[0] in anthropic_names, (path.name, claimed)
    for path in sorted(CASES.rglob("*")):
        if not path.is_file() or path.parent == ANTHROPIC:
            continue
        try:
            sample = sample_file(path)
        except InputError:  # empty and truncated fixtures of other formats
            continue
        assert not [input_format.name for input_format in ANTHROPIC_FORMATS if input_format.detect(sample)], path


def test_usage_and_cost_pages_share_an_envelope_and_are_told_apart_by_their_results() -> None:
    usage, cost = sample_file(ANTHROPIC / "usage_report.json"), sample_file(ANTHROPIC / "cost_report.json")

    assert usage.field_names == cost.field_names == {"starting_at", "ending_at", "results"}
    assert "uncached_input_tokens" in usage.nested_field_names
    assert {"amount", "currency"} <= cost.nested_field_names


# ---- usage report (Admin API)


def test_usage_report_rows_are_disjoint_counts_with_their_dimensions(store: Database) -> None:
    result = ingest_files(store, [ANTHROPIC / "usage_report.json"]).files[0]
    rows = _usage(store)

    base = {"reasoning_tokens": 0, "request_count": 0, "api_key_alias": None, "user_id": None}
    assert rows == [
        {
            **base,
            "ts": _day(1),
            "model": "claude-sonnet-4-5-20250929",
            "model_raw": "claude-sonnet-4-5-20250929",
            "service_tier": "standard",
            "input_tokens": 1500,
            "cache_read_tokens": 200000,
            # 5m 12000 + 1h 0
            "cache_write_tokens": 12000,
            "cache_write_1h_tokens": 0,
            "output_tokens": 8000,
            "web_search_count": 0,
            "api_key_id": "apikey_01SEARCH",
            "workspace_id": "wrkspc_01SEARCH",
            "tags": {"service_tier": "standard", "context_window": "0-200k", "inference_geo": "global"},
            "long_context": False,
        },
        {
            **base,
            "ts": _day(1),
            "model": "claude-haiku-4-5-20251001",
            "model_raw": "claude-haiku-4-5-20251001",
            "service_tier": "batch",
            "input_tokens": 900000,
            "cache_read_tokens": 0,
            "cache_write_tokens": 0,
            "cache_write_1h_tokens": 0,
            "output_tokens": 120000,
            "web_search_count": 0,
            "api_key_id": "apikey_01ETL",
            # null: the Default workspace (this report was grouped by workspace_id)
            "workspace_id": None,
            "tags": {"service_tier": "batch", "context_window": "0-200k", "inference_geo": "not_available"},
            "long_context": False,
        },
        {
            **base,
            "ts": _day(1),
            "model": "claude-sonnet-4-5-20250929",
            "model_raw": "claude-sonnet-4-5-20250929",
            "service_tier": "standard",
            "input_tokens": 250000,
            "cache_read_tokens": 0,
            # 5m 0 + 1h 40000: all writes, and the 1-hour part
            "cache_write_tokens": 40000,
            "cache_write_1h_tokens": 40000,
            "output_tokens": 5000,
            "web_search_count": 0,
            "api_key_id": "apikey_01SEARCH",
            "workspace_id": "wrkspc_01SEARCH",
            "tags": {"service_tier": "standard", "context_window": "200k-1M", "inference_geo": "global"},
            "long_context": True,
        },
        {
            **base,
            "ts": _day(1),
            "model": "claude-2.1",
            "model_raw": "claude-2.1",
            "service_tier": "standard",
            "input_tokens": 1000,
            "cache_read_tokens": 0,
            "cache_write_tokens": 0,
            "cache_write_1h_tokens": 0,
            "output_tokens": 200,
            "web_search_count": 0,
            "api_key_id": "apikey_01LEGACY",
            "workspace_id": "wrkspc_01OPS",
            "tags": {"service_tier": "standard", "context_window": "0-200k", "inference_geo": "us"},
            "long_context": False,
        },
        {
            **base,
            "ts": _day(2),
            "model": "claude-sonnet-4-5-20250929",
            "model_raw": "claude-sonnet-4-5-20250929",
            "service_tier": "standard",
            "input_tokens": 2000,
            "cache_read_tokens": 100000,
            "cache_write_tokens": 8000,
            "cache_write_1h_tokens": 8000,
            "output_tokens": 4000,
            "web_search_count": 3,
            "api_key_id": "apikey_01SEARCH",
            "workspace_id": "wrkspc_01SEARCH",
            "tags": {"service_tier": "standard", "context_window": "0-200k", "inference_geo": "global"},
            "long_context": False,
        },
        {
            **base,
            "ts": _day(2),
            "model": "claude-opus-4-1-20250805",
            "model_raw": "claude-opus-4-1-20250805",
            # written priority
            "service_tier": "priority",
            "input_tokens": 10000,
            "cache_read_tokens": 0,
            "cache_write_tokens": 0,
            "cache_write_1h_tokens": 0,
            "output_tokens": 2000,
            "web_search_count": 0,
            "api_key_id": None,
            "workspace_id": "wrkspc_01OPS",
            # an OAuth request: the user account
            "user_id": "user_01ALICE",
            "tags": {
                "service_tier": "priority",
                "context_window": "0-200k",
                "inference_geo": "us",
                "service_account_id": "svcacct_01CI",
            },
            "long_context": False,
        },
        {
            **base,
            "ts": _day(4),
            "model": "claude-haiku-4-5-20251001",
            "model_raw": "claude-haiku-4-5-20251001",
            # not grouped by service_tier or context_window: standard, base context
            "service_tier": "standard",
            "input_tokens": 50000,
            "cache_read_tokens": 10000,
            "cache_write_tokens": 4000,
            "cache_write_1h_tokens": 0,
            "output_tokens": 6000,
            "web_search_count": 0,
            "api_key_id": "apikey_01ETL",
            "workspace_id": None,
            "tags": {},
            "long_context": False,
        },
    ]
    # 4 buckets: 4 + 2 + 0 + 1 results; the empty bucket of 2026-10-03 is read and skipped
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_skipped) == (8, 7, 0, 1)
    assert result.skipped == (SkippedRows("bucket with no usage", 1),)
    assert store.fetchall("SELECT reason, rows FROM source_skips") == [("bucket with no usage", 1)]
    assert store.fetchall("SELECT DISTINCT grain, origin, provider, operation, status, request_id FROM usage") == [
        ("bucket", "provider", "anthropic", "chat", "success", None)
    ]
    assert store.scalar("SELECT feed FROM sources") == "anthropic_usage"


def test_usage_report_is_priced_per_model_and_what_cannot_be_priced_says_why(store: Database) -> None:
    ingest_files(store, [ANTHROPIC / "usage_report.json"])

    priced = dict(
        store.fetchall(
            "SELECT model, sum(estimated_cost) FROM usage_priced WHERE origin = 'provider' AND priced GROUP BY model"
        )
    )
    unpriced = store.fetchall(
        "SELECT model, unpriced_reason FROM usage_priced WHERE NOT priced ORDER BY source_row, usage_id"
    )

    # claude-sonnet-4-5 (pricing/anthropic.yaml): $3.00 input, $0.30 cache read, $3.75 5m write, $15.00 output;
    # long context $6.00 input, $12.00 1h write, $22.50 output.
    sonnet_base = (1500 * Decimal("3.00") + 200000 * Decimal("0.30") + 12000 * Decimal("3.75") + 8000 * 15) / M
    sonnet_long = (250000 * 6 + 40000 * 12 + 5000 * Decimal("22.50")) / M
    # claude-haiku-4-5: $1.00 / $0.10 / $1.25 / $5.00; batch x 0.5
    haiku_batch = (900000 * Decimal("0.50") + 120000 * Decimal("2.50")) / M
    haiku_standard = (50000 * 1 + 10000 * Decimal("0.10") + 4000 * Decimal("1.25") + 6000 * 5) / M
    # the day with three web searches ($0.01 each) and a 1-hour cache write ($6.00)
    sonnet_search = (2000 * 3 + 100000 * Decimal("0.30") + 8000 * 6 + 4000 * 15) / M + 3 * Decimal("0.01")
    assert sonnet_base == Decimal("0.2295") and sonnet_long == Decimal("2.0925") and sonnet_search == Decimal("0.174")
    assert priced == {
        "claude-sonnet-4-5": sonnet_base + sonnet_long + sonnet_search,
        "claude-haiku-4-5": haiku_batch + haiku_standard,
    }
    assert unpriced == [
        ("claude-2.1", "no price table entry for model claude-2.1 of provider anthropic"),
        ("claude-opus-4-1", "no priority price for claude-opus-4-1"),
    ]


def test_newer_usage_report_replaces_the_period_it_covers(make_workspace: Callable[..., Workspace]) -> None:
    with open_store(make_workspace()) as store:
        ingest_files(store, [ANTHROPIC / "usage_report.json"])
        newer = ingest_files(store, [ANTHROPIC / "usage_report_restated.json"]).files[0]
        per_day = store.fetchall(
            "SELECT ts, sum(input_tokens + cache_read_tokens + cache_write_tokens + output_tokens) FROM usage "
            "GROUP BY ts ORDER BY ts"
        )
        replaced = store.fetchall("SELECT source_id, replaced_source_id, target, rows_removed FROM source_replacements")

    # Before, 2026-10-01 and 02 had 4 + 2 rows: (1500 + 200000 + 12000 + 8000) + (900000 + 120000)
    # + (250000 + 40000 + 5000) + (1000 + 200) + (2000 + 100000 + 8000 + 4000) + (10000 + 2000) = 1,663,700 tokens.
    # The newer file has 2 + 1 rows: (1600 + 200000 + 12000 + 8400) + 1020000 + (3000 + 1000) = 1,246,000.
    assert newer.replacements == (
        Replacement("usage", "anthropic", _day(1), _day(3), 6, 3, "tokens", Decimal(1663700), Decimal(1246000)),
    )
    assert replaced == [(2, 1, "usage", 6)]
    # 2026-10-04 is outside the newer file's period and stays
    assert per_day == [(_day(1), 1242000), (_day(2), 4000), (_day(4), 70000)]


# ---- cost report (Admin API)


def test_cost_report_amounts_are_cents_read_exactly(store: Database) -> None:
    result = ingest_files(store, [ANTHROPIC / "cost_report.json"]).files[0]
    rows = _billing(store)

    # the same for every line of the report
    constant = ("billing_period_start", "billing_period_end", "charge_category", "list_cost", "billing_currency")
    constant += ("is_ai", "api_key_id", "document")
    assert {tuple(row[name] for name in constant) for row in rows} == {
        (date(2026, 10, 1), date(2026, 11, 1), "Usage", None, "USD", True, None, "cost_report")
    }
    assert all(row["model"] == row["model_raw"] and row["sub_account_id"] == row["workspace_id"] for row in rows)
    sonnet, haiku = "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"
    search, ops = "wrkspc_01SEARCH", "wrkspc_01OPS"
    # (day, line text, model, token class, billed cost, workspace)
    assert [
        (
            row["charge_period_start"].day,
            row["sku_description"],
            row["model"],
            row["token_class"],
            row["billed_cost"],
            row["workspace_id"],
        )
        for row in rows
    ] == [
        # "0.45" cents = $0.0045
        (1, "Claude Sonnet 4.5 Usage - Input Tokens", sonnet, "input", Decimal("0.0045"), search),
        (1, "Claude Sonnet 4.5 Usage - Input Tokens, Cache Hit", sonnet, "cache_read", Decimal("0.06"), search),
        (1, "Claude Sonnet 4.5 Usage - Input Tokens, Cache Write", sonnet, "cache_write", Decimal("0.045"), search),
        (
            1,
            "Claude Sonnet 4.5 Usage - Input Tokens, Cache Write (1h)",
            sonnet,
            "cache_write_1h",
            Decimal("0.48"),
            search,
        ),
        (1, "Claude Sonnet 4.5 Usage - Output Tokens", sonnet, "output", Decimal("0.12"), search),
        (1, "Web Search Usage", None, None, Decimal("0.03"), search),
        # null workspace: the Default workspace (or a report not grouped by workspace)
        (1, "Claude Haiku 4.5 Usage - Input Tokens", haiku, "input", Decimal("0.45"), None),
        (1, "Claude Haiku 4.5 Usage - Output Tokens", haiku, "output", Decimal("0.30"), None),
        (1, "Claude 2.1 Usage - Input Tokens", "claude-2.1", "input", Decimal("0.00105"), ops),
        # "123.45" cents = $1.2345, not $1.23
        (2, "Code Execution Usage", None, None, Decimal("1.2345"), ops),
        # "1.5e2" cents = 150 cents = $1.50 (and currency "usd" is upper-cased)
        (2, "Session Usage", None, None, Decimal("1.50"), ops),
        # "0.0001234567" cents = $0.000001234567: all 12 decimals kept
        (2, "Claude Haiku 4.5 Usage - Input Tokens, Cache Hit", haiku, "cache_read", Decimal("0.000001234567"), None),
    ]
    assert [(row["charge_period_start"], row["charge_period_end"]) for row in (rows[0], rows[-1])] == [
        (_day(1), _day(2)),
        (_day(2), _day(3)),
    ]
    assert rows[3]["tags"] == {
        "cost_type": "tokens",
        "token_type": "cache_creation.ephemeral_1h_input_tokens",
        "service_tier": "standard",
        "context_window": "200k-1M",
    }
    assert rows[6]["tags"]["service_tier"] == "batch"
    assert rows[5]["tags"] == {"cost_type": "web_search"}
    assert (result.rows_read, result.rows_loaded, result.rows_skipped) == (13, 12, 1)
    assert result.skipped == (SkippedRows("bucket with no costs", 1),)
    assert store.scalar("SELECT count(*) FROM usage") == 0
    assert store.fetchall("SELECT feed, target FROM sources") == [("anthropic_costs", "billing")]


def test_cost_report_models_resolve_to_priced_models(store: Database) -> None:
    ingest_files(store, [ANTHROPIC / "cost_report.json"])

    assert store.fetchall(
        "SELECT DISTINCT model, price_model FROM billing_mapped WHERE model IS NOT NULL ORDER BY model"
    ) == [
        ("claude-2.1", None),
        ("claude-haiku-4-5-20251001", "claude-haiku-4-5"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
    ]


def test_newer_cost_report_replaces_its_day(store: Database) -> None:
    ingest_files(store, [ANTHROPIC / "cost_report.json"])
    newer = ingest_files(store, [ANTHROPIC / "cost_report_restated.json"]).files[0]

    # 2026-10-02 had $1.2345 + $1.50 + $0.000001234567; the newer file has one line of "125" cents.
    assert newer.replacements == (
        Replacement("billing", "anthropic", _day(2), _day(3), 3, 1, "USD", Decimal("2.734501234567"), Decimal("1.25")),
    )
    day1_amounts = ("0.0045", "0.06", "0.045", "0.48", "0.12", "0.03", "0.45", "0.30", "0.00105")
    assert store.fetchall("SELECT charge_period_start, sum(billed_cost) FROM billing GROUP BY ALL ORDER BY 1") == [
        (_day(1), sum(map(Decimal, day1_amounts))),
        (_day(2), Decimal("1.25")),
    ]


# ---- Console usage CSV


def test_usage_csv_rows_with_key_and_workspace_names(store: Database) -> None:
    result = ingest_files(store, [ANTHROPIC / "usage.csv"]).files[0]
    rows = _usage(store)

    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (7, 7, 0)
    keyed = {(row["ts"].day, row["model_raw"], row["tags"].get("context_window")): row for row in rows}
    # the file starts with a UTF-8 BOM and has CRLF line ends: the first column is still read
    assert keyed[(1, "claude-sonnet-4-5-20250929", "≤ 200k")] == {
        "ts": _day(1),
        "model": "claude-sonnet-4-5-20250929",
        "model_raw": "claude-sonnet-4-5-20250929",
        "service_tier": "standard",
        "input_tokens": 1500,
        "cache_read_tokens": 200000,
        "cache_write_tokens": 12000,
        "cache_write_1h_tokens": 0,
        "output_tokens": 8000,
        "reasoning_tokens": 0,
        "web_search_count": 0,
        "request_count": 0,
        "api_key_id": None,
        # the key's and the workspace's names, as the Console writes them
        "api_key_alias": "search-prod",
        "workspace_id": "Search",
        "user_id": None,
        "tags": {"usage_type": "standard", "context_window": "≤ 200k", "inference_geo": "global"},
        "long_context": False,
    }
    long_row = keyed[(1, "claude-sonnet-4-5-20250929", "> 200k")]
    assert (long_row["long_context"], long_row["cache_write_tokens"], long_row["cache_write_1h_tokens"]) == (
        True,
        40000,
        40000,
    )
    batch_row = keyed[(1, "claude-haiku-4-5-20251001", "≤ 200k")]
    assert (batch_row["service_tier"], batch_row["workspace_id"], batch_row["api_key_alias"]) == (
        "batch",
        "Default",
        "etl-batch",
    )
    fast_row = keyed[(2, "claude-haiku-4-5-20251001", "≤ 200k")]
    # 5m 2000 + 1h 1000 writes; fast mode is only a tag (priced at the standard rates)
    assert (fast_row["cache_write_tokens"], fast_row["cache_write_1h_tokens"], fast_row["tags"]["speed"]) == (
        3000,
        1000,
        "fast",
    )
    assert keyed[(2, "claude-sonnet-4-5-20250929", "≤ 200k")]["web_search_count"] == 3
    assert store.scalar("SELECT feed FROM sources") == "anthropic_usage"


def test_older_usage_csv_has_one_cache_write_column(store: Database) -> None:
    ingest_files(store, [ANTHROPIC / "usage_old.csv"])

    assert store.fetchall(
        "SELECT model, input_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens, "
        "tags, token_convention FROM usage ORDER BY source_row"
    ) == [
        (
            "claude-3-5-haiku-20241022",
            800,
            5000,
            1200,
            0,
            300,
            {"usage_type": "standard"},
            "anthropic_usage_csv: disjoint (no-cache input, cache read, cache writes read as 5m, output)",
        ),
        (
            "claude-3-5-sonnet-20241022",
            4000,
            0,
            0,
            0,
            1000,
            {"usage_type": "standard"},
            "anthropic_usage_csv: disjoint (no-cache input, cache read, cache writes read as 5m, output)",
        ),
    ]
    # claude-3-5-haiku: 800 x $0.80 + 5000 x $0.08 + 1200 x $1.00 + 300 x $4.00 per million = $0.00344
    # claude-3-5-sonnet: 4000 x $3.00 + 1000 x $15.00 per million = $0.027
    assert store.fetchall("SELECT model, estimated_cost FROM usage_priced ORDER BY source_row") == [
        ("claude-3-5-haiku", (800 * Decimal("0.80") + 5000 * Decimal("0.08") + 1200 + 300 * 4) / M),
        ("claude-3-5-sonnet", (4000 * 3 + 1000 * 15) / M),
    ]


def test_usage_csv_replaces_the_usage_api_rows_of_its_days(store: Database) -> None:
    """The API's JSON and the Console's CSV are one feed: the newer file is what counts for its days."""
    ingest_files(store, [ANTHROPIC / "usage_report.json"])
    newer = ingest_files(store, [ANTHROPIC / "usage.csv"]).files[0]

    # the CSV covers 2026-10-01 and 02, so the API's 6 rows of those days go; 2026-10-04 stays
    assert [
        (replacement.period_start, replacement.period_end, replacement.rows_removed, replacement.rows_added)
        for replacement in newer.replacements
    ] == [(_day(1), _day(3), 6, 7)]
    assert store.fetchall("SELECT ts, count(*) FROM usage GROUP BY ts ORDER BY ts") == [
        (_day(1), 4),
        (_day(2), 3),
        (_day(4), 1),
    ]


# ---- Console cost CSV


def test_cost_csv_lines_in_dollars_with_display_names_resolved(store: Database) -> None:
    result = ingest_files(store, [ANTHROPIC / "cost.csv"]).files[0]
    rows = _billing(store)

    assert (result.rows_read, result.rows_loaded) == (11, 11)
    assert rows[0] == {
        "charge_period_start": _day(1),
        "charge_period_end": _day(2),
        "billing_period_start": date(2026, 10, 1),
        "billing_period_end": date(2026, 11, 1),
        "charge_category": "Usage",
        "sku_description": None,
        "model": "claude sonnet 4.5",
        "model_raw": "Claude Sonnet 4.5",
        "token_class": "input",
        # dollars here, not cents
        "billed_cost": Decimal("0.0045"),
        "list_cost": Decimal("0.0045"),
        "billing_currency": "USD",
        "is_ai": True,
        "api_key_id": "apikey_01SEARCH",
        "workspace_id": "Search",
        "sub_account_id": "Search",
        "tags": {
            "api_key": "search-prod",
            "api_key_status": "active",
            "usage_type": "message",
            "context_window": "≤ 200k",
            "token_type": "input_no_cache",
            "cost_type": "token",
            "inference_geo": "global",
        },
        "document": "cost_report",
    }
    assert [row["token_class"] for row in rows] == [
        "input",
        "cache_write",
        "cache_read",
        "output",
        "cache_write_1h",
        "input",
        "output",
        "input",
        None,  # web search
        "output",
        "input",
    ]
    # a discounted line: cost below list price
    assert (rows[5]["billed_cost"], rows[5]["list_cost"]) == (Decimal("0.45"), Decimal("0.9"))
    # "3.5e-2" is read exactly
    assert rows[9]["billed_cost"] == Decimal("0.035")
    # the last day of the month: charge period ends at the next month's start, billing period stays October
    assert (rows[10]["charge_period_end"], rows[10]["billing_period_start"]) == (
        datetime(2026, 11, 1),
        date(2026, 10, 1),
    )
    assert store.fetchall(
        "SELECT DISTINCT model_raw, price_model FROM billing_mapped WHERE model IS NOT NULL ORDER BY model_raw"
    ) == [
        ("Claude 2.1", None),
        ("Claude Haiku 4.5", "claude-haiku-4-5"),
        ("Claude Opus 4.1", "claude-opus-4-1"),
        ("Claude Sonnet 4.5", "claude-sonnet-4-5"),
    ]


def test_older_cost_csv_with_dated_display_names(store: Database) -> None:
    ingest_files(store, [ANTHROPIC / "cost_old.csv"])

    assert store.fetchall(
        "SELECT model_raw, price_model, token_class, billed_cost, list_cost, api_key_id, tags "
        "FROM billing_mapped ORDER BY source_row"
    ) == [
        (
            "Claude 3.5 Sonnet 2024-10-22",
            "claude-3-5-sonnet",
            "input",
            Decimal("0.012"),
            None,
            None,
            {
                "api_key": "search-prod",
                "usage_type": "message",
                "context_window": "≤ 200k",
                "token_type": "input_no_cache",
            },
        ),
        (
            "Claude 3.5 Haiku",
            "claude-3-5-haiku",
            "output",
            Decimal("0.0012"),
            None,
            None,
            {
                "api_key": "claude_code_key_bob_cd34",
                "usage_type": "message",
                "context_window": "≤ 200k",
                "token_type": "output",
            },
        ),
    ]


def test_cost_csv_and_cost_report_are_one_feed(store: Database) -> None:
    ingest_files(store, [ANTHROPIC / "cost_report.json"])
    newer = ingest_files(store, [ANTHROPIC / "cost.csv"]).files[0]

    # the CSV's days run from 2026-10-01 to 2026-10-31: every line of the API file is replaced
    assert [
        (replacement.period_start, replacement.period_end, replacement.rows_removed)
        for replacement in newer.replacements
    ] == [(_day(1), datetime(2026, 11, 1), 12)]
    assert store.scalar("SELECT DISTINCT document FROM billing") == "cost_report"
    assert store.scalar("SELECT count(*) FROM billing") == 11


# ---- malformed input


@pytest.fixture(scope="module")
def dry_run_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One database for the malformed-file cases: each is ingested as a dry run, so none sees another's rows."""
    database = open_store(create_workspace(tmp_path_factory.mktemp("anthropic") / "ws", DEFAULT_CONFIG))
    try:
        yield database
    finally:
        database.close()


@pytest.mark.parametrize("case", sorted(ANTHROPIC_QUARANTINE_CASES))
def test_malformed_row_is_quarantined_with_its_message(case: str, dry_run_store: Database) -> None:
    result = ingest_files(dry_run_store, [ANTHROPIC / case], dry_run=True).files[0]

    assert [(row.location, row.field, row.reason) for row in result.quarantined_examples] == [
        ANTHROPIC_QUARANTINE_CASES[case]
    ]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_duplicate) == (2, 1, 1, 0)
    assert dry_run_store.scalar("SELECT count(*) FROM sources") == 0


def test_quarantined_result_keeps_its_bucket_times_and_its_own_fields(store: Database) -> None:
    ingest_files(store, [ANTHROPIC / "usage_unknown_tier.json"])

    raw = json.loads(store.scalar("SELECT raw_record FROM quarantine"))
    assert (raw["starting_at"], raw["ending_at"]) == ("2026-10-01T00:00:00Z", "2026-10-02T00:00:00Z")
    assert (raw["result"]["service_tier"], raw["result"]["model"]) == ("turbo", "claude-sonnet-4-5")


def test_page_with_only_empty_buckets_needs_kind(cli: Callable, workspace: Workspace) -> None:
    """Empty buckets do not say whether the page is usage or cost, so detection claims neither."""
    path = ANTHROPIC / "usage_all_empty.json"

    detected = cli("-w", workspace.root, "ingest", path)
    forced = cli("-w", workspace.root, "ingest", "--kind", "anthropic_usage_api", path)

    assert detected.exit_code == 1
    assert detected.stderr.startswith(
        f"Error: {path}: unknown format: a JSON file whose first record has ending_at, results, starting_at.\n"
    )
    assert forced.exit_code == 0
    assert forced.stdout == (
        f"{path}: anthropic_usage_api: 2 read, 0 loaded, 0 quarantined, 0 duplicate, 2 skipped\n"
        "  skipped 2: bucket with no usage\n"
    )


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "usage_error_body.json",
            "the file holds an API error response, not data: invalid x-api-key.",
        ),
        (
            "usage_wrong_shape.json",
            "unknown format: a JSONL file whose first record has data, has_more, next_page.",
        ),
        (
            "usage_report_truncated.json.gz",
            "cannot read the file: Compressed file ended before the end-of-stream marker was reached.",
        ),
        (
            "usage_missing_columns.csv",
            "unknown format: a CSV file whose first record has api_key, model_version, usage_date_utc, "
            "usage_output_tokens, workspace.",
        ),
    ],
)
def test_unreadable_file_is_a_clear_error(case: str, message: str, cli: Callable, workspace: Workspace) -> None:
    result = cli("-w", workspace.root, "ingest", ANTHROPIC / case)

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {ANTHROPIC / case}: {message}\n")
    assert "Traceback" not in result.output


def test_cli_ingest_then_query_per_model(cli: Callable, workspace: Workspace) -> None:
    ingested = cli("-w", workspace.root, "ingest", ANTHROPIC / "usage_report.json", ANTHROPIC / "cost_report.json")
    queried = cli(
        "-w",
        workspace.root,
        "query",
        "SELECT model, sum(estimated_cost) AS estimated FROM usage_priced WHERE origin = 'provider' AND priced "
        "GROUP BY model ORDER BY model",
        "--format",
        "json",
    )
    billed = cli("-w", workspace.root, "query", "SELECT sum(billed_cost) AS billed FROM billing", "--format", "json")

    assert ingested.exit_code == 0
    assert ingested.stdout == (
        f"{ANTHROPIC / 'usage_report.json'}: anthropic_usage_api: 8 read, 7 loaded, 0 quarantined, 0 duplicate, "
        "1 skipped\n"
        "  skipped 1: bucket with no usage\n"
        f"{ANTHROPIC / 'cost_report.json'}: anthropic_cost_api: 13 read, 12 loaded, 0 quarantined, 0 duplicate, "
        "1 skipped\n"
        "  skipped 1: bucket with no costs\n"
    )
    assert queried.exit_code == 0
    # haiku: $0.75 batch + $0.086; sonnet: $0.2295 + $2.0925 (test_usage_report_is_priced_per_model...)
    assert json.loads(queried.stdout) == [
        {"model": "claude-haiku-4-5", "estimated": "0.836000000000"},
        {"model": "claude-sonnet-4-5", "estimated": "2.496000000000"},  # 0.2295 + 2.0925 + 0.174 (web search)
    ]
    # cents / 100: 0.45 + 6 + 4.5 + 48 + 12 + 3 + 45 + 30 + 0.105 + 123.45 + 150 + 0.0001234567 = 422.5051234567
    assert json.loads(billed.stdout) == [{"billed": "4.225051234567"}]


def test_same_file_twice_changes_nothing(store: Database) -> None:
    ingest_files(store, [ANTHROPIC / "usage_report.json"])
    again = ingest_files(store, [ANTHROPIC / "usage_report.json"]).files[0]

    assert again.outcome == "already ingested"
    assert store.scalar("SELECT count(*) FROM usage") == 7


def test_the_same_export_under_two_names_in_one_run_is_a_duplicate(store: Database, tmp_path: Path) -> None:
    copy = tmp_path / "usage_copy.json"
    copy.write_text((ANTHROPIC / "usage_report.json").read_text() + "\n")

    files = ingest_files(store, [ANTHROPIC / "usage_report.json", copy]).files

    assert [(result.rows_loaded, result.rows_duplicate, result.rows_skipped) for result in files] == [
        (7, 0, 1),
        (0, 7, 1),
    ]
