"""Prompt and completion text never reaches the database (acceptance criterion 11)."""

from __future__ import annotations

from pathlib import Path

from llmfinops.db.connection import Database
from llmfinops.ingest.load import ingest_files
from tests.builders import litellm_csv_text, litellm_row, write_litellm_csv

PROMPT = 'SECRET-PROMPT: summarise the Q3 board minutes, then\nlist every layoff by name, "verbatim"'
ANSWER = "SECRET-ANSWER: the minutes say"


def _text_columns(database: Database, table: str) -> list[str]:
    rows = database.fetchall(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    )
    return [name for name, data_type in rows if data_type == "VARCHAR" or data_type.startswith("MAP")]


def _cells_containing(database: Database, needle: str) -> list[tuple[str, str]]:
    found = []
    for table in ("usage", "quarantine"):
        for column in _text_columns(database, table):
            hits = database.scalar(
                f'SELECT count(*) FROM {table} WHERE contains(CAST("{column}" AS VARCHAR), ?)', [needle]
            )
            if hits:
                found.append((table, column))
    return found


def test_messages_and_response_text_is_never_stored(store: Database, tmp_path: Path) -> None:
    private = {
        "messages": [{"role": "user", "content": PROMPT}],
        "response": {"choices": [{"message": {"content": ANSWER}}]},
        "proxy_server_request": {"messages": [{"role": "user", "content": PROMPT}]},
    }
    rows = [
        litellm_row(1, **private),
        litellm_row(2, prompt_tokens="twelve", **private),  # quarantined by the SQL checks
        litellm_row(3, **private),  # made unreadable below (an extra field)
        litellm_row(4, **private),
    ]
    lines = litellm_csv_text(rows).split("\n")
    row_3 = next(index for index, line in enumerate(lines) if line.startswith("chatcmpl-000003"))
    lines[row_3] += ',"' + PROMPT.replace('"', '""') + '"'
    path = tmp_path / "spendlogs_with_prompts.csv"
    path.write_text("\n".join(lines))
    assert path.read_text().count("SECRET-PROMPT") == 9

    result = ingest_files(store, [path]).files[0]

    assert (result.rows_loaded, result.rows_quarantined) == (2, 2)
    assert store.fetchall("SELECT location FROM quarantine ORDER BY record_number") == [("row 2",), ("row 3",)]
    assert "raw_record" in _text_columns(store, "quarantine")
    assert _cells_containing(store, "SECRET-PROMPT") == []
    assert _cells_containing(store, "SECRET-ANSWER") == []


def test_quarantined_json_row_keeps_no_prompt_text(store: Database, tmp_path: Path) -> None:
    from tests.builders import write_litellm_json

    write_litellm_json(
        tmp_path / "api.json",
        [litellm_row(1, startTime="soon", messages=[{"role": "user", "content": PROMPT}], response={"text": ANSWER})],
    )

    assert ingest_files(store, [tmp_path / "api.json"]).files[0].rows_quarantined == 1
    assert store.scalar("SELECT raw_record FROM quarantine") is not None
    assert _cells_containing(store, "SECRET-") == []


def test_prompt_inside_metadata_is_not_copied_to_quarantine(store: Database, tmp_path: Path) -> None:
    metadata = {**litellm_row()["metadata"], "proxy_server_request": {"messages": [{"content": PROMPT}]}}
    write_litellm_csv(tmp_path / "meta.csv", [litellm_row(1, metadata=metadata, prompt_tokens="x")])

    assert ingest_files(store, [tmp_path / "meta.csv"]).files[0].rows_quarantined == 1

    # metadata.proxy_server_request can hold the proxied request; the quarantined row keeps only safe keys.
    assert _cells_containing(store, "SECRET-PROMPT") == []
    assert "user_api_key_alias" in store.scalar("SELECT raw_record FROM quarantine")
