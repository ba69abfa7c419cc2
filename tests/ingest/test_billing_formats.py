"""Billed lines: FOCUS datasets (tested on the FinOps Foundation's real sample when ../shared is present) and the
invoice-lines file typed from a PDF invoice; a newer export of a period replaces the earlier one's lines."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.db.connection import Database
from llmfinops.ingest.load import ingest_files
from tests.conftest import CASES, REPO_ROOT

FOCUS_SAMPLE = REPO_ROOT.parent / "shared" / "reference" / "focus" / "focus_1.0_sample_1000.csv"

FOCUS_HEADER = (
    "BilledCost,EffectiveCost,ListCost,BillingAccountId,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,"
    "ChargeCategory,ChargeClass,ChargeDescription,ChargePeriodStart,ChargePeriodEnd,ProviderName,ServiceCategory,"
    "ServiceName,SkuId,SubAccountId,InvoiceId,Tags"
)


def _focus_file(tmp_path: Path, name: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text(FOCUS_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.skipif(not FOCUS_SAMPLE.exists(), reason="../shared/reference/focus is not present")
def test_focus_sample_every_row_accounted_for_and_billed_total_ties_out(store: Database) -> None:
    # An independent total: the csv module and Decimal, with FOCUS's null token and empty cells skipped.
    with FOCUS_SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected_total = sum(Decimal(row["BilledCost"]) for row in rows if row["BilledCost"] not in ("NULL", ""))

    result = ingest_files(store, [FOCUS_SAMPLE]).files[0]

    assert result.format_name == "focus"
    assert result.rows_read == len(rows) == 1000
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_duplicate
    assert result.rows_quarantined == 0
    assert store.scalar("SELECT sum(billed_cost) FROM billing") == expected_total
    # the one AWS promotional credit, Oracle's two adjustments, and the nine Azure ML rows marked as AI spend
    assert store.fetchall(
        "SELECT charge_category, count(*) FROM billing WHERE charge_category <> 'Usage' GROUP BY ALL ORDER BY 1"
    ) == [("Adjustment", 2), ("Credit", 1)]
    assert store.scalar("SELECT sum(billed_cost) FROM billing WHERE charge_category = 'Credit'") == Decimal("-2.6137")
    assert store.fetchall("SELECT provider, count(*) FROM billing WHERE is_ai GROUP BY ALL") == [("microsoft", 9)]
    # 'NULL' is null, not the text NULL; timestamps without an offset are read as UTC and the source says so
    assert store.scalar("SELECT count(*) FROM billing WHERE invoice_id = 'NULL' OR sku_id = 'NULL'") == 0
    # billing periods as the file gives them (one Oracle row belongs to October's)
    assert store.fetchall(
        "SELECT CAST(billing_period_start AS VARCHAR), count(*) FROM billing GROUP BY ALL ORDER BY 1"
    ) == [("2024-09-01", 999), ("2024-10-01", 1)]
    assert "had no UTC offset" in store.scalar("SELECT notes FROM sources")


def test_focus_rows_become_billed_lines_with_llm_providers_named(store: Database, tmp_path: Path) -> None:
    path = _focus_file(
        tmp_path,
        "focus.csv",
        "12.50,12.50,13.00,acct-1,USD,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,Usage,,Claude input,"
        "2026-10-02T00:00:00Z,2026-10-03T00:00:00Z,AWS,AI and Machine Learning,Amazon Bedrock,SKU1,111,INV-9,"
        '"{""team"": ""search""}"',
        "-3.00,-3.00,,acct-1,USD,2026-10-01,2026-11-01,Credit,,Promo,2026-10-02,2026-10-03,AWS,,AWS Credits,,111,"
        "INV-9,",
        "0.80,0.80,,acct-1,USD,2026-10-01,2026-11-01,Tax,,VAT,2026-10-01,2026-11-01,AWS,,Tax,,111,INV-9,",
        "1.00,1.00,,acct-1,USD,2026-10-01,2026-11-01,Usage,Correction,Late Sept usage,2026-09-29,2026-09-30,AWS,"
        "AI and Machine Learning,Amazon Bedrock,SKU1,111,INV-9,",
        "5.00,5.00,,acct-1,USD,2026-10-01,2026-11-01,Usage,,EC2,2026-10-02,2026-10-03,AWS,Compute,Amazon EC2,,111,"
        "INV-9,",
    )
    result = ingest_files(store, [path]).files[0]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 5, 0)
    lines = store.fetchall(
        """
        SELECT provider, charge_category, charge_class, billed_cost, list_cost, is_ai, invoice_id, sub_account_id,
               CAST(billing_period_start AS VARCHAR), tags, document
        FROM billing ORDER BY source_row
        """
    )
    assert lines == [
        (
            "bedrock",
            "Usage",
            None,
            Decimal("12.5"),
            Decimal("13"),
            True,
            "INV-9",
            "111",
            "2026-10-01",
            {"team": "search"},
            "invoice",
        ),
        ("aws", "Credit", None, Decimal("-3"), None, False, "INV-9", "111", "2026-10-01", None, "invoice"),
        ("aws", "Tax", None, Decimal("0.8"), None, False, "INV-9", "111", "2026-10-01", None, "invoice"),
        # a correction of September is billed in October's period, and stays marked as a correction
        ("bedrock", "Usage", "Correction", Decimal("1"), None, True, "INV-9", "111", "2026-10-01", None, "invoice"),
        ("aws", "Usage", None, Decimal("5"), None, False, "INV-9", "111", "2026-10-01", None, "invoice"),
    ]


def test_focus_defects_are_quarantined_with_field_and_reason(store: Database, tmp_path: Path) -> None:
    path = _focus_file(
        tmp_path,
        "focus_bad.csv",
        "1.00,,,a,USD,2026-10-01,2026-11-01,Usage,,ok,2026-10-02,2026-10-03,AWS,,S3,,1,,",
        "abc,,,a,USD,2026-10-01,2026-11-01,Usage,,bad cost,2026-10-02,2026-10-03,AWS,,S3,,1,,",
        "1.00,,,a,USD,2026-10-01,2026-11-01,Discount,,bad category,2026-10-02,2026-10-03,AWS,,S3,,1,,",
        "1.00,,,a,USD,someday,2026-11-01,Usage,,bad period,2026-10-02,2026-10-03,AWS,,S3,,1,,",
        "1.00,,,a,USD,2026-10-01,2026-11-01,Usage,Refund,bad class,2026-10-02,2026-10-03,AWS,,S3,,1,,",
        "1.00,,,a,US,2026-10-01,2026-11-01,Usage,,bad currency,2026-10-02,2026-10-03,AWS,,S3,,1,,",
    )
    result = ingest_files(store, [path]).files[0]
    assert (result.rows_loaded, result.rows_quarantined) == (1, 5)
    assert store.fetchall("SELECT location, field, reason FROM quarantine ORDER BY record_number") == [
        ("row 2", "BilledCost", "'abc' is not a decimal amount"),
        ("row 3", "ChargeCategory", "'Discount' is not Usage, Purchase, Tax, Credit or Adjustment"),
        ("row 4", "BillingPeriodStart", "'someday' is not a date and time"),
        ("row 5", "ChargeClass", "'Refund' is not Correction or null"),
        ("row 6", "BillingCurrency", "'US' is not an ISO 4217 currency code"),
    ]


def test_identical_focus_rows_in_one_file_both_load(store: Database, tmp_path: Path) -> None:
    row = "2.00,,,a,USD,2026-10-01,2026-11-01,Usage,,hour,2026-10-02T01:00:00Z,2026-10-02T02:00:00Z,AWS,,S3,,1,,"
    first = _focus_file(tmp_path, "a.csv", row, row)
    assert ingest_files(store, [first]).files[0].rows_loaded == 2
    assert store.scalar("SELECT sum(billed_cost) FROM billing") == Decimal(4)


def test_a_newer_focus_export_of_the_period_replaces_the_earlier_rows(store: Database, tmp_path: Path) -> None:
    early = _focus_file(
        tmp_path,
        "early.csv",
        "2.00,,,a,USD,2026-10-01,2026-11-01,Usage,,d1,2026-10-01,2026-10-02,AWS,,S3,,1,,",
        "3.00,,,a,USD,2026-10-01,2026-11-01,Usage,,d2,2026-10-02,2026-10-03,AWS,,S3,,1,,",
    )
    restated = _focus_file(
        tmp_path,
        "restated.csv",
        "2.00,,,a,USD,2026-10-01,2026-11-01,Usage,,d1,2026-10-01,2026-10-02,AWS,,S3,,1,,",
        "3.50,,,a,USD,2026-10-01,2026-11-01,Usage,,d2,2026-10-02,2026-10-03,AWS,,S3,,1,,",
    )
    ingest_files(store, [early])
    change = ingest_files(store, [restated]).files[0].replacements
    assert store.scalar("SELECT sum(billed_cost) FROM billing") == Decimal("5.5")  # the newer file's, not 10.5
    assert [(c.target, c.provider, c.rows_removed, c.rows_added, c.total_before, c.total_after) for c in change] == [
        ("billing", "aws", 2, 2, Decimal(5), Decimal("5.5"))
    ]
    assert store.fetchall("SELECT source_id, replaced_source_id, target, rows_removed FROM source_replacements") == [
        (2, 1, "billing", 2)
    ]


def test_invoice_lines_load_with_thousands_separators_and_refuse_defects(store: Database) -> None:
    result = ingest_files(store, [CASES / "invoice_lines" / "bad_lines.csv"]).files[0]
    assert result.format_name == "invoice_lines"
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (6, 1, 5)
    assert store.fetchall(
        "SELECT provider, invoice_id, CAST(billing_period_start AS VARCHAR), charge_category, billed_cost, model, "
        "is_ai FROM billing"
    ) == [("openai", "INV-1", "2026-10-01", "Usage", Decimal("1234.5"), "gpt-4o", True)]
    assert store.fetchall("SELECT location, field, reason FROM quarantine ORDER BY record_number") == [
        ("row 2", "billing_period", "'2026-13' is not a month (YYYY-MM)"),
        ("row 3", "category", "'refund' is not usage, tax, credit, adjustment or purchase"),
        ("row 4", "amount", "'$5' is not a decimal amount"),
        ("row 5", "currency", "'US' is not an ISO 4217 currency code"),
        ("row 6", "provider", "missing"),
    ]
