"""Azure Cost Management cost details (EA and MCA) -> Azure OpenAI usage buckets and billed lines (conventions in
llmfinops/ingest/azure_cost.py and sql/azure_cost.sql)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from llmfinops.db.connection import Database
from llmfinops.errors import InputError
from llmfinops.ingest.azure_cost import AZURE_COST_EXPORT
from llmfinops.ingest.containers import sample_file
from llmfinops.ingest.load import Replacement, SkippedRows, ingest_files
from llmfinops.ingest.registry import FORMATS, detect_format
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.conftest import CASES

AZURE = CASES / "azure"
SUB_PROD = "11111111-2222-3333-4444-555555555555"
SUB_DEV = "66666666-7777-8888-9999-000000000000"

BLOCKS_1K = "azure_cost: quantity in 1K blocks"
BLOCKS_1M = "azure_cost: quantity in 1M blocks"
TOKENS = "azure_cost: quantity in tokens"

#: EA file row -> (model, model_raw): the meter text, normalised, and the MeterName as written
EA_MODELS = {
    1: ("gpt-4o-0806", "gpt-4o-0806-Inp-glbl Tokens"),
    2: ("gpt-4o-0806", "gpt 4o 0806 cached Inp glbl Tokens"),
    3: ("gpt-4o-0806", "gpt-4o-0806-Outp-glbl Tokens"),
    4: ("gpt-4o-mini-0718", "gpt-4o-mini-0718-Outp-glbl Tokens"),
    5: ("gpt-4o-mini-0718", "gpt-4o-mini-0718-Inp-glbl Tokens"),
    6: ("gpt-4o-mini-0718", "gpt-4o-mini-0718-Batch-Inp-glbl Tokens"),
    7: ("gpt-4o-0513", "gpt 4o 0513 Input global Tokens"),
    8: ("gpt-4.1-mini", "gpt 4.1 mini cached Inp glbl"),
    9: ("text-embedding-3-small", "text-embedding-3-small-glbl Tokens"),
    10: ("gpt-5", "GPT 5 Inpt Glbl 1M Tokens"),
    11: ("gpt-5", "GPT 5 outpt Glbl 1M Tokens"),
    # a bare version on a GPT5 product gets the gpt- prefix
    12: ("gpt-5-mini", "5 mini pp Inp Gl 1M Tokens"),
    13: ("gpt-5.6-luna", "5.6 luna ShortCo Cd Wr Std DZ 1M Tokens"),
    14: ("gpt-35-turbo-4k", "gpt-35-turbo-4k-Input-regional"),
    15: ("gpt-4o-0806", "gpt-4o-0806-Inp-glbl Tokens"),
}
#: EA file row -> (input, cache read, cache write, output): one token class per row
EA_TOKENS = {
    # 1200 (1K blocks) x 0.0025 = 3.00 = cost: 1,200 x 1,000 tokens
    1: (1_200_000, 0, 0, 0),
    # 8000 x 0.00125 = 10.00: cached input is a cache read
    2: (0, 8_000_000, 0, 0),
    3: (0, 0, 0, 300_000),
    # 250000 x 0.0006 = 150 is not the cost 0.15; 250000 / 1000 x 0.0006 = 0.15 is: the quantity counts tokens
    4: (0, 0, 0, 250_000),
    # price written 1.5E-04: 2000000 / 1000 x 0.00015 = 0.30
    5: (2_000_000, 0, 0, 0),
    6: (1_000_000, 0, 0, 0),
    7: (100_000, 0, 0, 0),
    8: (0, 4_000_000, 0, 0),
    9: (5_000_000, 0, 0, 0),
    # 1M meters: 2.0 x 1.25 = 2.50
    10: (2_000_000, 0, 0, 0),
    11: (0, 0, 0, 500_000),
    12: (3_000_000, 0, 0, 0),
    # Cd Wr: a cache write
    13: (0, 0, 250_000, 0),
    14: (50_000, 0, 0, 0),
    # cost 0: not checkable; 7 checked 1K rows of the file read as blocks, 2 as tokens
    15: (10_000, 0, 0, 0),
}
#: EA file row -> (tier, operation, project (account), workspace (resource group), reported cost, token convention)
EA_ATTRIBUTES = {
    1: ("standard", "chat", "aoai-search", "rg-ai", "3", BLOCKS_1K),
    2: ("standard", "chat", "aoai-search", "rg-ai", "10", BLOCKS_1K),
    3: ("standard", "chat", "aoai-search", "rg-ai", "3", BLOCKS_1K),
    4: ("standard", "chat", "aoai-search", "rg-ai", "0.15", TOKENS),
    5: ("standard", "chat", "aoai-search", "rg-ai", "0.3", TOKENS),
    6: ("batch", "chat", "aoai-search", "rg-ai", "0.075", BLOCKS_1K),
    7: ("standard", "chat", "aoai-search", "rg-ai", "0.5", BLOCKS_1K),
    8: ("standard", "chat", "aoai-search", "rg-ai", "0.4", BLOCKS_1K),
    9: ("standard", "embedding", "aoai-search", "rg-ai", "0.1", BLOCKS_1K),
    # the account name of an upper-case ResourceId, lower-cased
    10: ("standard", "chat", "aoai-batch", "rg-batch", "2.5", BLOCKS_1M),
    11: ("standard", "chat", "aoai-batch", "rg-batch", "5", BLOCKS_1M),
    12: ("priority", "chat", "aoai-batch", "rg-batch", "1.35", BLOCKS_1M),
    13: ("standard", "chat", "aoai-batch", "rg-batch", "0.5", BLOCKS_1M),
    14: ("standard", "chat", "aoai-search", "rg-ai", "0.075", BLOCKS_1K),
    15: ("standard", "chat", "aoai-search", "rg-ai", "0", BLOCKS_1K + " (cost 0: as the file's other 1K rows)"),
}

_BILLING_COLUMNS = (
    "charge_category, charge_class, token_class, model, consumed_quantity, consumed_unit, billed_cost, list_cost"
)
#: EA file row -> (category, class, token class, model, consumed quantity, unit, billed, list cost)
EA_BILLING = {
    1: ("Usage", None, "input", "gpt-4o-0806", "1200000", "tokens", "3", "3"),
    2: ("Usage", None, "cache_read", "gpt-4o-0806", "8000000", "tokens", "10", "10"),
    3: ("Usage", None, "output", "gpt-4o-0806", "300000", "tokens", "3", "3"),
    # list cost = PayGPrice x blocks billed: 0.0006 x 250000 / 1000 = 0.15
    4: ("Usage", None, "output", "gpt-4o-mini-0718", "250000", "tokens", "0.15", "0.15"),
    # 1.5E-04 x 2000 = 0.3 exactly: the scientific notation is read as a decimal
    5: ("Usage", None, "input", "gpt-4o-mini-0718", "2000000", "tokens", "0.3", "0.3"),
    6: ("Usage", None, "input", "gpt-4o-mini-0718", "1000000", "tokens", "0.075", "0.075"),
    7: ("Usage", None, "input", "gpt-4o-0513", "100000", "tokens", "0.5", "0.5"),
    8: ("Usage", None, "cache_read", "gpt-4.1-mini", "4000000", "tokens", "0.4", "0.4"),
    9: ("Usage", None, "input", "text-embedding-3-small", "5000000", "tokens", "0.1", "0.1"),
    10: ("Usage", None, "input", "gpt-5", "2000000", "tokens", "2.5", "2.5"),
    11: ("Usage", None, "output", "gpt-5", "500000", "tokens", "5", "5"),
    12: ("Usage", None, "input", "gpt-5-mini", "3000000", "tokens", "1.35", "1.35"),
    13: ("Usage", None, "cache_write", "gpt-5.6-luna", "250000", "tokens", "0.5", "0.5"),
    14: ("Usage", None, "input", "gpt-35-turbo-4k", "50000", "tokens", "0.075", "0.075"),
    15: ("Usage", None, "input", "gpt-4o-0806", "10000", "tokens", "0", "0"),
    # PTU and hosting hours: billed only, in the export's own unit
    16: ("Usage", None, None, None, "24", "1 Hour", "24", None),
    17: ("Usage", None, None, None, "24", "1 Hour", "40.8", None),
    # a provisioned (PTU) token meter: billed only, its quantity as written
    18: ("Usage", None, "input", "gpt-4-8k", "10", "1K", "0", None),
    19: ("Purchase", None, None, None, "1", "1 Hour", "500", None),
    # Refund: Microsoft's FOCUS conversion makes it an Adjustment with ChargeClass Correction
    20: ("Adjustment", "Correction", None, None, "-1", "1 Hour", "-100", None),
    # Claude on Foundry: one CCU line, no model
    21: ("Usage", None, None, None, "1250", "1", "12.5", None),
}


def _ingest(store: Database, *names: str):
    return ingest_files(store, [AZURE / name for name in names]).files


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def test_ea_token_lines_are_usage_buckets_with_one_token_class(store: Database) -> None:
    _ingest(store, "ea_actual.csv")

    rows = store.fetchall(
        """
        SELECT source_row, model, model_raw, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens,
               service_tier, operation, project_id, workspace_id, reported_cost, token_convention
        FROM usage ORDER BY source_row
        """
    )

    assert {row[0]: row[1:3] for row in rows} == EA_MODELS
    assert {row[0]: row[3:7] for row in rows} == EA_TOKENS
    assert {row[0]: (*row[7:11], _decimal_text(row[11]), row[12]) for row in rows} == EA_ATTRIBUTES
    assert store.fetchall("SELECT DISTINCT grain, origin, provider, status, request_count FROM usage") == [
        ("bucket", "provider", "azure", "success", 0)
    ]
    assert store.fetchall("SELECT source_row, ts FROM usage WHERE ts <> TIMESTAMP '2026-10-01'") == [
        (15, datetime(2026, 10, 2))
    ]


def test_ea_rows_are_counted_and_other_services_skipped(store: Database) -> None:
    result = _ingest(store, "ea_actual.csv")[0]

    # 24 = 21 Azure OpenAI rows (15 of them also usage) + 3 other services
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_duplicate) == (24, 21, 0, 0)
    assert result.rows_skipped == 3
    assert result.skipped == (
        SkippedRows("not Azure OpenAI or Foundry Models (Cognitive Services)", 1),
        SkippedRows("not Azure OpenAI or Foundry Models (Storage)", 1),
        SkippedRows("not Azure OpenAI or Foundry Models (Virtual Machines)", 1),
    )
    assert store.scalar("SELECT count(*) FROM billing") == 21
    assert store.scalar("SELECT count(*) FROM usage") == 15


def test_ea_billed_lines_field_by_field(store: Database) -> None:
    _ingest(store, "ea_actual.csv")

    rows = store.fetchall(f"SELECT source_row, {_BILLING_COLUMNS} FROM billing ORDER BY source_row")

    assert {
        row[0]: (*row[1:5], _decimal_text(row[5]), row[6], _decimal_text(row[7]), _decimal_text(row[8])) for row in rows
    } == EA_BILLING
    # 3 + 10 + 3 + 0.15 + 0.3 + 0.075 + 0.5 + 0.4 + 0.1 + 2.5 + 5 + 1.35 + 0.5 + 0.075 + 0 (token lines, 26.95)
    # + 24 + 40.8 + 0 (PTU, hosting) + 500 - 100 (reservation and its refund) + 12.5 (Claude CCU) = 504.25
    assert store.scalar("SELECT sum(billed_cost) FROM billing") == Decimal("504.25")
    assert store.fetchall(
        """
        SELECT DISTINCT provider, billing_account_id, invoice_id, billing_period_start, billing_period_end,
               billing_currency, is_ai
        FROM billing
        """
    ) == [("azure", "8611537", None, date(2026, 10, 1), date(2026, 11, 1), "USD", True)]
    assert store.fetchone(
        """
        SELECT sub_account_id, project_id, workspace_id, service_name, sku_id, sku_description, charge_period_start,
               charge_period_end
        FROM billing WHERE source_row = 12
        """
    ) == (
        SUB_DEV,
        "aoai-batch",
        "rg-batch",
        "Foundry Models",
        "00000000-aaaa-bbbb-cccc-000000000012",
        "5 mini pp Inp Gl 1M Tokens",
        datetime(2026, 10, 1),
        datetime(2026, 10, 2),
    )
    # a purchase without a meter is described by its product
    assert store.scalar("SELECT sku_description FROM billing WHERE source_row = 19") == (
        "Azure OpenAI Provisioned Managed Reservation"
    )


def test_tags_legacy_and_json_forms_with_subscription_and_deployment(store: Database) -> None:
    _ingest(store, "ea_actual.csv")

    tags = dict(store.fetchall("SELECT source_row, tags FROM usage WHERE source_row IN (1, 10, 13, 14)"))

    # brace-less `"team": "search","cost-center": "cc-search"` and JSON `{"team": "platform"}`
    assert tags == {
        1: {
            "azure_subscription_id": SUB_PROD,
            "azure_deployment_type": "global",
            "team": "search",
            "cost-center": "cc-search",
        },
        10: {"azure_subscription_id": SUB_DEV, "azure_deployment_type": "global", "team": "platform"},
        13: {"azure_subscription_id": SUB_DEV, "azure_deployment_type": "data_zone", "team": "platform"},
        14: {
            "azure_subscription_id": SUB_PROD,
            "azure_deployment_type": "regional",
            "team": "search",
            "cost-center": "cc-search",
        },
    }
    assert store.scalar("SELECT tags FROM billing WHERE source_row = 1") == tags[1]


def test_mca_camel_case_headers_other_currency_and_invoice(store: Database) -> None:
    result = _ingest(store, "mca_actual.csv")[0]

    usage = store.fetchall(
        "SELECT source_row, model, input_tokens, cache_read_tokens, output_tokens, project_id, workspace_id, "
        "reported_cost, token_convention FROM usage ORDER BY source_row"
    )
    billing = store.fetchall("SELECT source_row, billed_cost, list_cost, consumed_quantity FROM billing ORDER BY 1")
    billing_fields = store.fetchall(
        "SELECT DISTINCT invoice_id, billing_currency, billing_period_start, billing_period_end, charge_period_start "
        "FROM billing"
    )

    assert (result.rows_read, result.rows_loaded, result.rows_skipped) == (4, 3, 1)
    assert result.skipped == (SkippedRows("not Azure OpenAI or Foundry Models (Bandwidth)", 1),)
    # costs are EUR (x 0.9) and prices USD: 1500 x 0.0004 = 0.60 = costInPricingCurrency, not 0.54; reported_cost
    # is costInUsd. 535.13728 x 0.55 = 294.325504 USD: the quantity of a 1M meter in blocks.
    assert [(*row[:7], _decimal_text(row[7]), row[8]) for row in usage] == [
        (1, "gpt-4.1-mini", 1_500_000, 0, 0, "aoai-eu", "rg-eu", "0.6", BLOCKS_1K),
        (2, "gpt-4.1-mini", 0, 0, 250_000, "aoai-eu", "rg-eu", "0.4", BLOCKS_1K),
        (3, "gpt-4.1", 0, 535_137_280, 0, "aoai-eu", "rg-eu", "294.325504", BLOCKS_1M),
    ]
    # billed in EUR; list cost = paygCostInBillingCurrency; ISO dates
    assert [(row[0], *map(_decimal_text, row[1:])) for row in billing] == [
        (1, "0.54", "0.54", "1500000"),
        (2, "0.36", "0.36", "250000"),
        (3, "264.8929536", "264.8929536", "535137280"),
    ]
    assert billing_fields == [("G012345678", "EUR", date(2026, 10, 1), date(2026, 11, 1), datetime(2026, 10, 5))]


def test_parquet_export_reads_like_the_csv(store: Database, tmp_path: Path) -> None:
    """Parquet exports keep the header as written; the columns are matched ignoring case there too."""
    parquet = tmp_path / "mca_actual.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"COPY (SELECT * FROM read_csv('{AZURE / 'mca_actual.csv'}', all_varchar = true)) TO '{parquet}' "
            "(FORMAT parquet)"
        )

    result = ingest_files(store, [parquet]).files[0]

    assert (result.format_name, result.rows_read, result.rows_loaded, result.rows_skipped) == (
        "azure_cost_export",
        4,
        3,
        1,
    )
    assert store.fetchall("SELECT source_row, cache_read_tokens, reported_cost FROM usage WHERE source_row = 3") == [
        (3, 535_137_280, Decimal("294.325504"))
    ]


#: One malformed file per quarantine message: a good token line and this bad second one.
AZURE_QUARANTINE_CASES: dict[str, tuple[str, str, str]] = {
    "bad_date.csv": ("row 2", "Date", "'2026.10.01' is not a MM/dd/yyyy or yyyy-MM-dd date"),
    "bad_cost.csv": ("row 2", "CostInBillingCurrency", "'3,00' is not a decimal amount"),
    "bad_quantity.csv": ("row 2", "Quantity", "'n/a' is not a decimal number"),
    "quantity_fits_no_scale.csv": (
        "row 2",
        "Quantity",
        "neither reading of a 1K meter gives the cost: as blocks 300 x 0.01 = 3, as tokens 300 / 1000 x 0.01 = "
        "0.003; CostInBillingCurrency is 7 (tolerance 5 cents or 1%)",
    ),
    "bad_charge_type.csv": (
        "row 2",
        "ChargeType",
        "'Discount' is not a known charge type (Usage, Purchase, Refund, Tax, RoundingAdjustment, "
        "UnusedReservation, UnusedSavingsPlan)",
    ),
    "bad_tags.csv": ("row 2", "Tags", 'not tag names and values ({"name": "value", ...})'),
    "bad_billing_period.csv": (
        "row 2",
        "BillingPeriodStartDate",
        "'October 2026' is not a MM/dd/yyyy or yyyy-MM-dd date",
    ),
    "missing_currency.csv": ("row 2", "BillingCurrencyCode", "missing"),
    # bounded so that the DECIMAL arithmetic cannot overflow and stop the whole file
    "quantity_too_large.csv": ("row 2", "Quantity", "'1E+20' is too large for a day of one meter"),
}


@pytest.mark.parametrize("case", sorted(AZURE_QUARANTINE_CASES))
def test_malformed_row_is_quarantined_with_its_message(case: str, make_workspace: Callable[..., Workspace]) -> None:
    with open_store(make_workspace()) as database:
        result = ingest_files(database, [AZURE / case]).files[0]
        quarantined = database.fetchall("SELECT location, field, reason FROM quarantine ORDER BY record_number")
        loaded = (database.scalar("SELECT count(*) FROM usage"), database.scalar("SELECT count(*) FROM billing"))
        raw = json.loads(database.scalar("SELECT raw_record FROM quarantine"))

    assert quarantined == [AZURE_QUARANTINE_CASES[case]]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, loaded) == (2, 1, 1, (1, 1))
    # the quarantined row keeps the declared fields as the file wrote them
    assert raw["MeterName"] == "gpt-4o-0806-Outp-glbl Tokens"


def _scale_file(tmp_path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """A minimal cost details file of gpt-4o input rows: (unit, quantity, price, cost)."""
    lines = [
        "Date,MeterCategory,MeterName,ProductName,UnitOfMeasure,Quantity,EffectivePrice,CostInBillingCurrency,"
        "BillingCurrencyCode,ChargeType,SubscriptionId"
    ]
    lines += [
        f"10/0{day}/2026,Cognitive Services,gpt-4o-0806-Inp-glbl Tokens,Azure OpenAI,{unit},{quantity},{price},"
        f"{cost},USD,Usage,{SUB_PROD}"
        for day, (unit, quantity, price, cost) in enumerate(rows, start=1)
    ]
    path = tmp_path / "scale.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_quantity_scale_is_decided_per_row(store: Database, tmp_path: Path) -> None:
    path = _scale_file(
        tmp_path,
        [
            # both readings within 5 cents of 0.04: 40 x 0.001 = 0.04 exactly (blocks) vs 0.00004 (tokens)
            ("1K", "40", "0.001", "0.04"),
            # both within 5 cents of 0.00004: 0.04 (blocks) is further than 0.00004 (tokens)
            ("1K", "40", "0.001", "0.00004"),
            # within 1 % of 1000 but not exact: 999.5 (blocks), and 0.9995 as tokens does not fit
            ("1K", "999.5", "1", "1000"),
            # cost 0: the file's checked 1K rows read as blocks twice (rows 1, 3) and as tokens once
            ("1K", "7", "0.0025", "0"),
            # a 10K meter: 0.0004 x 0.1 = 0.00004 exactly, so 0.0004 blocks of 10,000 = 4 tokens
            ("10K", "0.0004", "0.1", "0.00004"),
        ],
    )

    ingest_files(store, [path])

    assert store.fetchall("SELECT source_row, input_tokens, token_convention FROM usage ORDER BY source_row") == [
        (1, 40_000, BLOCKS_1K),
        (2, 40, TOKENS),
        (3, 999_500, BLOCKS_1K),
        (4, 7_000, BLOCKS_1K + " (cost 0: as the file's other 1K rows)"),
        (5, 4, "azure_cost: quantity in 10K blocks"),
    ]


def test_zero_cost_without_a_checked_row_assumes_blocks(store: Database, tmp_path: Path) -> None:
    ingest_files(store, [_scale_file(tmp_path, [("1M", "0.25", "0", "0")])])

    assert store.fetchone("SELECT input_tokens, token_convention FROM usage") == (
        250_000,
        BLOCKS_1M + " (cost 0: assumed, no row of the file shows the scale)",
    )


def test_newer_export_replaces_the_period_it_covers(store: Database) -> None:
    _ingest(store, "ea_actual.csv")
    newer = _ingest(store, "ea_actual_restated.csv")[0]

    # the newer file covers 2026-10-01 and 2026-10-02: every earlier row of those days goes, whatever the meter
    assert newer.replacements == (
        # 504.25 (test_ea_billed_lines_field_by_field) -> 3.25 + 3 + 2.5 + 6 = 14.75
        Replacement(
            "billing",
            "azure",
            datetime(2026, 10, 1),
            datetime(2026, 10, 3),
            21,
            4,
            "USD",
            Decimal("504.25"),
            Decimal("14.75"),
        ),
        # 1.2M + 8M + 0.3M + 0.25M + 2M + 1M + 0.1M + 4M + 5M + 2M + 0.5M + 3M + 0.25M + 0.05M + 0.01M = 27.66M
        # -> 1.3M + 0.3M + 2M + 0.6M = 4.2M
        Replacement(
            "usage",
            "azure",
            datetime(2026, 10, 1),
            datetime(2026, 10, 3),
            15,
            4,
            "tokens",
            Decimal("27660000"),
            Decimal("4200000"),
        ),
    )
    assert store.scalar("SELECT sum(billed_cost) FROM billing") == Decimal("14.75")
    assert (
        store.scalar("SELECT sum(input_tokens + cache_read_tokens + cache_write_tokens + output_tokens) FROM usage")
        == 4_200_000
    )


def test_the_same_rows_in_two_files_of_one_run_are_duplicates(store: Database, tmp_path: Path) -> None:
    copy = tmp_path / "ea_copy.csv"
    copy.write_text((AZURE / "ea_actual.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")

    files = ingest_files(store, [AZURE / "ea_actual.csv", copy]).files

    assert [(result.rows_read, result.rows_loaded, result.rows_duplicate, result.rows_skipped) for result in files] == [
        (24, 21, 0, 3),
        (24, 0, 21, 3),
    ]


@pytest.mark.parametrize("name", ["ea_actual.csv", "mca_actual.csv", "ea_actual_restated.csv"])
def test_detection_picks_the_azure_format(name: str) -> None:
    assert detect_format(sample_file(AZURE / name)).name == "azure_cost_export"


def test_no_other_format_claims_azure_files_and_this_format_claims_no_other_files() -> None:
    for name in ["ea_actual.csv", "mca_actual.csv", "ea_actual_restated.csv", *AZURE_QUARANTINE_CASES]:
        sample = sample_file(AZURE / name)
        assert [known.name for known in FORMATS if known.detect(sample)] == ["azure_cost_export"], name
    claimed = []
    for path in sorted(CASES.rglob("*")):
        if not path.is_file() or path.parent == AZURE:
            continue
        try:
            sample = sample_file(path)
        except InputError:  # empty and truncated fixtures of other formats
            continue
        if AZURE_COST_EXPORT.detect(sample):
            claimed.append(path)
    assert claimed == []


def test_provider_usage_estimate_per_model(store: Database) -> None:
    _ingest(store, "ea_actual.csv")

    estimates = store.fetchall(
        "SELECT model, sum(estimated_cost) FROM usage_priced WHERE origin = 'provider' AND priced "
        "GROUP BY model ORDER BY model"
    )
    unpriced = store.fetchall("SELECT DISTINCT model FROM usage_priced WHERE NOT priced ORDER BY model")

    assert estimates == [
        # gpt-4.1-mini: 4M cached x 0.10 / 1M
        ("gpt-4.1-mini", Decimal("0.4")),
        # gpt-4o (aliases gpt-4o-0806): 1.2M x 2.50 + 8M x 1.25 + 0.3M x 10 + 10k x 2.50 (per 1M) = 16.025
        ("gpt-4o", Decimal("16.025")),
        # gpt-4o-mini (gpt-4o-mini-0718): 0.25M x 0.60 + 2M x 0.15 + 1M x 0.15 x 0.5 (batch) = 0.525
        ("gpt-4o-mini", Decimal("0.525")),
        # gpt-5: 2M x 1.25 + 0.5M x 10 = 7.50
        ("gpt-5", Decimal("7.5")),
        # gpt-5-mini, priority: 3M x 0.45 = 1.35
        ("gpt-5-mini", Decimal("1.35")),
        # 5M x 0.022
        ("text-embedding-3-small", Decimal("0.11")),
    ]
    assert unpriced == [("gpt-35-turbo-4k",), ("gpt-4o-0513",), ("gpt-5.6-luna",)]


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "api_error.json",
            "the file holds an API error response, not data: The client does not have authorization to perform "
            "action 'Microsoft.CostManagement/exports/read'.",
        ),
        ("wrong_shape.json", "unknown format: a JSONL file whose first record has value."),
        (
            "ea_actual_truncated.csv.gz",
            "cannot read the file: Compressed file ended before the end-of-stream marker was reached.",
        ),
        (
            "missing_columns.csv",
            "unknown format: a CSV file whose first record has ChargeType, CostInBillingCurrency, Date, "
            "MeterCategory, MeterName.",
        ),
    ],
)
def test_unreadable_file_is_a_clear_error(case: str, message: str, cli: Callable, workspace: Workspace) -> None:
    result = cli("-w", workspace.root, "ingest", AZURE / case)

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {AZURE / case}: {message}\n")
    assert "Traceback" not in result.output


def test_cli_ingest_then_query(cli: Callable, workspace: Workspace) -> None:
    ingested = cli("-w", workspace.root, "ingest", AZURE / "ea_actual.csv", AZURE / "bad_tags.csv")
    queried = cli(
        "-w",
        workspace.root,
        "query",
        "SELECT project_id, sum(billed_cost) AS billed FROM billing GROUP BY project_id ORDER BY project_id",
        "--format",
        "json",
    )

    assert ingested.exit_code == 0
    assert ingested.stdout == (
        f"{AZURE / 'ea_actual.csv'}: azure_cost_export: 24 read, 21 loaded, 0 quarantined, 0 duplicate, 3 skipped\n"
        "  skipped 1: not Azure OpenAI or Foundry Models (Cognitive Services)\n"
        "  skipped 1: not Azure OpenAI or Foundry Models (Storage)\n"
        "  skipped 1: not Azure OpenAI or Foundry Models (Virtual Machines)\n"
        f"{AZURE / 'bad_tags.csv'}: azure_cost_export: 2 read, 0 loaded, 1 quarantined, 1 duplicate\n"
        '  quarantined row 2: Tags: not tag names and values ({"name": "value", ...})\n'
    )
    assert queried.exit_code == 0
    # aoai-search: 3 + 10 + 3 + 0.15 + 0.3 + 0.075 + 0.5 + 0.4 + 0.1 + 0.075 + 0 + 24 + 0 + 12.5 = 54.1;
    # aoai-batch: 2.5 + 5 + 1.35 + 0.5 + 40.8 = 50.15; the reservation lines have no resource: 500 - 100 = 400
    assert json.loads(queried.stdout) == [
        {"project_id": "aoai-batch", "billed": "50.150000000000"},
        {"project_id": "aoai-search", "billed": "54.100000000000"},
        {"project_id": None, "billed": "400.000000000000"},
    ]


def test_every_case_file_is_covered() -> None:
    """A new case file must come with its expected outcome (one malformed file per message)."""
    well_formed = {"ea_actual.csv", "ea_actual_restated.csv", "mca_actual.csv"}
    whole_file_errors = {"api_error.json", "wrong_shape.json", "ea_actual_truncated.csv.gz", "missing_columns.csv"}

    on_disk = {path.name for path in AZURE.iterdir() if path.is_file()}

    assert on_disk == well_formed | whole_file_errors | set(AZURE_QUARANTINE_CASES)
