"""Containers and detection: gzip, JSON arrays and the `{"data": [...]}` wrapper, JSON Lines, broken CSV lines,
unknown formats and --kind (acceptance criterion 10)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

from llmfinops.db.connection import Database
from llmfinops.ingest.load import ingest_files
from llmfinops.ingest.registry import FORMATS
from llmfinops.workspace import Workspace
from tests.builders import LITELLM_COLUMNS, litellm_csv_text, litellm_row, write_litellm_csv
from tests.conftest import CASES

LITELLM = CASES / "litellm"
CANONICAL = CASES / "canonical"


def _usage_rows(database: Database) -> list[tuple]:
    return database.fetchall("SELECT * EXCLUDE (usage_id, source_id) FROM usage ORDER BY request_id")


def test_gzip_is_read_transparently_whatever_the_name(store: Database, tmp_path: Path) -> None:
    plain = (LITELLM / "spend_logs_copy.csv").read_bytes()
    (tmp_path / "spendlogs.csv.gz").write_bytes(gzip.compress(plain, mtime=0))
    (tmp_path / "spendlogs_export.csv").write_bytes(gzip.compress(plain + b"", mtime=1))

    results = ingest_files(store, [tmp_path / "spendlogs.csv.gz"]).files
    named_gz_rows = _usage_rows(store)
    store.execute("DELETE FROM usage")
    results += ingest_files(store, [tmp_path / "spendlogs_export.csv"]).files

    assert [(result.format_name, result.rows_read, result.rows_loaded) for result in results] == [
        ("litellm_spend_logs", 3, 3),
        ("litellm_spend_logs", 3, 3),
    ]
    assert _usage_rows(store) == named_gz_rows
    assert store.fetchall("SELECT DISTINCT container FROM sources") == [("csv",)]


def test_api_json_ui_wrapper_and_copy_csv_give_the_same_usage(make_workspace: Callable[..., Workspace]) -> None:
    from llmfinops.store import open_store

    usage_by_file = {}
    for name in ("spend_logs_api.json", "spend_logs_ui.json", "spend_logs_copy.csv"):
        with open_store(make_workspace()) as database:
            result = ingest_files(database, [LITELLM / name]).files[0]
            assert (result.rows_read, result.rows_loaded) == (3, 3)
            usage_by_file[name] = _usage_rows(database)
            container = database.scalar("SELECT container FROM sources")
            assert container == ("csv" if name.endswith(".csv") else "json")

    assert usage_by_file["spend_logs_ui.json"] == usage_by_file["spend_logs_api.json"]
    assert usage_by_file["spend_logs_copy.csv"] == usage_by_file["spend_logs_api.json"]


def test_jsonl_blank_line_is_skipped_and_invalid_line_quarantined(store: Database) -> None:
    result = ingest_files(store, [CANONICAL / "blank_and_invalid_lines.jsonl"]).files[0]

    # Line 2 is blank (not a record), line 3 is broken JSON, lines 1 and 4 load.
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    assert store.fetchall("SELECT location, field, reason FROM quarantine") == [("line 3", None, "not valid JSON")]
    assert store.fetchall("SELECT source_row, request_id FROM usage ORDER BY source_row") == [
        (1, "req-000001"),
        (4, "req-000004"),
    ]


def test_csv_row_with_an_extra_field_is_quarantined_as_unreadable(store: Database) -> None:
    result = ingest_files(store, [LITELLM / "extra_field.csv"]).files[0]

    assert store.fetchall("SELECT record_number, location, field, reason FROM quarantine") == [
        (2, "row 2", None, "unreadable record: Expected Number of Columns: 32 Found: 33")
    ]
    assert store.fetchall("SELECT source_row, request_id FROM usage ORDER BY source_row") == [
        (1, "chatcmpl-000001"),
        (3, "chatcmpl-000003"),
    ]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)


def test_unknown_format_names_the_file_and_the_fields_seen(cli: Callable, workspace: Workspace) -> None:
    path = LITELLM / "unknown_format.csv"

    result = cli("-w", workspace.root, "ingest", path)

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: unknown format: a CSV file whose first record has api_key, date, id, model, spend, team_id.\n"
        # the list grows with every format added, so it is built from the registry
        f"Pass --kind with one of: {', '.join(known.name for known in FORMATS)}; or convert it to the canonical "
        "request format (docs/formats.md).\n"
    )


def test_empty_and_truncated_files_are_input_errors(cli: Callable, workspace: Workspace) -> None:
    empty = cli("-w", workspace.root, "ingest", LITELLM / "empty.csv")
    truncated = cli("-w", workspace.root, "ingest", LITELLM / "truncated.json")

    assert (empty.exit_code, truncated.exit_code) == (1, 1)
    assert empty.stderr == f"Error: {LITELLM / 'empty.csv'}: the file is empty.\n"
    assert truncated.stderr.startswith(
        f"Error: {LITELLM / 'truncated.json'}: line 1: not valid JSON at the start of the file"
    )


def test_missing_file_is_an_input_error(cli: Callable, workspace: Workspace, tmp_path: Path) -> None:
    result = cli("-w", workspace.root, "ingest", tmp_path / "nope.csv")

    assert result.exit_code == 1
    assert f"{tmp_path / 'nope.csv'}: file not found." in result.stderr


def test_kind_forces_a_format_detection_would_not_pick(cli: Callable, workspace: Workspace, tmp_path: Path) -> None:
    """An older LiteLLM table without call_type is not recognised, but --kind reads it."""
    columns = tuple(column for column in LITELLM_COLUMNS if column != "call_type")
    path = tmp_path / "old_spendlogs.csv"
    path.write_text(litellm_csv_text([litellm_row(1), litellm_row(2)], columns))

    detected = cli("-w", workspace.root, "ingest", path)
    forced = cli("-w", workspace.root, "ingest", "--kind", "litellm_spend_logs", path)

    assert detected.exit_code == 1
    assert "unknown format" in detected.stderr
    assert forced.exit_code == 0
    assert forced.stdout == f"{path}: litellm_spend_logs: 2 read, 2 loaded, 0 quarantined, 0 duplicate\n"


def test_unknown_kind_is_a_usage_error(cli: Callable, workspace: Workspace) -> None:
    result = cli("-w", workspace.root, "ingest", "--kind", "nonsense", LITELLM / "spend_logs_api.json")

    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --kind nonsense: unknown format.\n"
        f"Use one of: {', '.join(known.name for known in FORMATS)}; or mapped:PATH for your own mapping file.\n"
    )


def test_folder_is_expanded_sorted_and_hidden_files_skipped(store: Database, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    write_litellm_csv(folder / "b.csv", [litellm_row(2)])
    write_litellm_csv(folder / "sub" / "a.csv", [litellm_row(1)])
    (folder / ".hidden.csv").write_text("not,an,export\n")

    report = ingest_files(store, [folder])

    assert [result.path.name for result in report.files] == ["b.csv", "a.csv"]
    assert store.scalar("SELECT count(*) FROM usage") == 2


def test_json_records_are_found_under_data(store: Database, tmp_path: Path) -> None:
    body = json.loads((LITELLM / "spend_logs_ui.json").read_text())

    assert set(body) == {"data", "total", "page", "page_size", "total_pages"}
    assert ingest_files(store, [LITELLM / "spend_logs_ui.json"]).files[0].rows_loaded == len(body["data"])
