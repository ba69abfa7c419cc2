"""One malformed file per quarantine message: each case file has good rows and one bad row, and the bad row is
quarantined with exactly this location, field and reason while the good rows load."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from llmfinops.ingest.load import ingest_files
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.conftest import CASES
from tests.ingest.test_gateways import GATEWAY_QUARANTINE_CASES, GATEWAY_WELL_FORMED
from tests.ingest.test_langfuse import LANGFUSE_CASE_FILES
from tests.ingest.test_litellm_tables import LITELLM_TABLE_QUARANTINE_CASES, LITELLM_TABLE_WELL_FORMED
from tests.ingest.test_mapped import MAPPED_QUARANTINE_CASES, MAPPED_WELL_FORMED
from tests.ingest.test_otel_genai import OTEL_CASE_FILES

QUARANTINE_CASES: dict[str, tuple[str, str | None, str]] = {
    "litellm/bad_prompt_tokens.csv": ("row 2", "prompt_tokens", "'12x' is not an integer"),
    "litellm/bad_completion_tokens.csv": ("row 2", "completion_tokens", "'n/a' is not an integer"),
    "litellm/bad_start_time.csv": ("row 2", "startTime", "'yesterday' is not a timestamp"),
    "litellm/missing_start_time.csv": ("row 2", "startTime", "missing"),
    "litellm/missing_request_id.csv": ("row 2", "request_id", "missing; every spend log row has one"),
    "litellm/bad_spend.csv": ("row 2", "spend", "'abc' is not a number"),
    "litellm/bad_metadata.csv": ("row 2", "metadata", "not a JSON object"),
    "litellm/bad_request_tags.csv": ("row 2", "request_tags", "not a JSON array"),
    "litellm/negative_prompt_tokens.csv": ("row 2", "prompt_tokens", "cannot be negative"),
    "litellm/negative_completion_tokens.csv": ("row 2", "completion_tokens", "cannot be negative"),
    "litellm/missing_model.csv": ("row 2", "model", "missing (and no model_group)"),
    "litellm/duplicate_request_id.csv": ("row 2", "request_id", "duplicate of row 1 in the same file"),
    "litellm/extra_field.csv": ("row 2", None, "unreadable record: Expected Number of Columns: 32 Found: 33"),
    "litellm/not_an_object.json": ("element 2", None, "not a JSON object"),
    "litellm/fractional_completion_tokens.csv": ("row 2", "completion_tokens", "'3.5' is not an integer"),
    "litellm/negative_cache_read_tokens.csv": (
        "row 2",
        "metadata",
        "a cache or reasoning token count in usage_object is not a whole non-negative number",
    ),
    "canonical/missing_request_id.jsonl": ("line 2", "request_id", "missing"),
    "canonical/bad_ts.jsonl": ("line 2", "ts", "'05/10/2026 12:00' is not an ISO-8601 timestamp"),
    "canonical/missing_provider.jsonl": ("line 2", "provider", "missing"),
    "canonical/missing_model.jsonl": ("line 2", "model", "missing"),
    "canonical/bad_input_tokens.jsonl": ("line 2", "input_tokens", "'many' is not a count"),
    "canonical/negative_output_tokens.jsonl": ("line 2", "output_tokens", "'-1' is not a count"),
    "canonical/reasoning_over_output.jsonl": (
        "line 2",
        "reasoning_tokens",
        "larger than output_tokens, which include reasoning",
    ),
    "canonical/bad_request_count.jsonl": ("line 2", "request_count", "'0' is not a positive count"),
    "canonical/bad_service_tier.jsonl": (
        "line 2",
        "service_tier",
        "'economy' is not one of standard, batch, flex, priority",
    ),
    "canonical/bad_reported_cost.jsonl": ("line 2", "reported_cost", "'$4.50' is not a decimal amount"),
    "canonical/bad_tags.jsonl": ("line 2", "tags", "not a JSON object"),
    "canonical/blank_and_invalid_lines.jsonl": ("line 3", None, "not valid JSON"),
}


def _ingest_case(workspace: Workspace, case: str) -> tuple[object, list[tuple[str, str | None, str]], int]:
    with open_store(workspace) as database:
        result = ingest_files(database, [CASES / case]).files[0]
        quarantined = database.fetchall("SELECT location, field, reason FROM quarantine ORDER BY record_number")
        loaded = int(database.scalar("SELECT count(*) FROM usage"))
    return result, quarantined, loaded


@pytest.mark.parametrize("case", sorted(QUARANTINE_CASES))
def test_malformed_row_is_quarantined_with_its_message(case: str, make_workspace: Callable[..., Workspace]) -> None:
    result, quarantined, loaded = _ingest_case(make_workspace(), case)

    assert quarantined == [QUARANTINE_CASES[case]]
    assert result.rows_quarantined == 1
    assert loaded == result.rows_loaded == result.rows_read - 1
    assert result.rows_duplicate == 0


def test_every_case_file_is_covered() -> None:
    """A new case file must come with its expected message (one malformed file per message)."""
    whole_file_errors = {
        "litellm/empty.csv",
        "litellm/truncated.json",
        "litellm/unknown_format.csv",
    }
    well_formed = {
        "litellm/spend_logs_api.json",
        "litellm/spend_logs_ui.json",
        "litellm/spend_logs_copy.csv",
        "litellm/three_bad_rows.csv",
        "litellm/token_conventions.csv",
        "canonical/batch.jsonl",
    }
    # the gateway formats' case folders; provider exports and billed lines are covered by their own test modules
    gateway_folders = {case.split("/")[0] for case in set(QUARANTINE_CASES) | whole_file_errors | well_formed} | {
        "openrouter",
        "helicone",
        "portkey",
        "litellm_daily",
        "litellm_errors",
        "mapped",
        "otel_genai",
        "langfuse",
    }
    on_disk = {
        str(path.relative_to(CASES))
        for path in CASES.glob("*/*")
        if path.is_file() and path.parent.name in gateway_folders
    }
    assert (
        on_disk
        == set(QUARANTINE_CASES)
        | whole_file_errors
        | well_formed
        | set(GATEWAY_QUARANTINE_CASES)
        | (GATEWAY_WELL_FORMED)
        | set(LITELLM_TABLE_QUARANTINE_CASES)
        | LITELLM_TABLE_WELL_FORMED
        | set(MAPPED_QUARANTINE_CASES)
        | (MAPPED_WELL_FORMED)
        | OTEL_CASE_FILES
        | LANGFUSE_CASE_FILES
    )
