"""LiteLLM beyond spend logs: the daily aggregate tables (bucket grain), LiteLLM_ErrorLogs (failed requests with no
usage) and spend logs exported by older LiteLLM versions. Field by field, one malformed file per message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.config import load_config
from llmfinops.db.connection import Database
from llmfinops.ingest.base import USAGE_COLUMNS
from llmfinops.ingest.containers import sample_file
from llmfinops.ingest.load import ingest_files
from llmfinops.ingest.registry import detect_format
from llmfinops.periods import parse_month
from llmfinops.reports.build import build_showback
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.conftest import CASES

DAILY = CASES / "litellm_daily"
ERRORS = CASES / "litellm_errors"
KEY_A = "5f0c1e9a3b7d44e1a0c2b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8"

LITELLM_TABLE_QUARANTINE_CASES: dict[str, tuple[str, str | None, str]] = {
    "litellm_daily/missing_id.csv": ("row 2", "id", "missing; every daily spend row has one"),
    "litellm_daily/missing_date.csv": ("row 2", "date", "missing"),
    "litellm_daily/bad_date.csv": ("row 2", "date", "'02/10/2026' is not a YYYY-MM-DD date"),
    "litellm_daily/bad_prompt_tokens.csv": ("row 2", "prompt_tokens", "'2.8k' is not an integer"),
    "litellm_daily/bad_completion_tokens.csv": ("row 2", "completion_tokens", "'n/a' is not an integer"),
    "litellm_daily/bad_cache_read_tokens.csv": ("row 2", "cache_read_input_tokens", "'1e3' is not an integer"),
    "litellm_daily/bad_cache_creation_tokens.csv": ("row 2", "cache_creation_input_tokens", "'x' is not an integer"),
    "litellm_daily/bad_api_requests.csv": ("row 2", "api_requests", "'two' is not an integer"),
    "litellm_daily/bad_successful_requests.csv": ("row 2", "successful_requests", "'1.0' is not an integer"),
    "litellm_daily/bad_failed_requests.csv": ("row 2", "failed_requests", "'-' is not an integer"),
    "litellm_daily/negative_completion_tokens.csv": ("row 2", "completion_tokens", "cannot be negative"),
    "litellm_daily/bad_spend.csv": ("row 2", "spend", "'$0.01' is not a number"),
    "litellm_daily/missing_model.csv": ("row 2", "model", "missing (and no model_group)"),
    "litellm_errors/missing_request_id.csv": ("row 2", "request_id", "missing; every error log row has one"),
    "litellm_errors/missing_start_time.csv": ("row 2", "startTime", "missing"),
    "litellm_errors/bad_start_time.csv": ("row 2", "startTime", "'last tuesday' is not a timestamp"),
    "litellm_errors/missing_model.csv": ("row 2", "litellm_model_name", "missing (and no model_group)"),
}
LITELLM_TABLE_WELL_FORMED: frozenset[str] = frozenset(
    {
        "litellm/spend_logs_before_session_id.csv",
        "litellm_daily/daily_team_spend.csv",
        "litellm_daily/daily_tag_spend.csv",
        "litellm_daily/daily_user_spend.json",
        "litellm_daily/daily_user_spend_first_version.csv",
        "litellm_daily/daily_organization_spend.csv",
        "litellm_daily/daily_end_user_spend.csv",
        "litellm_daily/daily_agent_spend.csv",
        "litellm_errors/error_logs_copy.csv",
        "litellm_errors/error_logs.json",
    }
)


def _rows(database: Database, where: str = "true") -> list[dict[str, object]]:
    columns = ", ".join(USAGE_COLUMNS)
    return [
        dict(zip(USAGE_COLUMNS, row, strict=True))
        for row in database.fetchall(f"SELECT {columns} FROM usage WHERE {where} ORDER BY source_id, source_row")
    ]


@pytest.mark.parametrize("case", sorted(LITELLM_TABLE_QUARANTINE_CASES))
def test_malformed_row_is_quarantined_with_its_message(case: str, make_workspace: Callable[..., Workspace]) -> None:
    with open_store(make_workspace()) as database:
        result = ingest_files(database, [CASES / case]).files[0]
        quarantined = database.fetchall("SELECT location, field, reason FROM quarantine ORDER BY record_number")

    assert quarantined == [LITELLM_TABLE_QUARANTINE_CASES[case]]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)


@pytest.mark.parametrize(
    ("file_name", "format_name"),
    [
        ("daily_team_spend.csv", "litellm_daily_team_spend"),
        ("daily_tag_spend.csv", "litellm_daily_tag_spend"),
        ("daily_user_spend.json", "litellm_daily_user_spend"),
        ("daily_user_spend_first_version.csv", "litellm_daily_user_spend"),
        ("daily_organization_spend.csv", "litellm_daily_organization_spend"),
        ("daily_end_user_spend.csv", "litellm_daily_end_user_spend"),
        ("daily_agent_spend.csv", "litellm_daily_agent_spend"),
    ],
)
def test_each_daily_table_is_recognised_by_its_entity_column(file_name: str, format_name: str) -> None:
    assert detect_format(sample_file(DAILY / file_name)).name == format_name


def test_error_logs_are_recognised_in_csv_and_json() -> None:
    assert detect_format(sample_file(ERRORS / "error_logs_copy.csv")).name == "litellm_error_logs"
    assert detect_format(sample_file(ERRORS / "error_logs.json")).name == "litellm_error_logs"


def test_daily_team_rows_are_buckets_with_uncached_input(store: Database) -> None:
    result = ingest_files(store, [DAILY / "daily_team_spend.csv"]).files[0]

    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 5, 0)
    first, mixed, embedding, failed, old_anthropic = _rows(store)
    assert first == {
        "natural_key": "litellm-daily-team:7b1c2d3e-0000-4000-8000-000000000001",
        "request_id": None,
        "grain": "bucket",
        "origin": "gateway",
        "ts": datetime(2026, 10, 2, 0, 0),
        "provider": "openai",
        "model": "gpt-4.1-2025-04-14",
        "model_raw": "gpt-4.1-2025-04-14",
        "operation": "chat",
        "service_tier": "standard",
        "input_tokens": 752,  # prompt_tokens 2800 includes the 2048 cache reads
        "cache_read_tokens": 2048,
        "cache_write_tokens": 0,
        "output_tokens": 660,
        "reasoning_tokens": 0,
        "cache_write_1h_tokens": 0,
        "input_audio_tokens": 0,
        "output_audio_tokens": 0,
        "image_count": 0,
        "web_search_count": 0,
        "request_count": 2,
        "status": "success",
        "api_key_id": KEY_A,
        "api_key_alias": None,
        "project_id": None,
        "workspace_id": None,
        "user_id": None,
        "end_user": None,
        "team_id": "team-search",
        "team_alias": None,
        "feature": None,
        "environment": None,
        "tags": None,
        "reported_cost": Decimal("0.008250000000"),
        "token_convention": "litellm daily: prompt_tokens includes cache reads and writes",
    }
    # 52000 prompt tokens include 40000 cache reads and 6000 cache writes; 13 of 14 requests succeeded
    assert (mixed["input_tokens"], mixed["cache_read_tokens"], mixed["cache_write_tokens"]) == (6000, 40000, 6000)
    assert (mixed["provider"], mixed["request_count"], mixed["status"]) == ("anthropic", 14, "mixed")
    assert (embedding["operation"], embedding["ts"].isoformat()) == ("embedding", "2026-10-03T00:00:00")
    assert (failed["status"], failed["team_id"], failed["reported_cost"]) == ("failure", None, Decimal(0))
    # written while prompt_tokens excluded cached tokens: 12 < 24950 cache reads, so nothing is subtracted
    assert (old_anthropic["input_tokens"], old_anthropic["cache_read_tokens"]) == (12, 24950)
    assert (
        old_anthropic["token_convention"]
        == "litellm daily: prompt_tokens excludes cached tokens (anthropic convention)"
    )


def test_daily_tag_rows_are_kept_apart_from_every_total(store: Database) -> None:
    ingest_files(store, [DAILY / "daily_tag_spend.csv"])

    rows = _rows(store)
    assert [row["natural_key"] for row in rows] == [
        "litellm-daily-tag:7b1c2d3e-0000-4000-8000-000000000001",
        "litellm-daily-tag:7b1c2d3e-0000-4000-8000-000000000002",
        "litellm-daily-tag:7b1c2d3e-0000-4000-8000-000000000003",
    ]
    assert [row["tags"] for row in rows] == [{"feature": "search"}, {"env": "prod"}, {"batch": None}]
    assert [(row["feature"], row["environment"]) for row in rows] == [("search", None), (None, "prod"), (None, None)]
    assert {row["grain"] for row in rows} == {"bucket"}
    # the flag reports use to exclude them: the source's format (and the natural key family)
    assert store.fetchall("SELECT DISTINCT format FROM sources") == [("litellm_daily_tag_spend",)]


def test_daily_entity_columns_map_to_their_usage_columns(make_workspace: Callable[..., Workspace]) -> None:
    with open_store(make_workspace()) as database:
        for name in ("daily_user_spend.json", "daily_organization_spend.csv", "daily_end_user_spend.csv"):
            ingest_files(database, [DAILY / name])
        ingest_files(database, [DAILY / "daily_agent_spend.csv"])
        rows = _rows(database)

    assert [(row["natural_key"].split(":")[0], row["user_id"], row["end_user"], row["tags"]) for row in rows] == [
        ("litellm-daily-user", "alice@corp.example", None, None),
        ("litellm-daily-user", "bob@corp.example", None, None),
        ("litellm-daily-organization", None, None, {"organization_id": "org-eng"}),
        ("litellm-daily-end-user", None, "cust_812", None),
        ("litellm-daily-agent", None, None, {"agent_id": "agent-triage"}),
    ]
    assert rows[0]["reported_cost"] == Decimal("0.008250000000")  # a JSON float read through its decimal text


def test_first_daily_table_version_without_cache_and_request_columns(store: Database) -> None:
    result = ingest_files(store, [DAILY / "daily_user_spend_first_version.csv"]).files[0]

    assert (result.rows_loaded, result.rows_quarantined) == (1, 0)
    (row,) = _rows(store)
    # no cache columns: prompt_tokens is all uncached input; no api_requests: the request count is unknown (0)
    assert (row["input_tokens"], row["cache_read_tokens"], row["output_tokens"]) == (1400, 0, 330)
    assert (row["request_count"], row["operation"], row["status"]) == (0, "unknown", "success")


def test_error_logs_are_failed_requests_without_usage(store: Database) -> None:
    result = ingest_files(store, [ERRORS / "error_logs_copy.csv"]).files[0]

    assert (result.rows_read, result.rows_loaded) == (4, 4)
    rows = _rows(store)
    assert rows[0] == {
        "natural_key": "litellm-error:3f6c1a2b-9d4e-4f00-8a1b-000000000001",
        "request_id": "3f6c1a2b-9d4e-4f00-8a1b-000000000001",
        "grain": "request",
        "origin": "gateway",
        "ts": datetime(2026, 10, 2, 10, 17),
        "provider": "openai",
        "model": "gpt-4.1-2025-04-14",
        "model_raw": "openai/gpt-4.1-2025-04-14",
        "operation": "unknown",
        "service_tier": "standard",
        "input_tokens": 0,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "output_tokens": 0,
        "reasoning_tokens": 0,
        "cache_write_1h_tokens": 0,
        "input_audio_tokens": 0,
        "output_audio_tokens": 0,
        "image_count": 0,
        "web_search_count": 0,
        "request_count": 1,
        "status": "failure",
        "api_key_id": None,
        "api_key_alias": None,
        "project_id": None,
        "workspace_id": None,
        "user_id": None,
        "end_user": None,
        "team_id": None,
        "team_alias": None,
        "feature": None,
        "environment": None,
        "tags": {"exception_type": "RateLimitError", "status_code": "429"},
        "reported_cost": Decimal(0),
        "token_convention": "litellm error log: no usage",
    }
    # provider: the model prefix, else a well-known api_base host, else unknown
    assert [(row["provider"], row["model"]) for row in rows] == [
        ("openai", "gpt-4.1-2025-04-14"),
        ("anthropic", "claude-sonnet-4-5-20250929"),
        ("unknown", "in-house-llm"),
        ("azure", "gpt-4o"),
    ]
    # zero tokens are priced at zero: a failure costs nothing
    assert store.fetchall(
        "SELECT DISTINCT estimated_cost FROM usage_costs JOIN usage USING (usage_id) WHERE priced"
    ) in ([(Decimal(0),)], [])


def test_error_log_json_reads_iso_times(store: Database) -> None:
    ingest_files(store, [ERRORS / "error_logs.json"])

    assert [row["ts"].isoformat() for row in _rows(store)] == ["2026-10-02T10:17:00", "2026-10-02T10:17:00"]


def test_error_log_prompt_text_is_never_stored(store: Database, tmp_path: Path) -> None:
    """request_kwargs holds the messages and exception_string can quote them: neither is read."""
    text = (ERRORS / "error_logs_copy.csv").read_text()
    assert text.count("SECRET-PROMPT") == 8
    bad = tmp_path / "errors.csv"
    bad.write_text(text.replace("2026-10-02 10:17:00.000", "not a time", 1))

    result = ingest_files(store, [bad]).files[0]

    assert (result.rows_loaded, result.rows_quarantined) == (3, 1)
    for table in ("usage", "quarantine"):
        dumped = str(store.fetchall(f"SELECT * FROM {table}"))
        assert "SECRET-PROMPT" not in dumped


def test_spend_logs_from_an_older_litellm_load(store: Database) -> None:
    """No session_id, status, agent_id, custom_llm_provider, organization_id, messages or response columns."""
    result = ingest_files(store, [CASES / "litellm" / "spend_logs_before_session_id.csv"]).files[0]

    assert (result.format_name, result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        "litellm_spend_logs",
        3,
        3,
        0,
    )
    rows = _rows(store)
    # the provider from a well-known api_base host, the status from metadata.status
    assert [(row["provider"], row["status"]) for row in rows] == [
        ("openai", "success"),
        ("anthropic", "success"),
        ("openai", "failure"),
    ]
    # cache counts from additional_usage_values (older rows have no usage_object)
    assert [(row["input_tokens"], row["cache_read_tokens"]) for row in rows[:2]] == [(376, 1024), (500, 2000)]


def test_daily_tables_are_loaded_but_never_added_to_totals(store: Database) -> None:
    """Every daily table rolls up the spend logs; adding them would count the same traffic twice (or more)."""
    ingest_files(store, [DAILY / "daily_team_spend.csv", DAILY / "daily_tag_spend.csv"])
    loaded = store.fetchall("SELECT DISTINCT rollup_of FROM usage_priced")
    months = store.fetchall("SELECT DISTINCT strftime(ts, '%Y-%m') FROM usage")

    assert loaded == [("litellm_spend_logs",)]
    assert store.scalar("SELECT count(*) FROM usage_for_totals") == 0
    config = load_config(Path(str(store.path)).parent / "finops.yaml")
    for (month,) in months:
        assert build_showback(store, config, parse_month(month)).total_requests == 0
