"""OpenAI exports -> disjoint token counts, attribution, exact billed amounts and period replacement
(conventions in llmfinops/ingest/openai_exports.py and its four SQL files)."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.db.connection import Database
from llmfinops.ingest.containers import sample_file
from llmfinops.ingest.load import Replacement, SkippedRows, ingest_files
from llmfinops.ingest.openai_exports import OPENAI_FORMATS
from llmfinops.ingest.registry import detect_format
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.conftest import CASES

OPENAI = CASES / "openai"
M = Decimal(10**6)

WELL_FORMED: dict[str, str] = {
    "usage_completions_page.json": "openai_usage_api",
    "usage_restated.json": "openai_usage_api",
    "usage_bad_results.json": "openai_usage_api",
    "usage_activity.csv": "openai_usage_csv",
    "usage_activity_older.csv": "openai_usage_csv",
    "usage_empty_export.csv": "openai_usage_csv",
    "costs_page.json": "openai_costs_api",
    "costs_bad_results.json": "openai_costs_api",
    "costs.csv": "openai_costs_csv",
    "costs_restated.csv": "openai_costs_csv",
}

_USAGE_COLUMNS = (
    "ts, model, model_raw, operation, service_tier, input_tokens, cache_read_tokens, cache_write_tokens, "
    "output_tokens, reasoning_tokens, cache_write_1h_tokens, input_audio_tokens, output_audio_tokens, image_count, "
    "request_count, project_id, api_key_id, user_id, tags, token_convention"
)
_BILLING_COLUMNS = (
    "billing_account_id, sub_account_id, billing_period_start, billing_period_end, charge_period_start, "
    "charge_period_end, charge_category, sku_description, model, model_raw, token_class, billed_cost, "
    "billing_currency, is_ai, project_id, api_key_id, tags"
)


def _usage(store: Database) -> dict[tuple[int, str], dict[str, object]]:
    """Usage rows by (day of October, model): the rows of one bucket have no order of their own."""
    names = [name.strip() for name in _USAGE_COLUMNS.split(",")]
    rows = [dict(zip(names, row, strict=True)) for row in store.fetchall(f"SELECT {_USAGE_COLUMNS} FROM usage")]
    by_day_and_model = {(row["ts"].day, row["model"]): row for row in rows}
    assert len(by_day_and_model) == len(rows)
    return by_day_and_model


def _billing(store: Database) -> dict[tuple[datetime, str | None], dict[str, object]]:
    """Billed lines by (day of the charge period, line item): the lines of one bucket have no order of their own."""
    names = [name.strip() for name in _BILLING_COLUMNS.split(",")]
    rows = [dict(zip(names, row, strict=True)) for row in store.fetchall(f"SELECT {_BILLING_COLUMNS} FROM billing")]
    by_day_and_line = {(row["charge_period_start"], row["sku_description"]): row for row in rows}
    assert len(by_day_and_line) == len(rows)
    return by_day_and_line


def _quarantine(store: Database) -> list[tuple[str, str | None, str]]:
    return store.fetchall("SELECT location, field, reason FROM quarantine ORDER BY record_number, location")


def _day(day: int, month: int = 10) -> datetime:
    return datetime(2026, month, day)


def _counts(result) -> tuple[int, int, int, int, int]:
    return (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_duplicate, result.rows_skipped)


# ---- detection


@pytest.mark.parametrize("case", sorted(WELL_FORMED))
def test_each_export_is_detected_as_its_format(case: str) -> None:
    assert detect_format(sample_file(OPENAI / case)).name == WELL_FORMED[case]


def test_no_other_format_claims_openai_files_and_these_formats_claim_no_other_files() -> None:
    openai_names = {input_format.name for input_format in OPENAI_FORMATS}
    for case in WELL_FORMED:
        claimed = [known.name for known in OPENAI_FORMATS if known.detect(sample_file(OPENAI / case))]
        assert claimed == [WELL_FORMED[case]], case
    for path in sorted(CASES.rglob("*")):
        if not path.is_file() or path.parent == OPENAI:
            continue
        try:
            sample = sample_file(path)
        except Exception:  # empty and truncated fixtures of other formats
            continue
        assert not [name for name in openai_names if format_claims(name, sample)], path


def format_claims(name: str, sample) -> bool:
    return next(known for known in OPENAI_FORMATS if known.name == name).detect(sample)


def test_usage_and_costs_pages_share_an_envelope_and_are_told_apart_by_their_results() -> None:
    usage, costs = sample_file(OPENAI / "usage_completions_page.json"), sample_file(OPENAI / "costs_page.json")

    assert usage.field_names == costs.field_names == {"object", "start_time", "end_time", "results"}
    assert "num_model_requests" in usage.nested_field_names and "amount" not in usage.nested_field_names
    assert "amount" in costs.nested_field_names and "num_model_requests" not in costs.nested_field_names


# ---- Usage API pages


def test_usage_page_rows_are_disjoint_counts_with_their_dimensions(store: Database) -> None:
    result = ingest_files(store, [OPENAI / "usage_completions_page.json"]).files[0]
    rows = _usage(store)

    # 3 buckets: 9 results + 1 empty bucket + 3 results = 13 rows read
    assert _counts(result) == (13, 8, 2, 0, 3)
    assert result.skipped == (
        SkippedRows("bucket with no usage", 1),
        SkippedRows("organization.usage.audio_speeches.result: characters have no usage column", 1),
        SkippedRows("organization.usage.audio_transcriptions.result: seconds have no usage column", 1),
    )
    zero = {"reasoning_tokens": 0, "cache_write_1h_tokens": 0}
    written = "openai_usage_api: input includes cached and cache writes; uncached as written"
    assert rows[1, "gpt-4o-2024-08-06"] == {
        "ts": _day(1),
        "model": "gpt-4o-2024-08-06",
        "model_raw": "gpt-4o-2024-08-06",
        "operation": "chat",
        "service_tier": "standard",  # service_tier "default"
        # input_tokens 120000 includes 80000 cached and 0 cache writes: 40000 uncached (= input_uncached_tokens)
        "input_tokens": 40000,
        "cache_read_tokens": 80000,
        "cache_write_tokens": 0,
        "output_tokens": 9000,
        **zero,
        "input_audio_tokens": 0,
        "output_audio_tokens": 0,
        "image_count": 0,
        "request_count": 42,
        "project_id": "proj_search",
        "api_key_id": "key_AAAA",
        "user_id": "user-abc",
        "tags": {},
        "token_convention": written,
    }
    # batch: true -> batch tier; user_id null (not grouped) stays NULL
    assert {
        key: rows[1, "gpt-4o-mini-2024-07-18"][key]
        for key in ("service_tier", "input_tokens", "output_tokens", "user_id")
    } == {
        "service_tier": "batch",
        "input_tokens": 500000,
        "output_tokens": 60000,
        "user_id": None,
    }
    # 300000 = 150000 uncached + 100000 cached + 50000 cache writes (30-minute retention)
    assert {
        key: rows[1, "gpt-5.6-luna-2026-07-13"][key]
        for key in ("model", "service_tier", "input_tokens", "cache_read_tokens", "cache_write_tokens", "tags")
    } == {
        "model": "gpt-5.6-luna-2026-07-13",
        "service_tier": "flex",
        "input_tokens": 150000,
        "cache_read_tokens": 100000,
        "cache_write_tokens": 50000,
        "tags": {"api_source": "agents_api"},
    }
    # audio: 10000 = 8000 uncached (of which 5000 audio) + 2000 cached; output 3000 includes 1000 audio
    assert {
        key: rows[1, "gpt-realtime-2025-08-28"][key]
        for key in (
            "input_tokens",
            "cache_read_tokens",
            "input_audio_tokens",
            "output_tokens",
            "output_audio_tokens",
            "project_id",
        )
    } == {
        "input_tokens": 8000,
        "cache_read_tokens": 2000,
        "input_audio_tokens": 5000,
        "output_tokens": 3000,
        "output_audio_tokens": 1000,
        "project_id": "proj_voice",
    }
    # an older result without input_uncached_tokens: 1000 - 200 cached = 800 uncached
    older = rows[1, "acme-finetune-unpriced"]
    assert (older["input_tokens"], older["cache_read_tokens"], older["token_convention"]) == (
        800,
        200,
        "openai_usage_api: input includes cached and cache writes; uncached = input - cached - cache writes",
    )
    assert {
        key: rows[1, "text-embedding-3-small"][key]
        for key in ("operation", "input_tokens", "output_tokens", "request_count")
    } == {
        "operation": "embedding",
        "input_tokens": 250000,
        "output_tokens": 0,
        "request_count": 50,
    }
    assert {
        key: rows[1, "dall-e-3"][key] for key in ("operation", "image_count", "input_tokens", "request_count", "tags")
    } == {
        "operation": "image",
        "image_count": 4,
        "input_tokens": 0,
        "request_count": 4,
        "tags": {"image_size": "1024x1024", "image_source": "image.generation"},
    }
    assert {key: rows[3, "gpt-4o-2024-08-06"][key] for key in ("ts", "service_tier", "api_key_id", "user_id")} == {
        "ts": _day(3),
        "service_tier": "priority",
        "api_key_id": "key_EEEE",
        "user_id": "user-def",
    }
    assert _quarantine(store) == [
        (
            "element 3, result 2",
            "input_tokens",
            "100000 is not input_uncached_tokens + input_cached_tokens + cache writes (40000 + 50000 + 0 = 90000)",
        ),
        (
            "element 3, result 3",
            "model",
            "missing: the usage was not grouped by model, so it cannot be priced; fetch it with group_by=model",
        ),
    ]
    assert store.fetchall("SELECT DISTINCT grain, origin, provider, status, request_id FROM usage") == [
        ("bucket", "provider", "openai", "success", None)
    ]


def test_usage_is_priced_per_model_and_unmapped_models_stay_loaded_unpriced(store: Database) -> None:
    ingest_files(store, [OPENAI / "usage_completions_page.json"])
    priced = dict(
        store.fetchall(
            "SELECT model, sum(estimated_cost) FROM usage_priced WHERE origin = 'provider' AND priced GROUP BY model"
        )
    )
    unpriced = store.fetchall("SELECT model, unpriced_reason FROM usage_priced WHERE NOT priced ORDER BY model")

    # gpt-4o standard: 40000 x 2.50 + 80000 x 1.25 + 9000 x 10 = 0.29; priority: 20000 x 4.25 + 1000 x 17 = 0.102
    gpt_4o = (40000 * Decimal("2.50") + 80000 * Decimal("1.25") + 9000 * 10) / M + (
        20000 * Decimal("4.25") + 1000 * 17
    ) / M
    # gpt-4o-mini batch (50 %): (500000 x 0.15 + 60000 x 0.60) x 0.5
    mini = (500000 * Decimal("0.15") + 60000 * Decimal("0.60")) * Decimal("0.5") / M
    # gpt-5.6-luna flex (50 %): 150000 x 0.10 + 100000 x 0.01 + 50000 x 0.125 + 20000 x 0.60
    luna = (
        150000 * Decimal("0.10") + 100000 * Decimal("0.01") + 50000 * Decimal("0.125") + 20000 * Decimal("0.60")
    ) / M
    # gpt-realtime: text input (8000 - 5000) x 4 + audio 5000 x 32 + cached 2000 x 0.40
    #               + text output (3000 - 1000) x 16 + audio output 1000 x 64
    realtime = (3000 * 4 + 5000 * 32 + 2000 * Decimal("0.40") + 2000 * 16 + 1000 * 64) / M
    embedding = 250000 * Decimal("0.02") / M
    assert (gpt_4o, mini, luna, realtime, embedding) == (
        Decimal("0.392"),
        Decimal("0.0555"),
        Decimal("0.03425"),
        Decimal("0.2688"),
        Decimal("0.005"),
    )
    assert priced == {
        "gpt-4o": gpt_4o,
        "gpt-4o-mini": mini,
        "gpt-5.6-luna": luna,
        "gpt-realtime": realtime,
        "text-embedding-3-small": embedding,
    }
    assert unpriced == [
        ("acme-finetune-unpriced", "no price table entry for model acme-finetune-unpriced of provider openai"),
        ("dall-e-3", "no price table entry for model dall-e-3 of provider openai"),
    ]


def test_malformed_results_and_buckets_are_quarantined_with_their_messages(store: Database) -> None:
    result = ingest_files(store, [OPENAI / "usage_bad_results.json"]).files[0]

    # element 1: 11 results (1 good, 7 bad, 3 skipped); elements 2-4: one bad bucket each
    assert _counts(result) == (14, 1, 10, 0, 3)
    assert result.skipped == (
        SkippedRows("organization.usage.decisions.result: not a usage result this format reads", 1),
        SkippedRows("organization.usage.moderations.result: moderation usage is not read", 1),
        SkippedRows("organization.usage.vector_stores.result: storage bytes have no usage column", 1),
    )
    assert _quarantine(store) == [
        ("element 1, result 2", "input_tokens", "'1.4k' is not a whole non-negative number"),
        ("element 1, result 3", "output_audio_tokens", "larger than output_tokens, which include it"),
        (
            "element 1, result 4",
            "input_tokens",
            "smaller than input_cached_tokens + cache writes, which it includes (1000 < 1200)",
        ),
        ("element 1, result 5", "batch", "'maybe' is not true or false"),
        ("element 1, result 6", "output_tokens", "missing"),
        ("element 1, result 7", "object", "missing; cannot tell which usage the result counts"),
        ("element 1, result 8", "results", "not a JSON object"),
        ("element 2", "start_time", "'yesterday' is not a time in Unix seconds"),
        ("element 3", "results", "not a JSON array of results"),
        ("element 4", "end_time", "not after start_time"),
    ]


def test_quarantined_result_keeps_its_bucket_times_and_its_own_fields(store: Database) -> None:
    ingest_files(store, [OPENAI / "usage_bad_results.json"])

    raw = json.loads(store.scalar("SELECT raw_record FROM quarantine WHERE location = 'element 1, result 5'"))
    assert (raw["start_time"], raw["end_time"]) == (1790812800, 1790899200)
    assert (raw["result"]["batch"], raw["result"]["model"]) == ("maybe", "gpt-4.1-2025-04-14")


def test_newer_usage_export_replaces_the_period_it_covers(store: Database) -> None:
    ingest_files(store, [OPENAI / "usage_completions_page.json"])
    newer = ingest_files(store, [OPENAI / "usage_restated.json"]).files[0]
    per_day = store.fetchall(
        "SELECT ts, sum(input_tokens + cache_read_tokens + cache_write_tokens + output_tokens) FROM usage "
        "GROUP BY ts ORDER BY ts"
    )

    # Before, 2026-10-01 had 7 rows: (40000 + 80000 + 9000) + (500000 + 60000) + (150000 + 100000 + 50000 + 20000)
    # + (8000 + 2000 + 3000) + (800 + 200 + 100) + 250000 + 0 images = 1,273,100 tokens.
    # The newer file has 2 rows: (50000 + 80000 + 9500) + (500000 + 60000) = 699,500.
    assert newer.replacements == (
        Replacement("usage", "openai", _day(1), _day(2), 7, 2, "tokens", Decimal(1273100), Decimal(699500)),
    )
    assert store.fetchall("SELECT source_id, replaced_source_id, target, rows_removed FROM source_replacements") == [
        (2, 1, "usage", 7)
    ]
    # 2026-10-03 is outside the newer file's period and stays: 20000 + 1000
    assert per_day == [(_day(1), 699500), (_day(3), 21000)]


def test_a_folder_of_pages_is_one_export(store: Database, tmp_path: Path) -> None:
    page = json.loads((OPENAI / "usage_completions_page.json").read_text())
    folder = tmp_path / "usage_pages"
    folder.mkdir()
    for number, buckets in enumerate((page["data"][:2], page["data"][2:]), start=1):
        more = number == 1
        (folder / f"page_{number}.json").write_text(
            json.dumps({"object": "page", "data": buckets, "has_more": more, "next_page": "page_2" if more else None})
        )

    files = ingest_files(store, [folder]).files

    assert [(result.path.name, *_counts(result)) for result in files] == [
        ("page_1.json", 10, 7, 0, 0, 3),
        ("page_2.json", 3, 1, 2, 0, 0),
    ]
    # pages of one run add up: nothing is replaced
    assert [result.replacements for result in files] == [(), ()]
    assert store.scalar("SELECT count(*) FROM usage") == 8


# ---- dashboard activity CSV


def test_activity_csv_reads_float_counts_and_batch_words(store: Database) -> None:
    result = ingest_files(store, [OPENAI / "usage_activity.csv"]).files[0]
    rows = _usage(store)

    assert _counts(result) == (9, 5, 3, 0, 1)
    assert result.skipped == (SkippedRows("bucket with no usage", 1),)
    # "120000.0" input includes "80000.0" cached: 40000 uncached
    assert {
        key: rows[1, "gpt-4o-2024-08-06"][key]
        for key in (
            "ts",
            "model",
            "service_tier",
            "input_tokens",
            "cache_read_tokens",
            "output_tokens",
            "request_count",
        )
    } == {
        "ts": _day(1),
        "model": "gpt-4o-2024-08-06",
        "service_tier": "standard",
        "input_tokens": 40000,
        "cache_read_tokens": 80000,
        "output_tokens": 9000,
        "request_count": 42,
    }
    mini, realtime = rows[1, "gpt-4o-mini-2024-07-18"], rows[1, "gpt-realtime-2025-08-28"]
    assert (mini["service_tier"], mini["user_id"], mini["api_key_id"]) == ("batch", None, "key_BBBB")
    assert (realtime["input_tokens"], realtime["input_audio_tokens"], realtime["output_audio_tokens"]) == (
        8000,
        5000,
        1000,
    )
    assert (rows[3, "gpt-4o-2024-08-06"]["service_tier"], rows[1, "acme-finetune-unpriced"]["input_tokens"]) == (
        "priority",
        800,
    )
    assert rows[1, "gpt-4o-2024-08-06"]["token_convention"] == (
        "openai_usage_csv: input includes cached and cache writes; uncached as written"
    )
    assert _quarantine(store) == [
        (
            "row 7",
            "input_tokens",
            "100000 is not input_uncached_tokens + input_cached_tokens + cache writes (40000 + 50000 + 0 = 90000)",
        ),
        ("row 8", "batch", "'MAYBE' is not TRUE or FALSE"),
        ("row 9", "input_tokens", "'4000.5' is not a whole non-negative number"),
    ]


def test_older_activity_csv_without_the_newer_columns(store: Database) -> None:
    result = ingest_files(store, [OPENAI / "usage_activity_older.csv"]).files[0]
    rows = _usage(store)

    assert _counts(result) == (3, 2, 0, 0, 1)
    # no input_uncached_tokens column: 120000 - 80000 cached; no service_tier, audio or cache-write columns
    assert [
        (model, row["input_tokens"], row["cache_read_tokens"], row["cache_write_tokens"], row["service_tier"])
        for (_, model), row in sorted(rows.items())
    ] == [("gpt-4o-2024-08-06", 40000, 80000, 0, "standard"), ("gpt-4o-mini-2024-07-18", 500000, 0, 0, "batch")]
    assert rows[1, "gpt-4o-2024-08-06"]["token_convention"] == (
        "openai_usage_csv: input includes cached and cache writes; uncached = input - cached - cache writes"
    )


def test_empty_export_loads_nothing_and_is_no_error(cli: Callable, workspace: Workspace) -> None:
    path = OPENAI / "usage_empty_export.csv"

    result = cli("-w", workspace.root, "ingest", path)

    assert result.exit_code == 0
    assert result.stdout == f"{path}: openai_usage_csv: 0 read, 0 loaded, 0 quarantined, 0 duplicate\n"


def test_activity_csv_and_usage_api_rows_of_one_bucket_share_a_key(store: Database) -> None:
    api, csv = ingest_files(store, [OPENAI / "usage_completions_page.json", OPENAI / "usage_activity.csv"]).files

    assert _counts(api) == (13, 8, 2, 0, 3)
    # the CSV's 5 good rows are the API's rows of the same buckets and groupings: duplicates, not added
    assert _counts(csv) == (9, 0, 3, 5, 1)
    assert store.scalar("SELECT count(*) FROM usage") == 8


def test_activity_csv_replaces_the_usage_api_rows_of_its_days(store: Database) -> None:
    ingest_files(store, [OPENAI / "usage_completions_page.json"])
    newer = ingest_files(store, [OPENAI / "usage_activity.csv"]).files[0]

    # removed: the 7 rows of 2026-10-01 (1,273,100 tokens) + the 2026-10-03 row (20000 + 1000);
    # added: (40000 + 80000 + 9000) + (500000 + 60000) + (8000 + 2000 + 3000) + (800 + 200 + 100) + (20000 + 1000)
    assert newer.replacements == (
        Replacement("usage", "openai", _day(1), _day(4), 8, 5, "tokens", Decimal(1294100), Decimal(724100)),
    )
    assert store.scalar("SELECT count(*) FROM usage") == 5


# ---- Costs API pages


def test_costs_page_amounts_are_read_exactly_from_their_text(store: Database) -> None:
    result = ingest_files(store, [OPENAI / "costs_page.json"]).files[0]
    lines = _billing(store)

    assert _counts(result) == (16, 15, 0, 0, 1)
    assert result.skipped == (SkippedRows("bucket with no costs", 1),)
    assert lines[_day(1), "gpt-4o-2024-08-06, input"] == {
        "billing_account_id": None,
        "sub_account_id": "proj_search",
        "billing_period_start": date(2026, 10, 1),
        "billing_period_end": date(2026, 11, 1),
        "charge_period_start": _day(1),
        "charge_period_end": _day(2),
        "charge_category": "Usage",
        "sku_description": "gpt-4o-2024-08-06, input",
        "model": "gpt-4o-2024-08-06",
        "model_raw": "gpt-4o-2024-08-06",
        "token_class": "input",
        "billed_cost": Decimal("0.1"),
        "billing_currency": "USD",  # "usd"
        "is_ai": True,
        "project_id": "proj_search",
        "api_key_id": None,
        "tags": {},
    }
    first_day = [
        (line["model"], line["token_class"], line["billed_cost"], line["tags"])
        for (day, _), line in sorted(lines.items(), key=lambda item: (item[0][0], str(item[0][1])))
        if day == _day(1)
    ]
    assert first_day == [
        ("acme-finetune-unpriced", "input", Decimal("0.002"), {}),
        # 0.1000000000000000055511151231257827 rounds to 12 decimals
        ("gpt-4o-2024-08-06", "cache_read", Decimal("0.100000000000"), {}),
        ("gpt-4o-2024-08-06", "input", Decimal("0.1"), {}),
        ("gpt-4o-2024-08-06", "output", Decimal("0.09"), {}),
        ("gpt-4o-mini-2024-07-18", "input", Decimal("0.0375"), {}),
        # 1.8e-02
        ("gpt-4o-mini-2024-07-18", "output", Decimal("0.018"), {}),
        # 1.2e-05
        ("gpt-5.6-luna-2026-07-13", "cache_write", Decimal("0.000012"), {}),
        ("gpt-realtime-2025-08-28", "input", Decimal("0.16"), {"modality": "audio"}),
        # "priority | gpt-5.6-sol-2026-07-13, output, long context" with 98765.432109876543219: through a double it
        # would read 98765.432109876550
        (
            "gpt-5.6-sol-2026-07-13",
            "output",
            Decimal("98765.432109876543"),
            {"service_tier": "priority", "long_context": "true"},
        ),
        (None, None, Decimal("0.025"), {}),  # "web search tool calls"
        ("whisper-1", None, Decimal("0.006"), {}),  # "whisper-1, audio": a model, no token class
    ]
    # 2026-10-31 belongs to the October invoice; 2026-11-01 to November
    assert [
        (
            day,
            sku_description,
            line["billing_period_start"],
            line["charge_category"],
            line["is_ai"],
            line["billed_cost"],
            line["api_key_id"],
            line["billing_currency"],
        )
        for (day, sku_description), line in sorted(lines.items())
        if day > _day(1)
    ] == [
        (_day(31), "Promotional credit", date(2026, 10, 1), "Credit", False, Decimal("-5"), None, "USD"),
        (_day(31), "Sales tax", date(2026, 10, 1), "Tax", False, Decimal("0.75"), None, "USD"),
        (_day(31), "gpt-4o-2024-08-06, input", date(2026, 10, 1), "Usage", True, Decimal("0.085"), "key_EEEE", "USD"),
        # 3.5E-7 eur
        (
            _day(1, 11),
            "gpt-4o-mini-2024-07-18, input",
            date(2026, 11, 1),
            "Usage",
            True,
            Decimal("3.5E-7"),
            None,
            "EUR",
        ),
    ]
    assert store.fetchall("SELECT DISTINCT provider, service_name, document FROM billing") == [
        ("openai", "OpenAI API", "cost_report")
    ]


def test_cost_line_models_resolve_to_priced_models(store: Database) -> None:
    ingest_files(store, [OPENAI / "costs_page.json"])

    assert store.fetchall(
        "SELECT DISTINCT model, price_model FROM billing_mapped WHERE model IS NOT NULL ORDER BY model"
    ) == [
        ("acme-finetune-unpriced", None),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("gpt-5.6-luna-2026-07-13", "gpt-5.6-luna"),
        ("gpt-5.6-sol-2026-07-13", "gpt-5.6-sol"),
        ("gpt-realtime-2025-08-28", "gpt-realtime"),
        ("whisper-1", None),
    ]


def test_gzipped_page_and_array_of_buckets_read_amounts_as_exactly(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    page = (OPENAI / "costs_page.json").read_text()
    (tmp_path / "costs_page.json.gz").write_bytes(gzip.compress(page.encode(), mtime=0))
    (tmp_path / "costs_buckets.json").write_text(page[page.index("[") : page.rindex("]") + 1])

    lines_by_file = {}
    for path in (OPENAI / "costs_page.json", tmp_path / "costs_page.json.gz", tmp_path / "costs_buckets.json"):
        with open_store(make_workspace()) as database:
            assert ingest_files(database, [path]).files[0].format_name == "openai_costs_api"
            lines_by_file[path.name] = _billing(database)

    assert (
        lines_by_file["costs_page.json.gz"] == lines_by_file["costs_buckets.json"] == lines_by_file["costs_page.json"]
    )
    sol = lines_by_file["costs_buckets.json"][_day(1), "priority | gpt-5.6-sol-2026-07-13, output, long context"]
    assert sol["billed_cost"] == Decimal("98765.432109876543")


def test_decimal_numbers_inside_line_item_text_are_left_alone(store: Database, tmp_path: Path) -> None:
    path = tmp_path / "costs.json"
    path.write_text(
        '{"object": "page", "data": [{"object": "bucket", "start_time": 1790812800, "end_time": 1790899200, '
        '"results": [{"object": "organization.costs.result", "amount": {"value": 2.5e3, "currency": "usd"}, '
        '"line_item": "Fine-tuning \\"job 1.5\\": 2.5e3, 0.1", "project_id": "proj_1.5", "api_key_id": null}]}], '
        '"has_more": false, "next_page": null}'
    )

    ingest_files(store, [path])

    assert store.fetchall("SELECT sku_description, project_id, billed_cost FROM billing") == [
        ('Fine-tuning "job 1.5": 2.5e3, 0.1', "proj_1.5", Decimal("2500"))
    ]


def test_malformed_costs_results_are_quarantined_with_their_messages(store: Database) -> None:
    result = ingest_files(store, [OPENAI / "costs_bad_results.json"]).files[0]

    assert _counts(result) == (8, 2, 6, 0, 0)
    # a value sent as a JSON string is read the same way
    assert store.fetchall("SELECT sku_description, billed_cost FROM billing ORDER BY billing_id") == [
        ("gpt-4o-2024-08-06, input", Decimal("0.1")),
        ("gpt-4o-2024-08-06, output", Decimal("0.25")),
    ]
    assert _quarantine(store) == [
        ("element 1, result 3", "amount.value", "'n/a' is not a decimal amount"),
        ("element 1, result 4", "amount.currency", "missing"),
        ("element 1, result 5", "amount", "missing"),
        ("element 1, result 6", "amount.currency", "'US dollars' is not an ISO 4217 currency code"),
        ("element 1, result 7", "results", "duplicate of result 1 in the same bucket"),
        ("element 2", "end_time", "'tomorrow' is not a time in Unix seconds"),
    ]


# ---- dashboard cost CSV


def test_cost_csv_lines_with_their_organization(store: Database) -> None:
    result = ingest_files(store, [OPENAI / "costs.csv"]).files[0]
    lines = _billing(store)

    assert _counts(result) == (12, 9, 2, 0, 1)
    assert result.skipped == (SkippedRows("bucket with no costs", 1),)
    assert lines[_day(1), "gpt-4o-2024-08-06, input"] == {
        "billing_account_id": "org-ACME",
        "sub_account_id": "proj_search",
        "billing_period_start": date(2026, 10, 1),
        "billing_period_end": date(2026, 11, 1),
        "charge_period_start": _day(1),
        "charge_period_end": _day(2),
        "charge_category": "Usage",
        "sku_description": "gpt-4o-2024-08-06, input",
        "model": "gpt-4o-2024-08-06",
        "model_raw": "gpt-4o-2024-08-06",
        "token_class": "input",
        "billed_cost": Decimal("0.1"),  # 0.1000000000000000
        "billing_currency": "USD",
        "is_ai": True,
        "project_id": "proj_search",
        "api_key_id": None,
        "tags": {"organization_name": "Acme"},
    }
    assert [
        (day, sku_description, line["charge_category"], line["token_class"], line["billed_cost"])
        for (day, sku_description), line in sorted(lines.items())
        if sku_description in ("web search tool calls", "Promotional credit", "Sales tax") or day == _day(31)
    ] == [
        (_day(1), "web search tool calls", "Usage", None, Decimal("0.895874")),  # 0.8958740000000000
        (_day(31), "Promotional credit", "Credit", None, Decimal("-5")),
        (_day(31), "Sales tax", "Tax", None, Decimal("0.75")),
        (_day(31), "gpt-4o-mini-2024-07-18, cached input", "Usage", "cache_read", Decimal("0.000012")),  # 1.2e-05
    ]
    # 0.1 + 0.1 + 0.09 + 0.0375 + 0.018 + 0.895874 - 5 + 0.75 + 0.000012
    assert store.scalar("SELECT sum(billed_cost) FROM billing") == Decimal("-3.008614")
    assert _quarantine(store) == [
        ("row 11", "amount_value", "'0.05 USD' is not a decimal amount"),
        ("row 12", "amount_currency", "missing"),
    ]


def test_cost_csv_replaces_the_costs_api_lines_of_its_day(store: Database) -> None:
    ingest_files(store, [OPENAI / "costs_page.json"])
    newer = ingest_files(store, [OPENAI / "costs_restated.csv"]).files[0]

    # removed: the 11 lines of 2026-10-01: 0.1 + 0.1 + 0.09 + 0.0375 + 0.018 + 98765.432109876543 + 0.000012 + 0.16
    # + 0.025 + 0.006 + 0.002 = 98765.970621876543; added: 0.11 + 0.09
    assert newer.replacements == (
        Replacement(
            "billing", "openai", _day(1), _day(2), 11, 2, "USD", Decimal("98765.970621876543"), Decimal("0.20")
        ),
    )
    assert store.fetchall(
        "SELECT charge_period_start, count(*), sum(billed_cost) FROM billing GROUP BY ALL ORDER BY ALL"
    ) == [
        (_day(1), 2, Decimal("0.2")),
        (_day(31), 3, Decimal("-4.165")),
        (_day(1, 11), 1, Decimal("0.00000035")),
    ]


def test_cost_csv_and_costs_api_lines_of_one_day_share_a_key(store: Database) -> None:
    api, csv = ingest_files(store, [OPENAI / "costs_page.json", OPENAI / "costs.csv"]).files

    assert _counts(api) == (16, 15, 0, 0, 1)
    # the CSV's lines of 2026-10-01 and its credit and tax of 2026-10-31 are the API's lines (the API came first)
    assert _counts(csv) == (12, 1, 2, 8, 1)
    assert store.fetchall("SELECT format, feed, target, container FROM sources ORDER BY source_id") == [
        ("openai_costs_api", "openai_costs", "billing", "json"),
        ("openai_costs_csv", "openai_costs", "billing", "csv"),
    ]


# ---- command line


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "error_body.json",
            "the file holds an API error response, not data: Incorrect API key provided: sk-admin-****. You can find "
            "your API key at https://platform.openai.com/account/api-keys..",
        ),
        (
            "wrong_shape.json",
            "unknown format: a JSON file whose first record has archived_at, created_at, id, name, object, status.",
        ),
        (
            "usage_page_truncated.json.gz",
            "cannot read the file: Compressed file ended before the end-of-stream marker was reached.",
        ),
        (
            "usage_missing_columns.csv",
            "unknown format: a CSV file whose first record has end_time, end_time_iso, input_tokens, model, "
            "project_id, start_time, start_time_iso.",
        ),
    ],
)
def test_unreadable_file_is_a_clear_error(case: str, message: str, cli: Callable, workspace: Workspace) -> None:
    result = cli("-w", workspace.root, "ingest", OPENAI / case)

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {OPENAI / case}: {message}\n")
    assert "Traceback" not in result.output


def test_missing_columns_with_kind_are_quarantined(store: Database) -> None:
    result = ingest_files(store, [OPENAI / "usage_missing_columns.csv"], kind="openai_usage_csv").files[0]

    assert _counts(result) == (1, 0, 1, 0, 0)
    assert _quarantine(store) == [("row 1", "num_model_requests", "missing")]


def test_page_with_only_empty_buckets_needs_kind(cli: Callable, workspace: Workspace) -> None:
    """Empty buckets do not say whether the page is usage or costs, so detection claims neither."""
    path = OPENAI / "all_empty_page.json"

    detected = cli("-w", workspace.root, "ingest", path)
    forced = cli("-w", workspace.root, "ingest", "--kind", "openai_usage_api", path)

    assert detected.exit_code == 1
    assert detected.stderr.startswith(
        f"Error: {path}: unknown format: a JSON file whose first record has end_time, object, results, start_time.\n"
    )
    assert forced.exit_code == 0
    assert forced.stdout == (
        f"{path}: openai_usage_api: 2 read, 0 loaded, 0 quarantined, 0 duplicate, 2 skipped\n"
        "  skipped 2: bucket with no usage\n"
    )


def test_cli_ingest_then_query_per_model(cli: Callable, workspace: Workspace, tmp_path: Path) -> None:
    usage, costs = OPENAI / "usage_completions_page.json", OPENAI / "costs.csv"
    ingested = cli("-w", workspace.root, "ingest", usage, costs)
    queried = cli(
        "-w",
        workspace.root,
        "query",
        "SELECT model, sum(estimated_cost) AS estimated FROM usage_priced WHERE origin = 'provider' AND priced "
        "GROUP BY model ORDER BY model",
        "--format",
        "json",
    )

    assert ingested.exit_code == 0
    assert ingested.stdout.startswith(
        f"{usage}: openai_usage_api: 13 read, 8 loaded, 2 quarantined, 0 duplicate, 3 skipped\n"
    )
    assert f"{costs}: openai_costs_csv: 12 read, 9 loaded, 2 quarantined, 0 duplicate, 1 skipped\n" in ingested.stdout
    assert queried.exit_code == 0
    # the amounts of test_usage_is_priced_per_model_and_unmapped_models_stay_loaded_unpriced
    assert json.loads(queried.stdout) == [
        {"model": "gpt-4o", "estimated": "0.392000000000"},
        {"model": "gpt-4o-mini", "estimated": "0.055500000000"},
        {"model": "gpt-5.6-luna", "estimated": "0.034250000000"},
        {"model": "gpt-realtime", "estimated": "0.268800000000"},
        {"model": "text-embedding-3-small", "estimated": "0.005000000000"},
    ]


def test_same_file_twice_changes_nothing(store: Database, tmp_path: Path) -> None:
    ingest_files(store, [OPENAI / "costs_page.json"])
    again = ingest_files(store, [OPENAI / "costs_page.json"]).files[0]
    copy = tmp_path / "costs_copy.json"
    shutil.copy(OPENAI / "costs_page.json", copy)
    copy.write_text(copy.read_text() + "\n")
    renamed = ingest_files(store, [copy]).files[0]

    assert again.outcome == "already ingested"
    # a later run with the same export replaces its period with the same lines
    assert (renamed.rows_loaded, len(renamed.replacements)) == (15, 1)
    assert store.scalar("SELECT count(*) FROM billing") == 15
