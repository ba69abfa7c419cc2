"""OpenRouter, Helicone and Portkey exports -> disjoint token counts, attribution and exact reported costs
(conventions in llmfinops/ingest/openrouter.py, helicone.py and portkey.py and their SQL files)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.db.connection import Database
from llmfinops.ingest.containers import sample_file
from llmfinops.ingest.load import ingest_files
from llmfinops.ingest.registry import detect_format
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.conftest import CASES
from tests.ingest.test_privacy import _cells_containing

#: One malformed file per quarantine message: a good first record and this bad second one.
GATEWAY_QUARANTINE_CASES: dict[str, tuple[str, str | None, str]] = {
    "openrouter/missing_id.jsonl": ("line 2", "id", "missing; every generation has a gen- id"),
    "openrouter/bad_created_at.jsonl": ("line 2", "created_at", "'yesterday' is not an ISO-8601 timestamp"),
    "openrouter/missing_model.jsonl": ("line 2", "model", "missing"),
    "openrouter/bad_native_tokens_prompt.jsonl": ("line 2", "native_tokens_prompt", "'1.4k' is not a count"),
    "openrouter/negative_native_tokens_completion.jsonl": (
        "line 2",
        "native_tokens_completion",
        "'-5' is not a count",
    ),
    "openrouter/bad_native_tokens_cached.jsonl": ("line 2", "native_tokens_cached", "'some' is not a count"),
    "openrouter/reasoning_over_completion.jsonl": (
        "line 2",
        "native_tokens_reasoning",
        "larger than native_tokens_completion, which include reasoning",
    ),
    "openrouter/bad_total_cost.jsonl": ("line 2", "total_cost", "'$0.01' is not a decimal amount"),
    "openrouter/activity_bad_date.json": ("element 2", "date", "'01/10/2026' is not a YYYY-MM-DD date"),
    "openrouter/activity_bad_requests.json": ("element 2", "requests", "'0' is not a positive count"),
    "openrouter/activity_bad_usage.json": ("element 2", "usage", "'n/a' is not a decimal amount"),
    "helicone/missing_request_id.jsonl": ("line 2", "request_id", "missing (and no response_id)"),
    "helicone/bad_request_created_at.jsonl": (
        "line 2",
        "request_created_at",
        "'2026-13-45' is not an ISO-8601 timestamp",
    ),
    "helicone/missing_model.jsonl": ("line 2", "model", "missing (and no response_model or request_model)"),
    "helicone/bad_prompt_tokens.jsonl": ("line 2", "prompt_tokens", "'12.5' is not a count"),
    "helicone/negative_completion_tokens.jsonl": ("line 2", "completion_tokens", "'-1' is not a count"),
    "helicone/bad_prompt_cache_read_tokens.jsonl": ("line 2", "prompt_cache_read_tokens", "'lots' is not a count"),
    "helicone/bad_prompt_cache_write_tokens.jsonl": ("line 2", "prompt_cache_write_tokens", "'-3' is not a count"),
    "helicone/bad_cost_usd.jsonl": ("line 2", "costUSD", "'0,0041' is not a decimal amount"),
    "helicone/fractional_clickhouse_cost.jsonl": (
        "line 2",
        "cost",
        "'0.5' is not a whole number (ClickHouse cost is USD x 1,000,000,000)",
    ),
    "helicone/bad_request_properties.jsonl": ("line 2", "request_properties", "not a JSON object"),
    "portkey/missing_id.jsonl": ("line 2", "id", "missing (and no trace_id)"),
    "portkey/bad_created_at.jsonl": ("line 2", "created_at", "'02.10.2026' is not an ISO-8601 timestamp"),
    "portkey/missing_ai_model.jsonl": ("line 2", "ai_model", "missing"),
    "portkey/bad_req_units.jsonl": ("line 2", "req_units", "'1,400' is not a count"),
    "portkey/negative_res_units.jsonl": ("line 2", "res_units", "'-330' is not a count"),
    "portkey/bad_cost.jsonl": ("line 2", "cost", "'41¢' is not a decimal amount of cents"),
    "portkey/not_usd.jsonl": ("line 2", "cost_currency", "'EUR' is not USD; only USD costs are read"),
    "portkey/bad_metadata.jsonl": ("line 2", "metadata", "not a JSON object"),
}
GATEWAY_WELL_FORMED: frozenset[str] = frozenset(
    {
        "openrouter/generations.jsonl",
        "openrouter/generations_array.json",
        "openrouter/activity.json",
        "helicone/requests.jsonl",
        "helicone/requests.json",
        "helicone/export_tool.csv",
        "portkey/logs.jsonl",
    }
)

_COLUMNS = (
    "request_id, grain, ts, provider, model, model_raw, operation, status, input_tokens, cache_read_tokens, "
    "cache_write_tokens, output_tokens, reasoning_tokens, request_count, api_key_id, workspace_id, project_id, "
    "end_user, team_alias, feature, environment, tags, reported_cost, token_convention"
)


def _rows(store: Database, *cases: str) -> dict[str, dict[str, object]]:
    ingest_files(store, [CASES / case for case in cases])
    names = [name.strip() for name in _COLUMNS.split(",")]
    rows = store.fetchall(f"SELECT natural_key, {_COLUMNS} FROM usage")
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}


@pytest.mark.parametrize("case", sorted(GATEWAY_QUARANTINE_CASES))
def test_malformed_row_is_quarantined_with_its_message(case: str, make_workspace: Callable[..., Workspace]) -> None:
    with open_store(make_workspace()) as database:
        result = ingest_files(database, [CASES / case]).files[0]
        quarantined = database.fetchall("SELECT location, field, reason FROM quarantine ORDER BY record_number")
        loaded = int(database.scalar("SELECT count(*) FROM usage"))

    assert quarantined == [GATEWAY_QUARANTINE_CASES[case]]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, loaded) == (2, 1, 1, 1)


# ---- OpenRouter generation records

#: generation id -> (input, cache read, cache write, output, reasoning)
OPENROUTER_TOKENS = {
    # native_tokens_prompt 1400 includes native_tokens_cached 1024.
    "gen-1759300001-aaaa": (376, 1024, 0, 330, 0),
    # Anthropic through OpenRouter: 26215 = 1265 uncached + 24950 cached; reasoning 800 is part of output 2500.
    "gen-1759300002-aaaa": (1265, 24950, 0, 2500, 800),
    "gen-1759300003-aaaa": (1200, 0, 0, 0, 0),
    "gen-1759300004-aaaa": (2000, 0, 0, 4600, 4096),
    # cached 500 > prompt 100: this row can only exclude its cached tokens.
    "gen-1759300005-aaaa": (100, 500, 0, 20, 0),
    # no native counts at all: zeros, not a rejection
    "gen-1759300006-aaaa": (0, 0, 0, 0, 0),
}


@pytest.mark.parametrize("generation_id", sorted(OPENROUTER_TOKENS))
def test_openrouter_tokens_are_stored_disjoint(store: Database, generation_id: str) -> None:
    row = _rows(store, "openrouter/generations.jsonl")[f"openrouter:{generation_id}"]
    counts = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens")
    assert tuple(row[name] for name in counts) == OPENROUTER_TOKENS[generation_id]


def test_openrouter_attribution_time_status_and_exact_cost(store: Database) -> None:
    rows = _rows(store, "openrouter/generations.jsonl")
    first = rows["openrouter:gen-1759300001-aaaa"]

    assert (first["ts"], first["provider"], first["model"], first["model_raw"], first["operation"]) == (
        datetime(2026, 10, 2, 10, 15, 3, 433273),
        "openai",
        "gpt-4o",
        "openai/gpt-4o",
        "chat",
    )
    assert (first["grain"], first["request_count"], first["status"], first["end_user"]) == (
        "request",
        1,
        "success",
        "cust_812",
    )
    assert first["tags"] == {
        "provider_name": "OpenAI",
        "app_id": "12345",
        "origin": "https://search.corp.example/",
        "api_type": "completions",
        "is_byok": "false",
    }
    assert first["reported_cost"] == Decimal("0.004125")
    assert first["token_convention"] == "openrouter: native_tokens_prompt includes native_tokens_cached"
    assert rows["openrouter:gen-1759300005-aaaa"]["reported_cost"] == Decimal("0.000123456789")
    assert rows["openrouter:gen-1759300005-aaaa"]["token_convention"] == (
        "openrouter: native_tokens_prompt excludes native_tokens_cached"
    )
    byok = rows["openrouter:gen-1759300003-aaaa"]
    assert (byok["status"], byok["reported_cost"], byok["tags"]["is_byok"], byok["tags"]["provider_name"]) == (
        "cancelled",
        Decimal("0"),
        "true",
        "Azure",
    )
    unicode_row = rows["openrouter:gen-1759300004-aaaa"]
    assert (unicode_row["end_user"], unicode_row["tags"]["origin"]) == ("用户-東京-7", "https://ünïcode.example/")
    assert rows["openrouter:gen-1759300006-aaaa"]["reported_cost"] is None


def test_openrouter_json_array_reads_like_json_lines(store: Database, workspace: Workspace) -> None:
    from_lines = _rows(store, "openrouter/generations.jsonl")
    store.execute("DELETE FROM usage_costs")
    store.execute("DELETE FROM usage")
    from_array = _rows(store, "openrouter/generations_array.json")
    assert from_array == {key: from_lines[key] for key in from_array}


def test_openrouter_activity_rows_are_daily_buckets(store: Database) -> None:
    rows = _rows(store, "openrouter/activity.json")

    sonnet = rows["openrouter_activity:2026-10-01:anthropic/claude-4-sonnet-20250522:ep-2"]
    assert (sonnet["grain"], sonnet["request_id"], sonnet["ts"], sonnet["request_count"]) == (
        "bucket",
        None,
        datetime(2026, 10, 1),
        40,
    )
    assert (sonnet["provider"], sonnet["model"]) == ("anthropic", "claude-4-sonnet-20250522")
    assert (
        sonnet["input_tokens"],
        sonnet["cache_read_tokens"],
        sonnet["output_tokens"],
        sonnet["reasoning_tokens"],
    ) == (
        600000,
        0,
        50000,
        12000,
    )
    assert sonnet["reported_cost"] == Decimal("3.0012345")
    byok_day = rows["openrouter_activity:2026-10-02:openai/gpt-4.1-2025-04-14:ep-3"]
    assert (byok_day["reported_cost"], byok_day["tags"]["byok_usage_inference"]) == (Decimal("0"), "0.750000000000")


def test_openrouter_overlapping_exports_load_each_generation_once(store: Database) -> None:
    ingest_files(store, [CASES / "openrouter" / "generations.jsonl"])
    result = ingest_files(store, [CASES / "openrouter" / "generations_array.json"]).files[0]
    assert (result.rows_read, result.rows_loaded, result.rows_duplicate) == (2, 0, 2)


# ---- Helicone

#: request id suffix -> (input, cache read, cache write, output, token_convention)
HELICONE_TOKENS = {
    # OpenAI: prompt_tokens 1400 includes prompt_cache_read_tokens 1024.
    "01": (376, 1024, 0, 330, "helicone: prompt_tokens includes cache reads and writes"),
    # Anthropic: prompt_tokens is input_tokens, cache reads and writes excluded.
    "02": (12, 24950, 1253, 2500, "helicone: prompt_tokens excludes cached tokens (anthropic input_tokens)"),
    # A 429 with null counts: zeros.
    "03": (0, 0, 0, 0, "helicone: prompt_tokens includes cache reads and writes"),
    "04": (800, 0, 0, 1200, "helicone: prompt_tokens includes cache reads and writes"),
}


@pytest.mark.parametrize("suffix", sorted(HELICONE_TOKENS))
def test_helicone_tokens_are_stored_disjoint(store: Database, suffix: str) -> None:
    row = _rows(store, "helicone/requests.jsonl")[f"helicone:6e1f3c2a-0000-4a0b-8d3e-0000000000{suffix}"]
    counts = ("input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens", "token_convention")
    assert tuple(row[name] for name in counts) == HELICONE_TOKENS[suffix]


def test_helicone_attribution_status_and_exact_costs(store: Database) -> None:
    rows = {key[-2:]: row for key, row in _rows(store, "helicone/requests.jsonl").items()}

    first = rows["01"]
    assert (first["ts"], first["provider"], first["model"], first["operation"], first["status"]) == (
        datetime(2026, 10, 2, 10, 15, 3, 120000),
        "openai",
        "gpt-4o-2024-08-06",
        "chat",
        "success",
    )
    assert (first["end_user"], first["team_alias"], first["feature"], first["environment"]) == (
        "cust_812",
        "search",
        "rerank",
        "production",
    )
    assert first["tags"] == {"Team": "search", "Feature": "rerank", "Environment": "production"}
    assert first["reported_cost"] == Decimal("0.004125")
    assert (rows["02"]["provider"], rows["02"]["end_user"], rows["02"]["tags"]) == (
        "anthropic",
        None,
        {"Team": "devex"},
    )
    assert (rows["03"]["status"], rows["03"]["reported_cost"]) == ("failure", Decimal("0"))
    # ClickHouse cost 13250000 is USD x 1e9: exactly 0.01325.
    assert rows["04"]["reported_cost"] == Decimal("0.01325")
    assert (rows["04"]["end_user"], rows["04"]["tags"]) == ("ユーザー-42", {})
    assert (rows["05"]["operation"], rows["05"]["feature"], rows["05"]["tags"]) == (
        "embedding",
        "résumé ✨",
        {"Équipe": "données", "Feature": "résumé ✨"},
    )
    assert rows["05"]["reported_cost"] == Decimal("0.00001024")
    assert (rows["06"]["status"], rows["06"]["tags"]) == ("cancelled", {})


def test_helicone_export_tool_csv_reads_its_own_header(store: Database) -> None:
    rows = _rows(store, "helicone/export_tool.csv")
    first = rows["helicone:5b1c0000-0000-4000-8000-000000000001"]
    # The tool's CSV has no provider and no cache columns: counts are taken as written.
    assert (first["provider"], first["input_tokens"], first["output_tokens"], first["reported_cost"]) == (
        "unknown",
        1400,
        330,
        Decimal("0.004125"),
    )
    assert (first["end_user"], first["feature"]) == ("cust_812", "rerank")


# ---- Portkey


def test_portkey_cost_in_cents_tokens_and_attribution(store: Database) -> None:
    rows = _rows(store, "portkey/logs.jsonl")

    first = rows["portkey:a1b2c301"]
    assert (first["ts"], first["provider"], first["model"], first["status"]) == (
        datetime(2026, 10, 2, 10, 15, 3, 120000),
        "openai",
        "gpt-4o",
        "success",
    )
    # cost 0.4125 cents is exactly 0.004125 USD
    assert first["reported_cost"] == Decimal("0.004125")
    assert (first["input_tokens"], first["cache_read_tokens"], first["cache_write_tokens"], first["output_tokens"]) == (
        1400,
        0,
        0,
        330,
    )
    assert (first["api_key_id"], first["workspace_id"], first["end_user"], first["team_alias"], first["feature"]) == (
        "openai-prod-vk",
        "ws-search",
        "cust_812",
        "search",
        "rerank",
    )
    assert first["tags"] == {"team": "search", "feature": "rerank", "trace_id": "tr-9901", "config": "pc-search"}
    assert (rows["portkey:a1b2c302"]["status"], rows["portkey:a1b2c302"]["reported_cost"]) == (
        "cache_hit",
        Decimal("0"),
    )
    assert rows["portkey:a1b2c303"]["status"] == "failure"
    assert rows["portkey:a1b2c304"]["reported_cost"] == Decimal("0.052100125")
    # Without cache columns the whole prompt is uncached input, whatever the provider.
    assert rows["portkey:a1b2c304"]["input_tokens"] == 26215
    fifth = rows["portkey:a1b2c305"]
    assert (fifth["input_tokens"], fifth["output_tokens"], fifth["end_user"], fifth["environment"]) == (
        900,
        100,
        "顧客-7",
        "staging",
    )
    assert fifth["tags"]["équipe"] == "données ✨"
    assert "_user" not in fifth["tags"]
    orphan = rows["portkey:tr-orphan@2026-10-02T12:30:00.000000"]
    assert (orphan["request_id"], orphan["end_user"], orphan["reported_cost"]) == ("tr-orphan", None, Decimal("0.001"))


# ---- privacy: bodies never reach any text column

PROMPT = 'SECRET-PROMPT: summarise the Q3 board minutes, "verbatim"'
ANSWER = "SECRET-ANSWER: the minutes say"


def _with_bodies(path: Path, records: list[dict], body_fields: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps({**record, **body_fields}) + "\n" for record in records), encoding="utf-8")
    return path


def _first_records(case: str, count: int) -> list[dict]:
    lines = (CASES / case).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[:count]]


@pytest.mark.parametrize(
    ("case", "bad_field", "body_fields"),
    [
        (
            "helicone/requests.jsonl",
            {"prompt_tokens": "twelve"},
            {
                "request_body": {"messages": [{"role": "user", "content": PROMPT}]},
                "response_body": {"choices": [{"message": {"content": ANSWER}}]},
            },
        ),
        (
            "portkey/logs.jsonl",
            {"req_units": "many"},
            {
                "request": {"body": {"messages": [{"content": PROMPT}]}},
                "response": {"body": {"choices": [{"message": {"content": ANSWER}}]}},
                "request.body": json.dumps({"messages": [{"content": PROMPT}]}),
                "response.body": json.dumps({"content": ANSWER}),
            },
        ),
        (
            "openrouter/generations.jsonl",
            {"native_tokens_prompt": "many"},
            {"messages": [{"content": PROMPT}], "output": ANSWER},
        ),
    ],
)
def test_request_and_response_bodies_are_never_stored(
    store: Database, tmp_path: Path, case: str, bad_field: dict, body_fields: dict
) -> None:
    good, bad = _first_records(case, 2)
    path = _with_bodies(tmp_path / "with_bodies.jsonl", [good, {**bad, **bad_field}], body_fields)
    # a third, unreadable line that carries the prompt too
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"request_body": "' + PROMPT + '", broken\n')

    result = ingest_files(store, [path]).files[0]

    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    assert _cells_containing(store, "SECRET-PROMPT") == []
    assert _cells_containing(store, "SECRET-ANSWER") == []


def test_helicone_csv_request_body_is_never_stored(store: Database, tmp_path: Path) -> None:
    text = (CASES / "helicone" / "export_tool.csv").read_text(encoding="utf-8")
    header, first, second = text.splitlines()
    body = '"' + json.dumps({"messages": [{"content": PROMPT}]}).replace('"', '""') + '"'
    first = first.replace(",2026-10-02T10:15:03.120Z,,", f",2026-10-02T10:15:03.120Z,{body},", 1)
    path = tmp_path / "export.csv"
    path.write_text("\n".join([header, first, second + ",extra," + body]) + "\n", encoding="utf-8")

    result = ingest_files(store, [path]).files[0]

    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert _cells_containing(store, "SECRET-PROMPT") == []


# ---- detection


@pytest.mark.parametrize(
    ("case", "format_name"),
    [
        ("openrouter/generations.jsonl", "openrouter_generations"),
        ("openrouter/generations_array.json", "openrouter_generations"),
        ("openrouter/activity.json", "openrouter_activity"),
        ("helicone/requests.jsonl", "helicone"),
        ("helicone/requests.json", "helicone"),
        ("helicone/export_tool.csv", "helicone"),
        ("portkey/logs.jsonl", "portkey"),
    ],
)
def test_each_format_is_detected_from_its_content(case: str, format_name: str) -> None:
    assert detect_format(sample_file(CASES / case)).name == format_name


@pytest.mark.parametrize(
    "case",
    sorted(
        str(path.relative_to(CASES))
        for folder in ("litellm", "canonical")
        for path in (CASES / folder).iterdir()
        if path.name not in {"empty.csv", "truncated.json", "unknown_format.csv"}
    ),
)
def test_litellm_and_canonical_files_are_not_claimed(case: str) -> None:
    assert detect_format(sample_file(CASES / case)).name in {"litellm_spend_logs", "canonical"}
