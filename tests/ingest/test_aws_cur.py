"""AWS CUR 2.0 Amazon Bedrock lines -> usage buckets and billed lines (conventions in llmfinops/ingest/aws_cur.py
and sql/aws_cur.sql): token classes, units, tiers, models, attribution, charge categories, skips, replacement."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from llmfinops.db.connection import Database
from llmfinops.errors import InputError
from llmfinops.ingest.aws_cur import AWS_CUR_BEDROCK
from llmfinops.ingest.containers import sample_file
from llmfinops.ingest.load import Replacement, SkippedRows, ingest_files
from llmfinops.ingest.registry import detect_format
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.conftest import CASES

AWS_CUR = CASES / "aws_cur"
MONTH = AWS_CUR / "cur_bedrock_2026-10.csv"
RESTATED = AWS_CUR / "cur_bedrock_2026-10_restated.csv"
BAD_ROWS = AWS_CUR / "bad_rows.csv"
NO_BEDROCK_COLUMNS = AWS_CUR / "no_bedrock_columns.csv"
TRUNCATED = AWS_CUR / "truncated.csv.gz"

#: Every case file of this format, each used by a test below.
AWS_CUR_CASE_FILES: frozenset[str] = frozenset(
    f"aws_cur/{path.name}" for path in (MONTH, RESTATED, BAD_ROWS, NO_BEDROCK_COLUMNS, TRUNCATED)
)

ALICE_ROLE = "arn:aws:sts::111122223333:assumed-role/ChatApp/session-1"
ALICE_USER = "arn:aws:iam::111122223333:user/alice"
BATCH_ROLE = "arn:aws:iam::444455556666:role/BatchJobs"
SEARCH_TAGS = {"aws:region": "us-east-1", "cost_center": "cc-search", "team": "search", "iamPrincipal/team": "search"}

#: Usage buckets by source row: (model, model_raw, service_tier, input, cache read, cache write, output,
#: reported_cost, project_id, user_id). Tokens = line_item_usage_amount x the size of pricing_unit.
EXPECTED_USAGE: dict[int, tuple] = {
    # 2900 x 1K tokens
    1: ("claude4.6sonnet", "Claude4.6Sonnet", "standard", 2_900_000, 0, 0, 0, "9.57", "111122223333", ALICE_ROLE),
    # 50000 x 1K
    2: ("claude4.6sonnet", "Claude4.6Sonnet", "standard", 0, 50_000_000, 0, 0, "16.5", "111122223333", ALICE_ROLE),
    # 1200 x 1K
    3: ("claude4.6sonnet", "Claude4.6Sonnet", "standard", 0, 0, 1_200_000, 0, "4.95", "111122223333", ALICE_ROLE),
    # 400 x 1K
    4: ("claude4.6sonnet", "Claude4.6Sonnet", "standard", 0, 0, 0, 400_000, "6.6", "111122223333", ALICE_ROLE),
    # -cross-region-global: the global model; 1000 x 1K
    5: ("global.claude4.6sonnet", "Claude4.6Sonnet", "standard", 1_000_000, 0, 0, 0, "3", "111122223333", ALICE_ROLE),
    # -flex tier; 1000 x 1K
    6: ("novalite", "NovaLite", "flex", 1_000_000, 0, 0, 0, "0.03", "111122223333", ALICE_USER),
    # written in scientific notation: 2.5e2 x 1K, cost 6e-2
    7: ("novalite", "NovaLite", "standard", 0, 0, 0, 250_000, "0.06", "111122223333", ALICE_USER),
    # -batch tier; 0.5 x 1M tokens
    8: ("claude4.5sonnet", "Claude4.5Sonnet", "batch", 500_000, 0, 0, 0, "0.825", "444455556666", BATCH_ROLE),
    # 200 x 1K
    9: ("claude4.5sonnet", "Claude4.5Sonnet", "standard", 0, 0, 200_000, 0, "0.825", "444455556666", BATCH_ROLE),
    # 100 x 1K
    10: ("claude4.6opus", "Claude4.6Opus", "standard", 0, 0, 0, 100_000, "2.75", "444455556666", BATCH_ROLE),
    # mantle usage type, a model the price tables do not know; 300 x 1K
    11: (
        "anthropic.claude-opus-4-8",
        "anthropic.claude-opus-4-8",
        "standard",
        0,
        0,
        300_000,
        0,
        "1.875",
        "444455556666",
        BATCH_ROLE,
    ),
    # Marketplace: the model from the product name; 12.5 x 1M
    12: (
        "claude sonnet 4.6",
        "Claude Sonnet 4.6",
        "standard",
        12_500_000,
        0,
        0,
        0,
        "41.25",
        "111122223333",
        ALICE_ROLE,
    ),
    # Marketplace, _Global, opaque product code (Bedrock by its product name); 20 x 1M
    13: (
        "global.claude sonnet 4.6",
        "Claude Sonnet 4.6",
        "standard",
        0,
        20_000_000,
        0,
        0,
        "6",
        "111122223333",
        ALICE_ROLE,
    ),
    # Marketplace snake-case dimension output_tokens_global_standard; 2 x 1M
    14: (
        "global.claude sonnet 4.6",
        "Claude Sonnet 4.6",
        "standard",
        0,
        0,
        0,
        2_000_000,
        "30",
        "444455556666",
        BATCH_ROLE,
    ),
}

#: Billed lines by source row: (charge_category, charge_class, sku_id, model, token_class, consumed_quantity,
#: consumed_unit, billed_cost, charge_period_start).
OCT_1 = datetime(2026, 10, 1)
EXPECTED_BILLING: dict[int, tuple] = {
    **{
        row: (
            "Usage",
            None,
            usage_type,
            EXPECTED_USAGE[row][0],
            token_class,
            Decimal(sum(EXPECTED_USAGE[row][3:7])),
            "tokens",
            Decimal(EXPECTED_USAGE[row][7]),
            OCT_1,
        )
        for row, usage_type, token_class in (
            (1, "USE1-Claude4.6Sonnet-input-tokens", "input"),
            (2, "USE1-Claude4.6Sonnet-cache-read-input-token-count", "cache_read"),
            (3, "USE1-Claude4.6Sonnet-cache-write-input-token-count", "cache_write"),
            (4, "USE1-Claude4.6Sonnet-output-tokens", "output"),
            (5, "USE1-Claude4.6Sonnet-input-tokens-cross-region-global", "input"),
            (6, "USE1-NovaLite-input-tokens-flex", "input"),
            (7, "USE1-NovaLite-output-tokens", "output"),
            (8, "USW2-Claude4.5Sonnet-input-tokens-batch", "input"),
            (9, "USW2-Claude4.5Sonnet-cache-write-input-token-count", "cache_write"),
            (10, "USE1-Claude4.6Opus-output-tokens", "output"),
            (11, "USW2-anthropic.claude-opus-4-8-mantle-cache-write-tokens-standard", "cache_write"),
            (12, "USE1-MP:USE1_InputTokenCount-Units", "input"),
            (13, "USE1-MP:USE1_CacheReadInputTokenCount_Global-Units", "cache_read"),
            (14, "USW2-MP:USW2_output_tokens_global_standard-Units", "output"),
        )
    },
    # a non-token Bedrock line: billed only, in its own unit
    15: (
        "Usage",
        None,
        "USE1-AgentCore-Runtime-vCPU-Hours",
        None,
        None,
        Decimal("10"),
        "Hrs",
        Decimal("0.895"),
        OCT_1,
    ),
    16: ("Tax", None, None, None, None, None, None, Decimal("5"), OCT_1),
    17: ("Credit", None, None, None, None, None, None, Decimal("-10"), OCT_1),
    # a refund for September usage billed in October: a credit correcting an earlier month
    18: (
        "Credit",
        "Correction",
        "USE1-Claude4.6Sonnet-output-tokens",
        "claude4.6sonnet",
        "output",
        None,
        None,
        Decimal("-2.5"),
        datetime(2026, 9, 15),
    ),
    19: (
        "Adjustment",
        None,
        "USE1-Claude4.6Sonnet-input-tokens",
        "claude4.6sonnet",
        "input",
        None,
        None,
        Decimal("-0.5"),
        OCT_1,
    ),
}


def _usage(database: Database) -> dict[int, tuple]:
    rows = database.fetchall(
        """
        SELECT source_row, model, model_raw, service_tier, input_tokens, cache_read_tokens, cache_write_tokens,
               output_tokens, reported_cost, project_id, user_id
        FROM usage ORDER BY source_row
        """
    )
    return {row[0]: row[1:] for row in rows}


def _billing(database: Database) -> dict[int, tuple]:
    rows = database.fetchall(
        """
        SELECT source_row, charge_category, charge_class, sku_id, model, token_class, consumed_quantity, consumed_unit,
               billed_cost, charge_period_start
        FROM billing ORDER BY source_row
        """
    )
    return {row[0]: row[1:] for row in rows}


def _expected_usage(row: int) -> tuple:
    *head, cost, project, user = EXPECTED_USAGE[row]
    return (*head, Decimal(cost), project, user)


def test_token_lines_are_usage_buckets_one_class_each(store: Database) -> None:
    ingest_files(store, [MONTH])

    assert _usage(store) == {row: _expected_usage(row) for row in EXPECTED_USAGE}
    constant = store.fetchall(
        """
        SELECT DISTINCT grain, origin, provider, request_id, status, request_count, reasoning_tokens, ts,
                        long_context, token_convention
        FROM usage
        """
    )
    assert constant == [
        (
            "bucket",
            "provider",
            "bedrock",
            None,
            "success",
            0,
            0,
            OCT_1,
            False,
            "aws_cur: one token class per line (input excludes cache reads and writes)",
        )
    ]


def test_every_bedrock_line_is_a_billed_line(store: Database) -> None:
    ingest_files(store, [MONTH])

    assert _billing(store) == EXPECTED_BILLING
    # the same for every line: the October 2026 invoice month (end exclusive), payer, currency, AI spend
    assert store.fetchall(
        """
        SELECT DISTINCT provider, billing_account_id, billing_period_start, billing_period_end, billing_currency,
                        is_ai, invoice_id, document
        FROM billing
        """
    ) == [("bedrock", "999988887777", date(2026, 10, 1), date(2026, 11, 1), "USD", True, None, "invoice")]
    # 14 token lines 124.235 + AgentCore 0.895 + tax 5 - credit 10 - refund 2.5 - EDP discount 0.5 = 117.13
    assert store.scalar("SELECT sum(billed_cost) FROM billing") == Decimal("117.13")
    assert store.fetchall("SELECT DISTINCT sub_account_id FROM billing ORDER BY 1") == [
        ("111122223333",),
        ("444455556666",),
    ]
    agent_core, marketplace = store.fetchall(
        "SELECT service_name, sku_description FROM billing WHERE source_row IN (15, 12) ORDER BY source_row DESC"
    )
    assert agent_core == ("Amazon Bedrock AgentCore", "AgentCore Runtime vCPU hours")
    assert marketplace == (
        "Claude Sonnet 4.6 (Amazon Bedrock Edition)",
        "Claude Sonnet 4.6 (Amazon Bedrock Edition) input tokens",
    )


def test_other_services_are_skipped_and_every_row_counted(store: Database) -> None:
    result = ingest_files(store, [MONTH]).files[0]

    # 22 lines: 14 token lines (usage + billed) and 5 other Bedrock lines (billed), 3 lines of EC2 and S3
    assert (result.format_name, result.rows_read, result.rows_loaded) == ("aws_cur_bedrock", 22, 19)
    assert (result.rows_quarantined, result.rows_duplicate, result.rows_skipped) == (0, 0, 3)
    assert (
        result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_duplicate + result.rows_skipped
    )
    assert result.skipped == (
        SkippedRows("not Amazon Bedrock (AmazonEC2)", 2),  # an EC2 usage line and EC2's tax line
        SkippedRows("not Amazon Bedrock (AmazonS3)", 1),
    )
    assert store.fetchall("SELECT reason, rows FROM source_skips ORDER BY rows DESC") == [
        ("not Amazon Bedrock (AmazonEC2)", 2),
        ("not Amazon Bedrock (AmazonS3)", 1),
    ]
    assert (store.scalar("SELECT count(*) FROM usage"), store.scalar("SELECT count(*) FROM billing")) == (14, 19)


def test_tags_drop_the_user_prefix_and_keep_principal_tags(store: Database) -> None:
    ingest_files(store, [MONTH])

    tags = dict(store.fetchall("SELECT source_row, tags FROM usage ORDER BY source_row"))
    assert tags[1] == SEARCH_TAGS
    assert tags[8] == {"aws:region": "us-west-2", "team": "ml-platform"}
    assert tags[10] == {
        "aws:region": "us-east-1",
        "aws:resource_id": "arn:aws:bedrock:us-east-1:444455556666:application-inference-profile/reports01",
    }
    billed_tags = store.scalar("SELECT tags FROM billing WHERE source_row = 1")
    assert billed_tags == SEARCH_TAGS


def test_a_tag_key_twice_keeps_the_first(store: Database, tmp_path: Path) -> None:
    header, good = MONTH.read_text().splitlines()[:2]
    written = '"{""user_cost_center"":""cc-search"",""user_team"":""search""}","{""iamPrincipal/team"":""search""}"'
    assert good.endswith(written)
    clashing = '"{""user_team"":""a"",""team"":""b"",""aws:region"":""x""}","{""team"":""c"",""owner"":""d""}"'
    path = tmp_path / "clash.csv"
    path.write_text(f"{header}\n{good.removesuffix(written)}{clashing}\n")

    ingest_files(store, [path])

    # order: aws:region (product_region_code), resource_tags (user_team -> team first), IAM principal tags
    assert store.scalar("SELECT tags FROM usage") == {"aws:region": "us-east-1", "team": "a", "owner": "d"}


def test_provider_usage_is_priced_per_model(store: Database) -> None:
    ingest_files(store, [MONTH])

    priced = store.fetchall(
        "SELECT model, sum(estimated_cost) FROM usage_priced WHERE origin = 'provider' GROUP BY model ORDER BY model"
    )
    assert priced == [
        # flex: bedrock.yaml has no flex price for Nova Lite, so that row is unpriced; 0.25M output x 0.24 = 0.06
        ("amazon.nova-lite-v1:0", Decimal("0.06")),
        # 0.1M output x 27.50
        ("anthropic.claude-opus-4-6-v1", Decimal("2.75")),
        # not in the price tables: loaded, unpriced
        ("anthropic.claude-opus-4-8", None),
        # batch 0.5M input x 3.30 x 0.5 = 0.825, plus 0.2M cache writes x 4.125 = 0.825
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", Decimal("1.65")),
        # regional: 2.9M x 3.30 + 50M x 0.33 + 1.2M x 4.125 + 0.4M x 16.50 + Marketplace 12.5M x 3.30
        # = 9.57 + 16.50 + 4.95 + 6.60 + 41.25
        ("anthropic.claude-sonnet-4-6", Decimal("78.87")),
        # global: 1M x 3.00 + Marketplace 20M cache reads x 0.30 + 2M output x 15.00 = 3 + 6 + 30
        ("global.anthropic.claude-sonnet-4-6", Decimal("39.00")),
    ]
    unpriced = store.fetchall(
        "SELECT model_raw, service_tier, unpriced_reason FROM usage_priced WHERE NOT priced ORDER BY model_raw"
    )
    assert unpriced == [
        ("NovaLite", "flex", "no flex price for amazon.nova-lite-v1:0"),
        (
            "anthropic.claude-opus-4-8",
            "standard",
            "no price table entry for model anthropic.claude-opus-4-8 of provider bedrock",
        ),
    ]
    # the estimate equals what AWS charged on every priced row
    assert store.scalar("SELECT count(*) FROM usage_priced WHERE priced AND estimated_cost <> reported_cost") == 0
    # billed lines resolve through the same aliases
    assert store.fetchall(
        "SELECT DISTINCT model, price_model FROM billing_mapped WHERE model LIKE '%claude4.6%' ORDER BY 1"
    ) == [
        ("claude4.6opus", "anthropic.claude-opus-4-6-v1"),
        ("claude4.6sonnet", "anthropic.claude-sonnet-4-6"),
        ("global.claude4.6sonnet", "global.anthropic.claude-sonnet-4-6"),
    ]


def _write_parquet(source: Path, target: Path) -> None:
    """The CSV as AWS writes Parquet: MAP columns, TIMESTAMP dates, DOUBLE amounts."""
    duckdb.sql(
        f"""
        COPY (
            SELECT * REPLACE (
                CAST(CAST(resource_tags AS JSON) AS MAP(VARCHAR, VARCHAR)) AS resource_tags,
                CAST(CAST(tags AS JSON) AS MAP(VARCHAR, VARCHAR)) AS tags,
                CAST(CAST(product AS JSON) AS MAP(VARCHAR, VARCHAR)) AS product,
                CAST(line_item_usage_amount AS DOUBLE) AS line_item_usage_amount,
                CAST(line_item_unblended_rate AS DOUBLE) AS line_item_unblended_rate,
                CAST(line_item_unblended_cost AS DOUBLE) AS line_item_unblended_cost,
                CAST(bill_billing_period_start_date AS TIMESTAMP) AS bill_billing_period_start_date,
                CAST(bill_billing_period_end_date AS TIMESTAMP) AS bill_billing_period_end_date,
                CAST(line_item_usage_start_date AS TIMESTAMP) AS line_item_usage_start_date,
                CAST(line_item_usage_end_date AS TIMESTAMP) AS line_item_usage_end_date)
            FROM read_csv('{source}', all_varchar = true)
        ) TO '{target}' (FORMAT parquet)
        """
    )


def test_gzip_csv_and_parquet_load_the_same_rows(make_workspace: Callable[..., Workspace], tmp_path: Path) -> None:
    gzipped = tmp_path / "cur-00001.csv.gz"
    gzipped.write_bytes(gzip.compress(MONTH.read_bytes(), mtime=0))
    parquet = tmp_path / "cur-00001.snappy.parquet"
    _write_parquet(MONTH, parquet)

    loaded = {}
    for path in (MONTH, gzipped, parquet):
        with open_store(make_workspace()) as database:
            result = ingest_files(database, [path]).files[0]
            assert (result.format_name, result.rows_read, result.rows_loaded, result.rows_skipped) == (
                "aws_cur_bedrock",
                22,
                19,
                3,
            )
            loaded[path.name] = (
                database.fetchall("SELECT * EXCLUDE (usage_id, source_id) FROM usage ORDER BY source_row"),
                database.fetchall("SELECT * EXCLUDE (billing_id, source_id) FROM billing ORDER BY source_row"),
            )
            container = database.scalar("SELECT container FROM sources")
            assert container == ("parquet" if path == parquet else "csv")

    assert loaded[gzipped.name] == loaded[MONTH.name]
    assert loaded[parquet.name] == loaded[MONTH.name]


def test_every_case_file_is_used_here() -> None:
    assert {f"aws_cur/{path.name}" for path in AWS_CUR.iterdir()} == AWS_CUR_CASE_FILES


def test_detection_picks_the_cur_and_nothing_else(tmp_path: Path) -> None:
    parquet = tmp_path / "cur.parquet"
    _write_parquet(MONTH, parquet)
    for path in (MONTH, RESTATED, BAD_ROWS, parquet):
        assert detect_format(sample_file(path)).name == "aws_cur_bedrock"

    others = [path for path in CASES.glob("*/*") if path.is_file() and path.parent.name != "aws_cur"]
    claimed = []
    for path in others:
        try:
            sample = sample_file(path)
        except InputError:
            continue  # empty or truncated files of other formats
        if AWS_CUR_BEDROCK.detect(sample):
            claimed.append(path)
    assert claimed == []


def test_cur_without_the_bedrock_columns_is_refused_naming_them(store: Database) -> None:
    with pytest.raises(InputError) as raised:
        ingest_files(store, [NO_BEDROCK_COLUMNS])

    assert raised.value.message == (
        f"{NO_BEDROCK_COLUMNS}: an AWS Cost and Usage Report without the columns Amazon Bedrock lines need: "
        "bill_billing_period_start_date, line_item_line_item_type, line_item_usage_end_date, line_item_usage_type, "
        "line_item_usage_amount, pricing_unit."
    )
    assert store.scalar("SELECT count(*) FROM sources") == 0


#: bad_rows.csv: row 1 is good; each later Bedrock row breaks one rule; row 15 is an EC2 line with a bad cost,
#: skipped as another service (never checked).
BAD_ROW_MESSAGES = [
    ("row 2", "line_item_line_item_type", "'SppDiscount' is not a CUR line item type this reader knows"),
    ("row 3", "line_item_usage_start_date", "'yesterday' is not a date and time"),
    ("row 4", "line_item_usage_end_date", "before line_item_usage_start_date"),
    ("row 5", "line_item_unblended_cost", "'$6.60' is not a decimal amount"),
    ("row 6", "line_item_currency_code", "'US Dollar' is not an ISO 4217 currency code"),
    ("row 7", "resource_tags", "not a JSON object of tag keys and values"),
    ("row 8", "line_item_usage_amount", "'lots' is not a decimal number"),
    (
        "row 9",
        "line_item_unblended_cost",
        "'7.60' is not line_item_usage_amount x line_item_unblended_rate (400 x 0.0165 = 6.6)",
    ),
    (
        "row 10",
        "pricing_unit",
        "'Units' is not a token unit this reader knows (tokens, 1K tokens, 1M tokens); the token count is not guessed",
    ),
    (
        "row 11",
        "line_item_usage_type",
        "'USE1-Claude4.6Sonnet-output-tokens-cross-region-geo' ends in '-cross-region-geo' after the token class, "
        "which is not a tier or routing this reader knows",
    ),
    (
        "row 12",
        "product",
        "no product_name: a Marketplace usage type names no model, and the product name is where it comes from",
    ),
    ("row 13", "line_item_usage_amount", "'0.0015' 1K tokens is 1.5 tokens, not a whole number"),
    ("row 14", "line_item_usage_amount", "'-100' is negative on a usage line"),
]


def test_malformed_lines_are_quarantined_with_their_reason(store: Database) -> None:
    result = ingest_files(store, [BAD_ROWS]).files[0]

    assert store.fetchall("SELECT location, field, reason FROM quarantine ORDER BY record_number") == BAD_ROW_MESSAGES
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_skipped) == (15, 1, 13, 1)
    assert _usage(store) == {1: _expected_usage(4)}
    # a quarantined line keeps the fields read, as text
    raw = json.loads(store.scalar("SELECT raw_record FROM quarantine WHERE location = 'row 9'"))
    assert (raw["line_item_unblended_cost"], raw["line_item_usage_amount"]) == ("7.60", "400")


#: pricing_unit, usage amount, rate, cost -> tokens (the amount x the unit's size, in DECIMAL)
UNIT_CASES: list[tuple[str, str, str, str, int]] = [
    ("tokens", "1234", "0.0000033", "0.0040722", 1234),  # 1234 x 0.0000033 = 0.0040722
    ("1K tokens", "1.234", "0.0033", "0.0040722", 1234),  # 1.234 x 1,000
    ("1k Tokens", "1.234", "0.0033", "0.0040722", 1234),
    ("1,000 tokens", "1.234", "0.0033", "0.0040722", 1234),
    ("1M tokens", "0.001234", "3.3", "0.0040722", 1234),  # 0.001234 x 1,000,000
    ("1000000 tokens", "1.2e-3", "3.3", "3.96e-3", 1200),  # scientific notation: 0.0012 x 1,000,000
]


def test_usage_amount_is_converted_to_tokens_by_pricing_unit(store: Database, tmp_path: Path) -> None:
    header, good = MONTH.read_text().splitlines()[:2]
    written = ",2900,1K tokens,0.0033,9.57,"  # row 1 of the fixture, Sonnet 4.6 input
    assert written in good
    lines = [good.replace(written, f',{amount},"{unit}",{rate},{cost},') for unit, amount, rate, cost, _ in UNIT_CASES]
    path = tmp_path / "units.csv"
    path.write_text("\n".join([header, *lines]) + "\n")

    ingest_files(store, [path])

    assert store.fetchall("SELECT input_tokens, reported_cost FROM usage ORDER BY source_row") == [
        (tokens, Decimal(cost)) for _, _, _, cost, tokens in UNIT_CASES
    ]
    assert store.fetchall("SELECT consumed_quantity, consumed_unit FROM billing ORDER BY source_row") == [
        (Decimal(tokens), "tokens") for *_, tokens in UNIT_CASES
    ]


def test_a_newer_export_of_the_month_replaces_the_earlier_one(store: Database) -> None:
    ingest_files(store, [MONTH])
    result = ingest_files(store, [RESTATED]).files[0]

    # restated: Sonnet 4.6 input now 3000 x 1K = 3,000,000 for 9.90; output 400 x 1K for 6.60; tax 5.00; the
    # September refund again; EC2 skipped
    assert (result.rows_read, result.rows_loaded, result.rows_duplicate, result.rows_skipped) == (5, 4, 0, 1)
    october, november = datetime(2026, 10, 1), datetime(2026, 11, 1)
    assert result.replacements == (
        # the October bill of the first file goes whole: its 19 lines, the September refund billed in October
        # included, summed to 119.63 - 2.50; the new file's lines: 9.90 + 6.60 + 5.00 - 2.50 (its refund)
        Replacement("billing", "bedrock", october, november, 19, 4, "USD", Decimal("117.13"), Decimal("19.00")),
        # the 14 token lines held 92,350,000 tokens; now 3,000,000 + 400,000
        Replacement("usage", "bedrock", october, november, 14, 2, "tokens", Decimal("92350000"), Decimal("3400000")),
    )
    # totals equal the newer file's
    assert store.scalar("SELECT sum(billed_cost) FROM billing") == Decimal("19.00")
    assert store.fetchall("SELECT source_row, input_tokens, output_tokens, reported_cost FROM usage ORDER BY 1") == [
        (1, 3_000_000, 0, Decimal("9.9")),
        (2, 0, 400_000, Decimal("6.6")),
    ]
    assert store.fetchall("SELECT DISTINCT invoice_id FROM billing WHERE charge_period_start >= ?", [october]) == [
        ("EUINUS26-104417",)
    ]


def test_cli_ingest_and_query(cli: Callable, workspace: Workspace) -> None:
    ingested = cli("-w", workspace.root, "ingest", MONTH)
    queried = cli(
        "-w",
        workspace.root,
        "query",
        "SELECT charge_category, sum(billed_cost) AS billed FROM billing GROUP BY 1 ORDER BY 1",
        "--format",
        "json",
    )

    assert ingested.exit_code == 0
    assert ingested.stdout == (
        f"{MONTH}: aws_cur_bedrock: 22 read, 19 loaded, 0 quarantined, 0 duplicate, 3 skipped\n"
        "  skipped 2: not Amazon Bedrock (AmazonEC2)\n"
        "  skipped 1: not Amazon Bedrock (AmazonS3)\n"
    )
    assert queried.exit_code == 0
    assert json.loads(queried.stdout) == [
        {"charge_category": "Adjustment", "billed": "-0.500000000000"},
        {"charge_category": "Credit", "billed": "-12.500000000000"},
        {"charge_category": "Tax", "billed": "5.000000000000"},
        {"charge_category": "Usage", "billed": "125.130000000000"},
    ]


def test_cli_refuses_malformed_files_with_a_message(cli: Callable, workspace: Workspace) -> None:
    no_columns = cli("-w", workspace.root, "ingest", NO_BEDROCK_COLUMNS)
    truncated = cli("-w", workspace.root, "ingest", TRUNCATED)

    assert (no_columns.exit_code, truncated.exit_code) == (1, 1)
    assert no_columns.stderr == (
        f"Error: {NO_BEDROCK_COLUMNS}: an AWS Cost and Usage Report without the columns Amazon Bedrock lines need: "
        "bill_billing_period_start_date, line_item_line_item_type, line_item_usage_end_date, line_item_usage_type, "
        "line_item_usage_amount, pricing_unit.\n"
        "Export CUR 2.0 with these columns selected (AWS Billing > Data Exports > Standard data export, CUR 2.0), "
        "or load the AWS FOCUS export instead.\n"
    )
    assert truncated.stderr == (
        f"Error: {TRUNCATED}: cannot read the file: Compressed file ended before the end-of-stream marker was "
        "reached.\n"
    )
    assert cli("-w", workspace.root, "query", "SELECT count(*) AS files FROM sources", "--format", "json").stdout == (
        '[\n  {\n    "files": 0\n  }\n]\n'
    )
