"""Loading: idempotent re-ingest, quarantine with row numbers, the counting rule, --strict, and all-or-nothing
transactions (acceptance criteria 1, 2 and 5)."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmfinops.db.connection import Database
from llmfinops.errors import InputError
from llmfinops.ingest.load import ingest_files
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.builders import canonical_row, litellm_csv_text, litellm_row, write_canonical_jsonl, write_litellm_csv
from tests.conftest import CASES, DEFAULT_CONFIG, dump_database, table_counts

THREE_BAD_ROWS = CASES / "litellm" / "three_bad_rows.csv"


def _check_counting_rule(database: Database) -> None:
    """rows_read = rows_loaded + rows_quarantined + rows_duplicate, and each count matches the tables."""
    for source_id, read, loaded, quarantined, duplicate in database.fetchall(
        "SELECT source_id, rows_read, rows_loaded, rows_quarantined, rows_duplicate FROM sources"
    ):
        assert read == loaded + quarantined + duplicate
        assert loaded == database.scalar("SELECT count(*) FROM usage WHERE source_id = ?", [source_id])
        assert quarantined == database.scalar("SELECT count(*) FROM quarantine WHERE source_id = ?", [source_id])


# 1. Re-ingesting the same content is a no-op.


def test_same_file_twice_is_already_ingested_and_changes_nothing(store: Database, tmp_path: Path) -> None:
    first = ingest_files(store, [THREE_BAD_ROWS]).files[0]
    before = table_counts(store)

    second = ingest_files(store, [THREE_BAD_ROWS]).files[0]

    assert first.outcome == "loaded"
    assert second.outcome == "already ingested"
    assert second.source_id == first.source_id
    assert table_counts(store) == before == {"usage": 7, "quarantine": 3, "sources": 1}


def test_same_content_under_another_name_is_already_ingested(store: Database, tmp_path: Path) -> None:
    copy = tmp_path / "renamed_export.csv"
    shutil.copy(THREE_BAD_ROWS, copy)
    ingest_files(store, [THREE_BAD_ROWS])
    before = table_counts(store)

    assert ingest_files(store, [copy]).files[0].outcome == "already ingested"
    assert table_counts(store) == before


def test_same_file_twice_through_the_cli(cli: Callable, workspace: Workspace) -> None:
    first = cli("-w", workspace.root, "ingest", THREE_BAD_ROWS)
    before = dump_database(workspace.database_path, ("usage", "quarantine", "sources"))

    second = cli("-w", workspace.root, "ingest", THREE_BAD_ROWS)

    assert first.exit_code == 0
    assert f"{THREE_BAD_ROWS}: litellm_spend_logs: 10 read, 7 loaded, 3 quarantined, 0 duplicate" in first.stdout
    assert second.exit_code == 0
    assert second.stdout == f"{THREE_BAD_ROWS}: already ingested (source 1); nothing changed.\n"
    assert dump_database(workspace.database_path, ("usage", "quarantine", "sources")) == before


# 2. Quarantine, row numbers and counts.


def test_three_malformed_rows_are_quarantined_with_reasons_and_row_numbers(store: Database) -> None:
    result = ingest_files(store, [THREE_BAD_ROWS]).files[0]

    assert store.fetchall("SELECT record_number, location, field, reason FROM quarantine ORDER BY record_number") == [
        (3, "row 3", "prompt_tokens", "'1,400' is not an integer"),
        (6, "row 6", "startTime", "'2026-10-32 25:00:00' is not a timestamp"),
        (9, "row 9", "request_id", "missing; every spend log row has one"),
    ]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_duplicate) == (10, 7, 3, 0)
    assert store.fetchall("SELECT source_row, request_id FROM usage ORDER BY source_row") == [
        (row, f"chatcmpl-{row:06d}") for row in (1, 2, 4, 5, 7, 8, 10)
    ]
    _check_counting_rule(store)


def test_overlapping_exports_count_duplicates(store: Database, tmp_path: Path) -> None:
    write_litellm_csv(tmp_path / "a.csv", [litellm_row(n) for n in (1, 2, 3)])
    write_litellm_csv(tmp_path / "b.csv", [litellm_row(n) for n in (3, 4)] + [litellm_row(4, spend=1.5)])

    ingest_files(store, [tmp_path / "a.csv"])
    second = ingest_files(store, [tmp_path / "b.csv"]).files[0]

    assert (second.rows_read, second.rows_loaded, second.rows_quarantined, second.rows_duplicate) == (3, 1, 1, 1)
    assert store.scalar("SELECT count(*) FROM usage WHERE request_id = 'chatcmpl-000003'") == 1
    _check_counting_rule(store)


def test_strict_exits_1_and_loads_nothing(cli: Callable, workspace: Workspace) -> None:
    cli("-w", workspace.root, "ingest", CASES / "litellm" / "spend_logs_api.json")
    before = dump_database(workspace.database_path)

    result = cli("-w", workspace.root, "ingest", "--strict", THREE_BAD_ROWS)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"Error: {THREE_BAD_ROWS}:row 3: prompt_tokens: '1,400' is not an integer "
        "(3 of 10 rows failed; --strict loads nothing from a file with a bad row)."
    )
    assert dump_database(workspace.database_path) == before


def test_dry_run_writes_nothing(cli: Callable, workspace: Workspace) -> None:
    cli("-w", workspace.root, "sources")
    before = dump_database(workspace.database_path)

    result = cli("-w", workspace.root, "ingest", "--dry-run", THREE_BAD_ROWS)

    assert result.exit_code == 0
    assert result.stdout.endswith("Dry run: nothing was written.\n")
    assert "10 read, 7 loaded, 3 quarantined, 0 duplicate" in result.stdout
    assert dump_database(workspace.database_path) == before


# The counting rule over generated files.

ROW_KINDS = ("good", "bad_prompt", "bad_start", "missing_id", "extra_field", "repeat_in_file", "in_earlier_file")
BASELINE_IDS = [f"base-{n}" for n in range(5)]


@pytest.fixture(scope="module")
def property_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Path]]:
    from llmfinops.workspace import create_workspace

    root = tmp_path_factory.mktemp("property")
    workspace = create_workspace(root / "ws", DEFAULT_CONFIG)
    database = open_store(workspace)
    baseline = write_litellm_csv(root / "baseline.csv", [litellm_row(request_id=rid) for rid in BASELINE_IDS])
    ingest_files(database, [baseline])
    yield database, root
    database.close()


_file_numbers = itertools.count(1)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(ROW_KINDS), min_size=1, max_size=25))
def test_counting_rule_holds_for_any_mix_of_rows(property_store: tuple[Database, Path], kinds: list[str]) -> None:
    database, root = property_store
    file_number = next(_file_numbers)
    rows, extra_field_rows = [], set()
    expected = {"loaded": 0, "quarantined": 0, "duplicate": 0}
    seen: list[str] = []
    for position, kind in enumerate(kinds, start=1):
        request_id = f"f{file_number}-r{position}"
        if kind == "repeat_in_file" and seen:
            request_id = seen[-1]
        elif kind == "in_earlier_file":
            request_id = BASELINE_IDS[position % len(BASELINE_IDS)]
        overrides = {
            "bad_prompt": {"prompt_tokens": "lots"},
            "bad_start": {"startTime": "not a time"},
            "missing_id": {"request_id": None},
        }.get(kind, {})
        rows.append(litellm_row(**{"request_id": request_id, **overrides}))
        if kind == "extra_field":
            extra_field_rows.add(position)
        if kind in ("bad_prompt", "bad_start", "missing_id", "extra_field") or request_id in seen:
            expected["quarantined"] += 1
            continue
        seen.append(request_id)
        expected["duplicate" if request_id in BASELINE_IDS else "loaded"] += 1
    lines = litellm_csv_text(rows).split("\n")
    for position in extra_field_rows:
        lines[position] += ",extra"
    path = root / f"generated_{file_number}.csv"
    path.write_text("\n".join(lines))

    result = ingest_files(database, [path]).files[0]

    assert result.rows_read == len(kinds)
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_duplicate
    assert {
        "loaded": result.rows_loaded,
        "quarantined": result.rows_quarantined,
        "duplicate": result.rows_duplicate,
    } == expected
    quarantined_rows = database.fetchall(
        "SELECT record_number FROM quarantine WHERE source_id = ? AND reason LIKE 'unreadable record%'",
        [result.source_id],
    )
    assert {row for (row,) in quarantined_rows} == extra_field_rows


# 5. All or nothing.


def test_strict_failure_after_1000_good_rows_leaves_the_database_as_before(
    cli: Callable, workspace: Workspace, tmp_path: Path
) -> None:
    cli("-w", workspace.root, "ingest", CASES / "litellm" / "spend_logs_api.json")
    before = dump_database(workspace.database_path)
    rows = [litellm_row(n) for n in range(1, 1001)] + [litellm_row(1001, startTime="31/10/2026")]
    good_first = write_litellm_csv(tmp_path / "good.csv", [litellm_row(n) for n in range(2001, 2004)])
    breaks_late = write_litellm_csv(tmp_path / "breaks_late.csv", rows)

    result = cli("-w", workspace.root, "ingest", "--strict", good_first, breaks_late)

    assert result.exit_code == 1
    assert f"{breaks_late}:row 1001: startTime: '31/10/2026' is not a timestamp" in result.stderr
    assert dump_database(workspace.database_path) == before


def test_unknown_second_file_rolls_back_the_first(cli: Callable, workspace: Workspace) -> None:
    cli("-w", workspace.root, "ingest", CASES / "canonical" / "batch.jsonl")
    before = dump_database(workspace.database_path)

    result = cli(
        "-w",
        workspace.root,
        "ingest",
        CASES / "litellm" / "three_bad_rows.csv",
        CASES / "litellm" / "unknown_format.csv",
    )

    assert result.exit_code == 1
    assert "unknown_format.csv: unknown format" in result.stderr
    assert dump_database(workspace.database_path) == before


def test_library_ingest_raises_and_rolls_back(store: Database, tmp_path: Path) -> None:
    write_canonical_jsonl(tmp_path / "ok.jsonl", [canonical_row(1)])
    before = {table: store.fetchall(f"SELECT * FROM {table}") for table in ("usage", "sources", "quarantine", "runs")}

    with pytest.raises(InputError, match="unknown format"):
        ingest_files(store, [tmp_path / "ok.jsonl", CASES / "litellm" / "unknown_format.csv"])

    assert {table: store.fetchall(f"SELECT * FROM {table}") for table in before} == before


def test_sources_say_when_timestamps_without_an_offset_were_read_as_utc(store: Database) -> None:
    # Postgres COPY writes timestamp(3) without a zone; the /spend/logs API writes ISO-8601 with Z.
    ingest_files(store, [CASES / "litellm" / "spend_logs_copy.csv", CASES / "litellm" / "spend_logs_api.json"])

    notes = dict(store.fetchall("SELECT regexp_extract(path, '[^/]+$'), notes FROM sources"))

    rows = store.scalar("SELECT rows_read FROM sources WHERE path LIKE '%spend_logs_copy.csv'")
    assert notes["spend_logs_copy.csv"] == f"{rows:,} startTime values had no UTC offset and were read as UTC"
    assert notes["spend_logs_api.json"] is None
