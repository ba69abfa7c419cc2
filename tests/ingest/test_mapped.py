"""The mapping-driven importer: the shipped Cloudflare AI Gateway and Kong AI Gateway mappings field by field, a
user's own mapping through `--kind mapped:PATH` with unit conversions and token conventions, mapping errors that
name file:line, and the privacy rule (a mapping can never read prompt or completion text)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.db.connection import Database
from llmfinops.errors import ConfigError, InputError
from llmfinops.ingest.base import USAGE_COLUMNS
from llmfinops.ingest.containers import sample_file
from llmfinops.ingest.load import ingest_files
from llmfinops.ingest.mapped import load_mapping
from llmfinops.ingest.registry import detect_format
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.conftest import CASES

MAPPED = CASES / "mapped"

MAPPED_QUARANTINE_CASES: dict[str, tuple[str, str | None, str]] = {
    "mapped/kong_bad_started_at.jsonl": ("line 2", "started_at", "'2026-10-02' is not a time in epoch_ms"),
    "mapped/kong_missing_started_at.jsonl": ("line 2", "started_at", "missing"),
    "mapped/kong_missing_model.jsonl": (
        "line 2",
        "ai.proxy.meta.response_model",
        "missing (and no ai.proxy.meta.request_model)",
    ),
    "mapped/kong_bad_prompt_tokens.jsonl": ("line 2", "ai.proxy.usage.prompt_tokens", "'many' is not a count"),
    "mapped/kong_cached_over_prompt.jsonl": (
        "line 2",
        "ai.proxy.usage.prompt_tokens",
        "smaller than the cache tokens it includes (token_convention)",
    ),
    "mapped/kong_reasoning_over_output.jsonl": (
        "line 2",
        "ai.proxy.usage.completion_tokens_details.reasoning_tokens",
        "larger than the output tokens, which include reasoning",
    ),
    "mapped/kong_bad_cost.jsonl": ("line 2", "ai.proxy.usage.cost", "'0,004' is not a decimal amount"),
    "mapped/cloudflare_missing_id.json": ("element 2", "id", "missing"),
    "mapped/cloudflare_bad_metadata.json": ("element 2", "metadata", "not a JSON object"),
    "mapped/cloudflare_negative_tokens_out.json": ("element 2", "tokens_out", "'-1' is not a count"),
}
MAPPED_WELL_FORMED: frozenset[str] = frozenset({"mapped/cloudflare_logs.json", "mapped/kong_file_log.jsonl"})


def _rows(database: Database) -> list[dict[str, object]]:
    rows = database.fetchall(f"SELECT {', '.join(USAGE_COLUMNS)} FROM usage ORDER BY source_id, source_row")
    return [dict(zip(USAGE_COLUMNS, row, strict=True)) for row in rows]


@pytest.mark.parametrize("case", sorted(MAPPED_QUARANTINE_CASES))
def test_malformed_row_is_quarantined_with_its_message(case: str, make_workspace: Callable[..., Workspace]) -> None:
    with open_store(make_workspace()) as database:
        result = ingest_files(database, [CASES / case]).files[0]
        quarantined = database.fetchall("SELECT location, field, reason FROM quarantine ORDER BY record_number")

    assert quarantined == [MAPPED_QUARANTINE_CASES[case]]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)


def test_shipped_mappings_are_detected_by_their_signature() -> None:
    assert detect_format(sample_file(MAPPED / "cloudflare_logs.json")).name == "mapped:cloudflare_ai_gateway"
    assert detect_format(sample_file(MAPPED / "kong_file_log.jsonl")).name == "mapped:kong_ai_gateway"


def test_cloudflare_logs_field_by_field(store: Database) -> None:
    result = ingest_files(store, [MAPPED / "cloudflare_logs.json"]).files[0]

    assert (result.format_name, result.rows_read, result.rows_loaded) == ("mapped:cloudflare_ai_gateway", 4, 4)
    first, cache_hit, failed, offset = _rows(store)
    assert first == {
        "natural_key": "mapped-cloudflare-ai-gateway:01JX2QZ8K9M4N6P7Q8R9S0T001",
        "request_id": "01JX2QZ8K9M4N6P7Q8R9S0T001",
        "grain": "request",
        "origin": "gateway",
        "ts": datetime(2026, 10, 2, 10, 15, 3, 120000),
        "provider": "openai",
        "model": "gpt-4.1-mini",
        "model_raw": "gpt-4.1-mini",
        "operation": "chat",
        "service_tier": "standard",
        "input_tokens": 812,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "output_tokens": 143,
        "reasoning_tokens": 0,
        "cache_write_1h_tokens": 0,
        "input_audio_tokens": 0,
        "output_audio_tokens": 0,
        "image_count": 0,
        "web_search_count": 0,
        "request_count": 1,
        "status": "success",
        "api_key_id": None,
        "api_key_alias": None,
        "project_id": None,
        "workspace_id": None,
        "user_id": None,
        "end_user": None,
        "team_id": None,
        "team_alias": None,
        "feature": "rerank",
        "environment": None,
        "tags": {"team": "search", "feature": "rerank"},
        "reported_cost": Decimal("0.000208000000"),
        "token_convention": "mapped cloudflare_ai_gateway: input includes cache reads, excludes cache writes; "
        "output includes reasoning",
    }
    # a gateway cache hit never reached the provider: its tokens are not billable
    assert (cache_hit["input_tokens"], cache_hit["output_tokens"], cache_hit["reported_cost"]) == (0, 0, Decimal(0))
    assert (failed["status"], failed["provider"], failed["tags"]) == ("failure", "workers-ai", None)
    # a time with an offset is converted to UTC; metadata as a JSON object (workers-types shape) works too
    assert offset["ts"] == datetime(2026, 10, 2, 9, 0)
    assert (offset["tags"], offset["environment"]) == ({"team": "devex", "env": "prod"}, "prod")


def test_kong_file_log_field_by_field(store: Database) -> None:
    ingest_files(store, [MAPPED / "kong_file_log.jsonl"])

    first, cache_hit, failed = _rows(store)
    assert first["natural_key"].startswith("mapped-kong-ai-gateway:")
    assert len(first["natural_key"]) == len("mapped-kong-ai-gateway:") + 32  # md5 of the identifying fields
    assert {column: first[column] for column in USAGE_COLUMNS if column != "natural_key"} == {
        "request_id": None,
        "grain": "request",
        "origin": "gateway",
        "ts": datetime(2026, 10, 3, 10, 15, 3, 121000),  # started_at is epoch milliseconds
        "provider": "openai",
        "model": "gpt-4.1-2025-04-14",  # response_model first
        "model_raw": "gpt-4.1-2025-04-14",
        "operation": "chat",
        "service_tier": "standard",
        "input_tokens": 376,  # prompt_tokens 1400 include the 1024 cached tokens
        "cache_read_tokens": 1024,
        "cache_write_tokens": 0,
        "output_tokens": 330,
        "reasoning_tokens": 64,
        "cache_write_1h_tokens": 0,
        "input_audio_tokens": 0,
        "output_audio_tokens": 0,
        "image_count": 0,
        "web_search_count": 0,
        "request_count": 1,
        "status": "success",
        "api_key_id": "7d1a9b2c-0000-4000-8000-000000000001",
        "api_key_alias": "search-svc",
        "project_id": None,
        "workspace_id": "default",
        "user_id": None,
        "end_user": None,
        "team_id": None,
        "team_alias": None,
        "feature": None,
        "environment": None,
        "tags": None,
        "reported_cost": Decimal("0.004125000000"),
        "token_convention": "mapped kong_ai_gateway: input includes cache reads, excludes cache writes; "
        "output includes reasoning",
    }
    # semantic cache hit: no provider call; the model falls back to request_model
    assert (cache_hit["input_tokens"], cache_hit["output_tokens"], cache_hit["model"]) == (0, 0, "gpt-4.1")
    assert failed["status"] == "failure"  # response.status 429


def test_kong_payload_and_headers_are_never_stored(store: Database, tmp_path: Path) -> None:
    lines = (MAPPED / "kong_file_log.jsonl").read_text().splitlines()
    broken = json.loads(lines[0])
    broken["ai"]["proxy"]["usage"]["prompt_tokens"] = "lots"  # quarantined: its raw record is kept
    path = tmp_path / "kong.jsonl"
    path.write_text("\n".join([lines[0], json.dumps(broken), "{not json SECRET-PROMPT", *lines[1:]]) + "\n")
    assert path.read_text().count("SECRET-") == 9  # payload bodies, the authorization header, the broken line

    result = ingest_files(store, [path]).files[0]

    assert (result.rows_loaded, result.rows_quarantined) == (3, 2)
    for table in ("usage", "quarantine"):
        dumped = str(store.fetchall(f"SELECT * FROM {table}"))
        assert "SECRET-" not in dumped
    # a quarantined row keeps the mapped values only, keyed by their JSON paths
    assert '"$.ai.proxy.usage.prompt_tokens":"lots"' in store.scalar(
        "SELECT raw_record FROM quarantine WHERE field IS NOT NULL"
    )


CUSTOM_MAPPING = """\
# an in-house gateway: costs in cents, epoch seconds, Anthropic-style input (cache reads not included)
name: inhouse_gateway
key: req.id
token_convention:
  input_includes_cache_read: false
  input_includes_cache_write: false
  output_includes_reasoning: false
fields:
  ts: {from: req.at, unit: epoch_s}
  provider: {value: anthropic}
  model: usage.model
  input_tokens: usage.in
  cache_read_tokens: usage.cache_in
  cache_write_tokens: usage.cache_new
  output_tokens: usage.out
  reasoning_tokens: usage.thinking
  reported_cost: {from: billing.cents, unit: cents}
  team_id: who.team
  feature: who.feature
  service_tier: tier
  status: {from: outcome, values: {ok: success, err: failure, throttled: failure}}
"""


def test_a_users_mapping_with_units_and_conventions(store: Database, tmp_path: Path) -> None:
    mapping = tmp_path / "inhouse.yaml"
    mapping.write_text(CUSTOM_MAPPING)
    record = {
        "req": {"id": "r-1", "at": 1791022503.25},
        "usage": {
            "model": "claude-sonnet-4-5",
            "in": 30,
            "cache_in": 5000,
            "cache_new": 700,
            "out": 200,
            "thinking": 50,
        },
        "billing": {"cents": "1.2345"},
        "who": {"team": "devex", "feature": "triage"},
        "tier": "batch",
        "outcome": "throttled",
        "messages": [{"content": "SECRET-PROMPT"}],
    }
    data = tmp_path / "gateway.jsonl"
    data.write_text(json.dumps(record) + "\n")

    result = ingest_files(store, [data], kind=f"mapped:{mapping}").files[0]

    assert (result.format_name, result.rows_loaded) == ("mapped:inhouse_gateway", 1)
    (row,) = _rows(store)
    assert row["natural_key"] == "mapped-inhouse-gateway:r-1"
    assert row["ts"] == datetime(2026, 10, 3, 10, 15, 3, 250000)
    assert (row["provider"], row["model"], row["service_tier"], row["status"]) == (
        "anthropic",
        "claude-sonnet-4-5",
        "batch",
        "failure",
    )
    # input excludes cache: kept as is; output excludes reasoning: added
    assert (row["input_tokens"], row["cache_read_tokens"], row["cache_write_tokens"]) == (30, 5000, 700)
    assert (row["output_tokens"], row["reasoning_tokens"]) == (250, 50)
    assert row["reported_cost"] == Decimal("0.012345000000")  # cents / 100, exact
    assert (row["team_id"], row["feature"]) == ("devex", "triage")
    assert "SECRET-PROMPT" not in str(store.fetchall("SELECT * FROM usage"))


def test_kind_mapped_path_through_the_cli(cli: Callable, workspace: Workspace, tmp_path: Path) -> None:
    mapping = tmp_path / "inhouse.yaml"
    mapping.write_text(CUSTOM_MAPPING.replace("ts: {from: req.at, unit: epoch_s}", "ts: req.at"))
    data = tmp_path / "gateway.jsonl"
    data.write_text(json.dumps({"req": {"id": "r-1", "at": "2026-10-02T10:00:00Z"}, "usage": {"model": "m"}}) + "\n")

    result = cli("-w", workspace.root, "ingest", "--kind", f"mapped:{mapping}", data)

    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "name: x\nkey: id\ntoken_convention: {input_includes_cache_read: true}\nfields:\n  ts: t\n  model: m\n"
            "  user_id: messages.0.content\n",
            ":7: from: 'messages.0.content' reads `messages`, which can hold prompt or completion text",
        ),
        (
            "name: x\nkey: id\ntoken_convention: {input_includes_cache_read: true}\nfields:\n  ts: t\n  model: m\n"
            "  tags: ai.proxy.payload\n",
            ":7: from: 'ai.proxy.payload' reads `payload`",
        ),
        (
            "name: x\nkey: id\ntoken_convention: {input_includes_cache_read: true}\nfields:\n  ts: t\n  model: m\n"
            "  team_id: response\n",
            ":7: from: 'response' reads `response`",
        ),
        (
            "name: x\nkey: id\ntoken_convention: {input_includes_cache_read: true}\nfields:\n  ts: t\n  model: m\n"
            "  prompt_text: request.prompt\n",
            ":7: fields.prompt_text: not a canonical usage column a mapping can fill.",
        ),
    ],
)
def test_a_mapping_that_reads_content_is_refused(yaml_text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text)

    with pytest.raises(ConfigError) as raised:
        load_mapping(path)

    assert raised.value.message.startswith(f"{path}{message}")


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("name: x\nkey: id\nfields:\n  ts: t\n  model: m\n", ":1: token_convention.input_includes_cache_read: must be"),
        ("name: X-1\n", ":1: name: must be lower-case letters, digits and _ ('X-1')."),
        (
            "name: x\nkey: id\ntoken_convention: {input_includes_cache_read: true}\nfields:\n  model: m\n",
            ":5: fields.ts: missing; every usage row needs it.",
        ),
        (
            "name: x\nkey: id\ntoken_convention: {input_includes_cache_read: true}\nfields:\n  ts: t\n  model: m\n"
            "  reported_cost: {from: c, unit: euros}\n",
            ":7: fields.reported_cost.unit: 'euros' is not one of: cents, micro_usd, nano_usd, usd.",
        ),
        ("name: x\nfields: {}\n", ":1: key: missing."),
        ("name: x\nkeys: [id]\n", ":2: keys: unknown key."),
        ("name: [x\n", ":2: invalid YAML"),
    ],
)
def test_mapping_errors_name_file_and_line(yaml_text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text)

    with pytest.raises(ConfigError) as raised:
        load_mapping(path)

    assert raised.value.message.startswith(f"{path}{message}"), raised.value.message


def test_the_cloudflare_api_response_is_read_as_its_result_array(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    """The logs endpoint's whole response ({"result": [...], "success": true, ...}) loads the same rows as the bare
    `result` array, and an error response is refused with its message."""
    logs = json.loads((MAPPED / "cloudflare_logs.json").read_text(encoding="utf-8"))
    envelope = tmp_path / "cloudflare_page.json"
    envelope.write_text(
        json.dumps(
            {
                "result": logs,
                "success": True,
                "errors": [],
                "messages": [],
                "result_info": {"page": 1, "per_page": 50, "count": len(logs), "total_count": len(logs)},
            }
        ),
        encoding="utf-8",
    )
    dumps = []
    for path in (MAPPED / "cloudflare_logs.json", envelope):
        with open_store(make_workspace()) as database:
            result = ingest_files(database, [path]).files[0]
            assert result.format_name == "mapped:cloudflare_ai_gateway"
            dumps.append(database.fetchall(f"SELECT {', '.join(USAGE_COLUMNS)} FROM usage ORDER BY natural_key"))
    assert dumps[0] == dumps[1] and len(dumps[0]) == len(logs) - result.rows_quarantined

    failed = tmp_path / "cloudflare_error.json"
    failed.write_text(
        json.dumps({"result": None, "success": False, "errors": [{"code": 10000, "message": "Authentication error"}]}),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="holds an API error response, not data: Authentication error"):
        sample_file(failed)
