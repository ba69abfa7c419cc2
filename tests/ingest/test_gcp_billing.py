"""Google Cloud Billing export (Vertex AI and Gemini API rows) -> usage buckets with disjoint token counts, billed
lines with credits, exact amounts, invoice-month billing periods and period replacement (conventions in
llmfinops/ingest/gcp_billing.py and sql/gcp_billing.sql)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from llmfinops.db.connection import Database
from llmfinops.errors import InputError
from llmfinops.ingest.containers import sample_file
from llmfinops.ingest.load import FileResult, Replacement, SkippedRows, ingest_files
from llmfinops.ingest.registry import detect_format
from llmfinops.store import open_store
from llmfinops.workspace import Workspace, create_workspace
from tests.conftest import CASES, DEFAULT_CONFIG

GCP = CASES / "gcp_billing"
M = Decimal(10**6)

#: One malformed file per quarantine message: a good first line (1M Vertex input tokens) and this bad second one.
GCP_QUARANTINE_CASES: dict[str, tuple[str, str, str]] = {
    "missing_service.jsonl": ("line 2", "service.description", "missing"),
    "missing_sku.jsonl": ("line 2", "sku.description", "missing"),
    "bad_usage_start_time.jsonl": ("line 2", "usage_start_time", "'02/10/2026 09:00' is not a timestamp"),
    "end_before_start.jsonl": ("line 2", "usage_end_time", "before usage_start_time"),
    "bad_invoice_month.jsonl": ("line 2", "invoice.month", "'2026-10' is not a YYYYMM month"),
    "bad_cost_type.jsonl": ("line 2", "cost_type", "'refund' is not regular, tax, adjustment or rounding_error"),
    "bad_cost.jsonl": ("line 2", "cost", "'0,05' is not a decimal amount"),
    "bad_currency.jsonl": ("line 2", "currency", "'$' is not a currency code"),
    "bad_credits.jsonl": ("line 2", "credits", "not a JSON array of credit objects"),
    "bad_credit_amount.jsonl": ("line 2", "credits", "amount 'lots' of credit 'Free trial' is not a decimal amount"),
    "bad_labels.jsonl": ("line 2", "labels", "not a JSON array of {key, value} objects"),
    "requests_unit.jsonl": (
        "line 2",
        "usage.unit",
        "'requests' is not a token count ('count' expected), so the tokens cannot be read",
    ),
    "fractional_tokens.jsonl": ("line 2", "usage.amount", "'12.5' is not a whole number of tokens"),
    "negative_tokens.jsonl": ("line 2", "usage.amount", "'-5' is a negative token count"),
    "huge_tokens.jsonl": ("line 2", "usage.amount", "'100000000000000000000.0' is too large a token count"),
}


def _key(database: Database, sku_description: str, start: str, *, table: str = "usage") -> str:
    """The natural key of the one charge row of this SKU and usage start (keys end in a hash of the row)."""
    time_column = "ts" if table == "usage" else "charge_period_start"
    sku_source = "tags['gcp.sku']" if table == "usage" else "sku_description"
    (key,) = database.fetchone(
        f"""
        SELECT natural_key FROM {table}
        WHERE {sku_source} = ? AND {time_column} = CAST(? AS TIMESTAMP) AND natural_key NOT LIKE '%:credit:%'
        """,
        [sku_description, start],
    )
    return key


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """export.jsonl loaded once for the tests that only read it."""
    database = open_store(create_workspace(tmp_path_factory.mktemp("gcp") / "ws", DEFAULT_CONFIG))
    try:
        result = ingest_files(database, [GCP / "export.jsonl"]).files[0]
        assert result.format_name == "gcp_billing_export"
        yield database
    finally:
        database.close()


@pytest.fixture(scope="module")
def quarantined(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[FileResult, list, tuple]]:
    """Every malformed-row file ingested once: its result, its quarantine rows and its loaded row counts."""
    with open_store(create_workspace(tmp_path_factory.mktemp("gcp") / "ws", DEFAULT_CONFIG)) as database:
        results = ingest_files(database, [GCP / case for case in sorted(GCP_QUARANTINE_CASES)]).files
        return {
            result.path.name: (
                result,
                database.fetchall(
                    "SELECT location, field, reason FROM quarantine WHERE source_id = ? ORDER BY record_number",
                    [result.source_id],
                ),
                database.fetchone(
                    "SELECT (SELECT count(*) FROM usage WHERE source_id = ?), "
                    "(SELECT count(*) FROM billing WHERE source_id = ?)",
                    [result.source_id, result.source_id],
                ),
            )
            for result in results
        }


def _usage(database: Database, sku_description: str, start: str = "2026-10-01 10:00:00") -> dict[str, object]:
    columns = (
        "ts, provider, model, model_raw, operation, service_tier, input_tokens, cache_read_tokens, cache_write_tokens, "
        "output_tokens, reasoning_tokens, input_audio_tokens, request_count, long_context, project_id, reported_cost, "
        "grain, origin, status"
    )
    row = database.fetchone(
        f"SELECT {columns} FROM usage WHERE natural_key = ?", [_key(database, sku_description, start)]
    )
    return dict(zip([name.strip() for name in columns.split(",")], row, strict=True))


# ---- malformed rows and files


@pytest.mark.parametrize("case", sorted(GCP_QUARANTINE_CASES))
def test_malformed_row_is_quarantined_with_its_message(case: str, quarantined: dict) -> None:
    # every file's good first line is the same row: it loads from the first file and is a duplicate after that
    result, rows, loaded = quarantined[case]

    assert rows == [GCP_QUARANTINE_CASES[case]]
    assert (result.rows_read, result.rows_quarantined, result.rows_skipped) == (2, 1, 0)
    assert result.rows_loaded + result.rows_duplicate == 1
    assert loaded == (result.rows_loaded, result.rows_loaded)


def test_csv_without_the_invoice_month_column_quarantines_every_row(store: Database) -> None:
    result = ingest_files(store, [GCP / "missing_invoice_month.csv"]).files[0]

    assert result.format_name == "gcp_billing_export"
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (2, 0, 2)
    assert {(example.field, example.reason) for example in result.quarantined_examples} == {
        ("invoice.month", "missing; the invoice month (YYYYMM) is the billing period")
    }


def test_api_error_body_and_truncated_gzip_are_input_errors(store: Database) -> None:
    with pytest.raises(InputError, match="holds an API error response, not data: Access Denied"):
        ingest_files(store, [GCP / "api_error.json"])
    with pytest.raises(InputError, match="cannot read the file"):
        ingest_files(store, [GCP / "truncated.jsonl.gz"])


def test_bigquery_api_page_is_not_mistaken_for_the_export(cli: Callable, workspace: Workspace) -> None:
    path = GCP / "tabledata_list.json"

    result = cli("-w", workspace.root, "ingest", path)

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: unknown format: a JSONL file whose first record has kind, rows")
    assert "Traceback" not in result.output


# ---- counting and skips


def test_rows_read_are_loaded_quarantined_or_skipped_by_reason(store: Database) -> None:
    result = ingest_files(store, [GCP / "export.jsonl"]).files[0]

    # 24 export rows and 3 credit lines (row 2 has one credit, row 3 two) = 27 rows read. Skipped: Compute Engine,
    # Cloud Storage, and a grounding row with no usage and no cost; loaded: 21 charges + 3 credits.
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_duplicate) == (27, 24, 0, 0)
    assert result.skipped == (
        SkippedRows("no usage and no cost", 1),
        SkippedRows("not Vertex AI or Gemini API (Cloud Storage)", 1),
        SkippedRows("not Vertex AI or Gemini API (Compute Engine)", 1),
    )
    # usage: the 16 token rows of cost_type regular (9 Vertex, 7 Gemini API); billing: 21 charges and 3 credits
    assert store.fetchone("SELECT (SELECT count(*) FROM usage), (SELECT count(*) FROM billing)") == (16, 24)
    source = store.fetchone("SELECT rows_read, rows_loaded, rows_skipped, feed FROM sources")
    assert source == (27, 24, 3, "gcp_billing")


def test_the_same_export_twice_in_one_run_loads_once(store: Database, tmp_path: Path) -> None:
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes((GCP / "export.jsonl").read_bytes() + b"\n")

    first, second = ingest_files(store, [GCP / "export.jsonl", copy]).files

    assert (first.rows_loaded, second.rows_loaded, second.rows_duplicate) == (24, 0, 24)


# ---- usage buckets


def test_vertex_token_skus_are_disjoint_buckets(loaded: Database) -> None:
    text_input = _usage(loaded, "Gemini 2.5 Flash GA Text Input - Predictions")
    cache_read = _usage(loaded, "Gemini 2.5 Flash GA Input Text Caching")
    output = _usage(loaded, "Gemini 2.5 Flash GA Text Output - Predictions")
    thinking = _usage(loaded, "Gemini 2.5 Flash GA Thinking Text Output - Predictions")

    assert text_input == {
        "ts": datetime(2026, 10, 1, 10),
        "provider": "vertex_ai",
        "model": "gemini-2.5-flash",  # "Gemini 2.5 Flash GA": lower case, hyphens, GA dropped
        "model_raw": "Gemini 2.5 Flash",
        "operation": "chat",
        "service_tier": "standard",
        "input_tokens": 1_000_000,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "output_tokens": 0,
        "reasoning_tokens": 0,
        "input_audio_tokens": 0,
        "request_count": 0,
        "long_context": False,
        "project_id": "search-prod",
        "reported_cost": Decimal("0.3"),
        "grain": "bucket",
        "origin": "provider",
        "status": "success",
    }
    # Input Text Caching = cache reads; the free-trial credit (-0.12) covers the whole 0.12: 0.12 - 0.12 = 0
    assert (cache_read["input_tokens"], cache_read["cache_read_tokens"], cache_read["reported_cost"]) == (
        0,
        4_000_000,
        Decimal("0"),
    )
    # two credits on the output row: 0.50 - 0.05 - 0.01 = 0.44
    assert (output["output_tokens"], output["reasoning_tokens"], output["reported_cost"]) == (
        200_000,
        0,
        Decimal("0.44"),
    )
    # a thinking SKU's tokens are output, and reasoning (a part of output)
    assert (thinking["output_tokens"], thinking["reasoning_tokens"]) == (100_000, 100_000)


def test_vertex_tiers_long_context_audio_and_second_project(loaded: Database) -> None:
    long_input = _usage(loaded, "Gemini 2.5 Pro Text Input (Long) - Predictions", "2026-10-01 11:00:00")
    batch = _usage(loaded, "Gemini 2.5 Flash Text Input - Batch Predictions", "2026-10-01 11:00:00")
    priority = _usage(loaded, "Gemini 3.7 Flash Global Text Input Priority - Predictions", "2026-10-01 11:00:00")
    audio = _usage(loaded, "Gemini 2.5 Flash GA Audio Input - Predictions", "2026-10-01 11:00:00")

    assert (long_input["model"], long_input["long_context"], long_input["input_tokens"]) == (
        "gemini-2.5-pro",
        True,
        300_000,
    )
    assert (batch["service_tier"], batch["input_tokens"], batch["project_id"]) == ("batch", 2_000_000, "ml-research")
    assert (priority["model"], priority["service_tier"], priority["input_tokens"]) == (
        "gemini-3.7-flash",
        "priority",
        10_000,
    )
    # audio input is input, with its audio part said apart
    assert (audio["input_tokens"], audio["input_audio_tokens"]) == (20_000, 20_000)


def test_gemini_api_sku_grammar(loaded: Database) -> None:
    day = "2026-10-02 09:00:00"
    flash_lite = _usage(loaded, "Generate content input token count gemini 2.5 flash lite", day)
    cached_image = _usage(loaded, "Generate content cached input token count gemini 2.5 flash input image", day)
    pro_output = _usage(loaded, "Generate content output token count Gemini 2.5 Pro short output text", day)
    pro_long = _usage(loaded, "Generate content input token count Gemini 2.5 Pro long input text", day)
    embedding = _usage(loaded, "EmbedContent input token count for gemini-embedding-2 text", day)
    batch = _usage(loaded, "Generate content input token count gemini 3.7 flash text batch", day)
    tiny = _usage(loaded, "Generate content output token count gemini 2.5 flash lite", day)

    assert {row["provider"] for row in (flash_lite, cached_image, pro_output, pro_long, embedding, batch)} == {"gemini"}
    assert (flash_lite["model"], flash_lite["model_raw"], flash_lite["input_tokens"]) == (
        "gemini-2.5-flash-lite",
        "gemini 2.5 flash lite",
        500_000,
    )
    assert (cached_image["model"], cached_image["cache_read_tokens"], cached_image["input_tokens"]) == (
        "gemini-2.5-flash",
        1_000_000,
        0,
    )
    assert (pro_output["model"], pro_output["output_tokens"], pro_output["long_context"]) == (
        "gemini-2.5-pro",
        40_000,
        False,
    )
    assert (pro_long["input_tokens"], pro_long["long_context"]) == (250_000, True)
    assert (embedding["model"], embedding["operation"], embedding["input_tokens"]) == (
        "gemini-embedding-2",
        "embedding",
        1_000_000,
    )
    assert (batch["model"], batch["service_tier"]) == ("gemini-3.7-flash", "batch")
    # cost 1.2e-05 in the JSON: exactly 0.000012 (30 tokens x 0.40 / 1M)
    assert (tiny["output_tokens"], tiny["reported_cost"]) == (30, Decimal("0.000012"))


#: SKU descriptions (the Vertex ones and most Gemini API ones as third-party parsers of real bills show them) ->
#: (model, token class, service tier, long context, reasoning) of the row; None: not a token SKU, a billed line only.
SKU_GRAMMAR: dict[str, tuple[str | None, str | None, str, bool, bool] | None] = {
    "Gemini 2.5 Flash GA Text Output (Thinking On) - Predictions": (
        "gemini-2.5-flash",
        "output",
        "standard",
        False,
        True,
    ),
    "Gemini 2.5 Flash GA Input Text Caching (Long)": ("gemini-2.5-flash", "cache_read", "standard", True, False),
    "Gemini 2.0 Flash Text Input (Long) - Predictions": ("gemini-2.0-flash", "input", "standard", True, False),
    "Gemini 3.0 Pro Text Input - Predictions": ("gemini-3.0-pro", "input", "standard", False, False),
    "Gemini 3.0 Pro Image Output - Predictions": ("gemini-3.0-pro-image", "output", "standard", False, False),
    "Gemini 2.5 Flash Live Text Input - Predictions": ("gemini-2.5-flash-live", "input", "standard", False, False),
    "Gemini 3.8 Flash Global Text Output - Batch Predictions": ("gemini-3.8-flash", "output", "batch", False, False),
    "Gemini 3.7 Flash Global Text Input Caching Flex": ("gemini-3.7-flash", "cache_read", "flex", False, False),
    "Generate content input token count gemini 3.7 flash image flex caching": (
        "gemini-3.7-flash",
        "cache_read",
        "flex",
        False,
        False,
    ),
    # the class is the word before "token count": this is output, whatever "short input text" says
    "Generate content output token count gemini 2.5 flash short input text": (
        "gemini-2.5-flash",
        "output",
        "standard",
        False,
        False,
    ),
    "Generate content output token count gemini 2.5 flash lite short output text non-thinking": (
        "gemini-2.5-flash-lite",
        "output",
        "standard",
        False,
        False,
    ),
    "Generate content input token count gemini 3.1 flash lite preview text": (
        "gemini-3.1-flash-lite-preview",
        "input",
        "standard",
        False,
        False,
    ),
    "Generate_content cached text input token count for gemini 3 flash": (
        "gemini-3-flash",
        "cache_read",
        "standard",
        False,
        False,
    ),
    "GenerateContent image input token count for Gemini 2.0 Flash": (
        "gemini-2.0-flash",
        "input",
        "standard",
        False,
        False,
    ),
    "Generate content search query gemini 3 paid one": None,
    "Grounding with Google Search": None,
    "Gemini Code Assist Standard": None,
}


def test_sku_grammar(store: Database, tmp_path: Path) -> None:
    template = json.loads((GCP / "export.jsonl").read_text(encoding="utf-8").splitlines()[0])
    lines = []
    for number, sku_description in enumerate(SKU_GRAMMAR, start=1):
        template["sku"] = {"id": f"SKU-{number:04d}", "description": sku_description}
        lines.append(json.dumps(template))
    path = tmp_path / "skus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    ingest_files(store, [path])
    rows = store.fetchall(
        """
        SELECT billing.sku_description, billing.token_class, usage.model, usage.service_tier, usage.long_context,
               usage.reasoning_tokens > 0
        FROM billing LEFT JOIN usage USING (natural_key)
        """
    )

    assert {
        sku: None if token_class is None else (model, token_class, tier, long_context, reasoning)
        for sku, token_class, model, tier, long_context, reasoning in rows
    } == SKU_GRAMMAR


def test_labels_and_export_dimensions_are_tags(loaded: Database) -> None:
    (tags,) = loaded.fetchone(
        "SELECT tags FROM usage WHERE natural_key = ?",
        [_key(loaded, "Gemini 2.5 Flash GA Text Input - Predictions", "2026-10-01 10:00:00")],
    )

    assert tags == {
        "team": "search",
        "cost_center": "cc-search",
        "gcp.service": "Vertex AI",
        "gcp.sku": "Gemini 2.5 Flash GA Text Input - Predictions",
        "gcp.sku_id": "FDAB-647C-5A22",
        "gcp.location": "global",
        "gcp.billing_account_id": "01ABCD-EF2345-678901",
        "gcp.modality": "text",
    }


def test_provider_estimates_per_model(loaded: Database) -> None:
    estimates = dict(
        loaded.fetchall("SELECT model, sum(estimated_cost) FROM usage_priced WHERE origin = 'provider' GROUP BY model")
    )

    assert estimates == {
        # Vertex: 1M x 0.30 + 4M cached x 0.03 + 0.2M out x 2.50 + 0.1M thinking out x 2.50 + 2M batch x 0.30 x 0.5
        # + the late row 0.1M x 0.30 (the audio row has no audio price: unpriced); Gemini API: 1M cached x 0.03
        "gemini-2.5-flash": (
            M * Decimal("0.30")
            + 4 * M * Decimal("0.03")
            + Decimal("0.2") * M * Decimal("2.50")
            + Decimal("0.1") * M * Decimal("2.50")
            + 2 * M * Decimal("0.30") * Decimal("0.5")
            + Decimal("0.1") * M * Decimal("0.30")
            + M * Decimal("0.03")
        )
        / M,
        # Vertex long context 0.3M x 2.50; Gemini API 40K out x 10.00 + 250K long input x 2.50
        "gemini-2.5-pro": (Decimal("300000") * Decimal("2.50") + 40_000 * Decimal("10.00") + 250_000 * Decimal("2.50"))
        / M,
        # 500K x 0.10 + 30 out x 0.40
        "gemini-2.5-flash-lite": (500_000 * Decimal("0.10") + 30 * Decimal("0.40")) / M,
        # Gemini API batch 100K x 0.75 x 0.5 (Vertex has no price for it: unpriced, so not in the sum)
        "gemini-3.7-flash": 100_000 * Decimal("0.75") * Decimal("0.5") / M,
        "gemini-embedding-2": None,  # no price: loaded, unpriced
    }
    assert loaded.fetchall(
        "SELECT provider, model, unpriced_reason FROM usage_priced WHERE NOT priced ORDER BY provider, model"
    ) == [
        ("gemini", "gemini-embedding-2", "no price table entry for model gemini-embedding-2 of provider gemini"),
        ("vertex_ai", "gemini-2.5-flash", "no audio input price for gemini-2.5-flash"),
        ("vertex_ai", "gemini-3.7-flash", "no price table entry for model gemini-3.7-flash of provider vertex_ai"),
    ]


# ---- billed lines


def test_billed_lines_categories_credits_and_invoice_month(loaded: Database) -> None:
    output_key = _key(loaded, "Gemini 2.5 Flash GA Text Output - Predictions", "2026-10-01 10:00:00", table="billing")
    rows = loaded.fetchall(
        """
        SELECT natural_key, charge_category, charge_class, billed_cost, list_cost, token_class, consumed_quantity,
               consumed_unit, model, tags['gcp.credit_name'], billing_period_start, billing_period_end,
               charge_period_start, charge_period_end, billing_currency, is_ai, sub_account_id, document
        FROM billing WHERE natural_key LIKE ? || '%' ORDER BY natural_key
        """,
        [output_key],
    )

    period = (date(2026, 10, 1), date(2026, 11, 1), datetime(2026, 10, 1, 10), datetime(2026, 10, 1, 11))
    same = (*period, "USD", True, "search-prod", "invoice")
    assert rows == [
        (
            output_key,
            "Usage",
            None,
            Decimal("0.5"),
            Decimal("0.5"),
            "output",
            Decimal(200_000),
            "tokens",
            "gemini-2.5-flash",
            None,
            *same,
        ),
        (
            output_key + ":credit:1",
            "Credit",
            None,
            Decimal("-0.05"),
            None,
            None,
            None,
            None,
            "gemini-2.5-flash",
            "Promotional credit",
            *same,
        ),
        (
            output_key + ":credit:2",
            "Credit",
            None,
            Decimal("-0.01"),
            None,
            None,
            None,
            None,
            "gemini-2.5-flash",
            "Free trial",
            *same,
        ),
    ]


def test_tax_adjustment_storage_and_late_rows(loaded: Database) -> None:
    def line(sku_description: str, start: str, category: str) -> tuple:
        return loaded.fetchone(
            """
            SELECT provider, billed_cost, token_class, model, consumed_quantity, consumed_unit, charge_class,
                   billing_period_start
            FROM billing WHERE sku_description = ? AND charge_period_start = CAST(? AS TIMESTAMP)
              AND charge_category = ?
            """,
            [sku_description, start, category],
        )

    assert line("Tax", "2026-10-01 10:00:00", "Tax") == (
        "vertex_ai",
        Decimal("0.35"),
        None,
        None,
        Decimal(0),
        "count",
        None,
        date(2026, 10, 1),
    )
    # an adjustment is a billed line, not usage: the Gemini API output SKU has one usage row only (the regular one)
    assert line(
        "Generate content output token count Gemini 2.5 Pro short output text", "2026-10-02 09:00:00", "Adjustment"
    ) == ("gemini", Decimal("-0.1"), None, "gemini-2.5-pro", Decimal(0), "count", "Correction", date(2026, 10, 1))
    # context-cache storage: billed in its pricing unit (hours), no tokens
    assert line("Gemini 3 Flash Text Input Caching Storage", "2026-10-01 10:00:00", "Usage") == (
        "vertex_ai",
        Decimal("0.04"),
        None,
        "gemini-3-flash",
        Decimal("1.000138888889"),
        "hour",
        None,
        date(2026, 10, 1),
    )
    # late: used on 30 September, invoiced in October -> billing period October, charge period September
    assert line("Gemini 2.5 Flash GA Text Input - Predictions", "2026-09-30 23:00:00", "Usage") == (
        "vertex_ai",
        Decimal("0.03"),
        "input",
        "gemini-2.5-flash",
        Decimal(100_000),
        "tokens",
        None,
        date(2026, 10, 1),
    )


def test_invoice_month_totals_are_exact(loaded: Database) -> None:
    totals = dict(
        loaded.fetchall(
            "SELECT provider, sum(billed_cost) FROM billing WHERE billing_period_start = DATE '2026-10-01' "
            "GROUP BY provider"
        )
    )

    # rows 1-9, the tax row 19, the late row 20 and the audio row 24; the three credits; the Gemini API rows
    vertex_charges = ["0.3", "0.12", "0.5", "0.25", "0.75", "0.3", "0.0135", "0.04", "0.105", "0.35", "0.03", "0.02"]
    vertex_credits = ["-0.12", "-0.05", "-0.01"]
    gemini_charges = ["0.05", "0.03", "0.4", "0.625", "0.2", "0.0375", "0.009", "-0.1", "0.000012"]
    assert totals == {
        "vertex_ai": sum(Decimal(amount) for amount in vertex_charges + vertex_credits),  # 2.5985
        "gemini": sum(Decimal(amount) for amount in gemini_charges),  # 1.251512
    }
    assert totals["vertex_ai"] == Decimal("2.5985")


def test_other_currency_keeps_its_amount_and_no_usd_reported_cost(store: Database) -> None:
    ingest_files(store, [GCP / "export_eur.jsonl"])

    (reported, tags) = store.fetchone("SELECT reported_cost, tags FROM usage")
    billed = store.fetchall("SELECT charge_category, billed_cost, billing_currency FROM billing ORDER BY natural_key")

    assert reported is None
    # 0.046 - 0.006 = 0.040 EUR
    assert tags["gcp.cost"] == "0.040000000000 EUR"
    assert billed == [("Usage", Decimal("0.046"), "EUR"), ("Credit", Decimal("-0.006"), "EUR")]


# ---- the other shapes of the same rows


def _rows_by_key(database: Database) -> tuple[dict, dict]:
    usage = {
        row[0]: row[1:]
        for row in database.fetchall(
            "SELECT natural_key, ts, provider, model, input_tokens, cache_read_tokens, output_tokens, reported_cost, "
            "tags, service_tier FROM usage"
        )
    }
    billing = {
        row[0]: row[1:]
        for row in database.fetchall(
            "SELECT natural_key, charge_category, billed_cost, billing_period_start, charge_period_start, "
            "charge_period_end, token_class, consumed_quantity, tags FROM billing"
        )
    }
    return usage, billing


def test_console_csv_download_reads_like_the_json_export(store: Database, loaded: Database) -> None:
    result = ingest_files(store, [GCP / "console_download.csv"]).files[0]
    csv_usage, csv_billing = _rows_by_key(store)
    json_usage, json_billing = _rows_by_key(loaded)

    # rows 1-3 and 10 of the JSON export, with the console's "2026-10-01 10:00:00 UTC" timestamps
    assert (result.format_name, result.rows_read, result.rows_loaded) == ("gcp_billing_export", 7, 7)
    assert len(csv_usage) == 4
    assert csv_usage == {key: json_usage[key] for key in csv_usage}
    assert csv_billing == {key: json_billing[key] for key in csv_billing}


def test_parquet_extract_reads_like_the_json_export(store: Database, loaded: Database, tmp_path: Path) -> None:
    # a BigQuery extract to Parquet keeps the nested columns (RECORD and REPEATED) as structs and lists
    parquet = tmp_path / "billing.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"COPY (SELECT * FROM read_json_auto('{GCP / 'export.jsonl'}')) TO '{parquet}' (FORMAT parquet)"
        )
    result = ingest_files(store, [parquet]).files[0]
    parquet_usage, parquet_billing = _rows_by_key(store)
    json_usage, json_billing = _rows_by_key(loaded)

    assert (result.format_name, result.rows_read, result.rows_loaded) == ("gcp_billing_export", 27, 24)
    assert parquet_usage == json_usage
    assert parquet_billing == json_billing


# ---- replacement of a restated period


def test_newer_export_replaces_the_period_it_covers(store: Database) -> None:
    ingest_files(store, [GCP / "export.jsonl"])
    newer = ingest_files(store, [GCP / "export_newer.jsonl"]).files[0]

    # The newer file holds Vertex rows of 1 October 10:00-12:00 only: the 10:00 input restated (1.2M tokens, 0.36)
    # and the 11:00 long-context input. Earlier Vertex rows of that span go (8 buckets: 1M + 4M + 0.2M + 0.1M +
    # 0.3M + 2M + 10K + 20K tokens; 11 charges and 3 credits: 2.7785 - 0.03 late - 0.18 credits = 2.5685);
    # the late row (30 September) and the Gemini API rows (2 October) stay.
    assert newer.replacements == (
        Replacement(
            "billing",
            "vertex_ai",
            datetime(2026, 10, 1, 10),
            datetime(2026, 10, 1, 12),
            14,
            2,
            "USD",
            Decimal("2.5685"),
            Decimal("1.11"),
        ),
        Replacement(
            "usage",
            "vertex_ai",
            datetime(2026, 10, 1, 10),
            datetime(2026, 10, 1, 12),
            8,
            2,
            "tokens",
            Decimal(7_630_000),
            Decimal(1_500_000),
        ),
    )
    assert store.fetchall("SELECT provider, sum(billed_cost) FROM billing GROUP BY provider ORDER BY provider") == [
        ("gemini", Decimal("1.251512")),
        ("vertex_ai", Decimal("1.14")),
    ]  # 0.36 + 0.75 + the late 0.03
    assert store.fetchall("SELECT ts, input_tokens FROM usage WHERE provider = 'vertex_ai' ORDER BY ts") == [
        (datetime(2026, 9, 30, 23), 100_000),
        (datetime(2026, 10, 1, 10), 1_200_000),
        (datetime(2026, 10, 1, 11), 300_000),
    ]


# ---- detection and the CLI


@pytest.mark.parametrize("case", ["export.jsonl", "console_download.csv", "export_eur.jsonl"])
def test_export_is_detected_from_its_content(case: str) -> None:
    assert detect_format(sample_file(GCP / case)).name == "gcp_billing_export"


def test_cli_ingest_then_query(cli: Callable, workspace: Workspace) -> None:
    ingested = cli("-w", workspace.root, "ingest", GCP / "export.jsonl")
    bad = cli("-w", workspace.root, "ingest", GCP / "api_error.json")
    query = cli(
        "-w",
        workspace.root,
        "query",
        "SELECT charge_category, sum(billed_cost) AS billed FROM billing GROUP BY 1 ORDER BY 1",
        "--format",
        "json",
    )

    assert ingested.exit_code == 0
    assert (bad.exit_code, bad.stderr.splitlines()[0]) == (
        1,
        f"Error: {GCP / 'api_error.json'}: the file holds an API error response, not data: Access Denied: Table "
        "billing.gcp_billing_export_v1_01ABCD_EF2345_678901: User does not have permission to query table.",
    )
    assert query.exit_code == 0
    # Usage: 2.7785 - 0.35 tax (Vertex) + 1.351512 (Gemini API charges without the -0.1 adjustment)
    assert json.loads(query.stdout) == [
        {"charge_category": "Adjustment", "billed": "-0.100000000000"},
        {"charge_category": "Credit", "billed": "-0.180000000000"},
        {"charge_category": "Tax", "billed": "0.350000000000"},
        {"charge_category": "Usage", "billed": "3.780012000000"},
    ]
