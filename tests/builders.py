"""Builders for real-shaped input files: LiteLLM spend-log rows (Postgres `COPY ... CSV HEADER` and the
`GET /spend/logs` JSON) and canonical request rows. Defaults give one valid, priced request; a test overrides
only the fields it is about."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from llmfinops.ingest.litellm import SPEND_LOGS_TABLE_COLUMNS

#: The 32 columns of "LiteLLM_SpendLogs" in schema.prisma order (shared/formats/gateways.md §1.1).
LITELLM_COLUMNS = SPEND_LOGS_TABLE_COLUMNS

API_KEY = "5f0c1e9a3b7d44e1a0c2b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8"


def litellm_row(number: int = 1, **overrides: Any) -> dict[str, Any]:
    """One spend-log row as the API returns it (JSON values, metadata as an object)."""
    row: dict[str, Any] = {
        "request_id": f"chatcmpl-{number:06d}",
        "call_type": "acompletion",
        "api_key": API_KEY,
        "spend": 0.004125,
        "total_tokens": 1730,
        "prompt_tokens": 1400,
        "completion_tokens": 330,
        "startTime": "2026-10-02 10:15:03.12",
        "endTime": "2026-10-02 10:15:05.431",
        "request_duration_ms": 2311,
        "completionStartTime": "2026-10-02 10:15:03.61",
        "model": "gpt-4.1-2025-04-14",
        "model_id": "dep-41-east",
        "model_group": "gpt-4.1",
        "custom_llm_provider": "openai",
        "api_base": "https://api.openai.com/v1",
        "user": "alice@corp.example",
        "metadata": {
            "status": "success",
            "user_api_key_alias": "search-prod",
            "user_api_key_team_id": "team-search",
            "user_api_key_team_alias": "search",
            "user_api_key_user_id": "alice@corp.example",
            "spend_logs_metadata": {"environment": "prod"},
            "usage_object": {"prompt_tokens": 1400, "completion_tokens": 330, "total_tokens": 1730},
        },
        "cache_hit": "False",
        "cache_key": "",
        "request_tags": ["feature:search", "env:prod"],
        "team_id": "team-search",
        "organization_id": None,
        "end_user": "cust_812",
        "requester_ip_address": None,
        "messages": {},
        "response": {},
        "session_id": None,
        "status": "success",
        "mcp_namespaced_tool_name": None,
        "agent_id": None,
        "proxy_server_request": {},
    }
    row.update(overrides)
    return row


def _copy_csv_field(value: Any) -> str:
    """A value as Postgres `COPY ... CSV` writes it: NULL unquoted empty, '' as "", JSON as JSON text."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        text = json.dumps(value)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    if text == "" or any(character in text for character in ',"\n\r') or text != text.strip():
        return '"' + text.replace('"', '""') + '"'
    return text


def litellm_csv_text(rows: list[dict[str, Any]], columns: tuple[str, ...] = LITELLM_COLUMNS) -> str:
    lines = [",".join(columns)]
    lines += [",".join(_copy_csv_field(row.get(column)) for column in columns) for row in rows]
    return "\n".join(lines) + "\n"


def write_litellm_csv(path: Path, rows: list[dict[str, Any]], *, gzipped: bool = False) -> Path:
    return _write(path, litellm_csv_text(rows), gzipped)


def write_litellm_json(path: Path, rows: list[dict[str, Any]], *, wrapped: bool = False) -> Path:
    """The body of GET /spend/logs (a JSON array), or of /spend/logs/ui (`{"data": [...], ...}`)."""
    api_rows = [{**row, "startTime": _iso(row.get("startTime")), "endTime": _iso(row.get("endTime"))} for row in rows]
    body: Any = api_rows
    if wrapped:
        body = {"data": api_rows, "total": len(api_rows), "page": 1, "page_size": 50, "total_pages": 1}
    return _write(path, json.dumps(body), False)


def _iso(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 19 and value[10] == " ":
        return value.replace(" ", "T", 1) + "Z"
    return value


CANONICAL_FIELDS: tuple[str, ...] = (
    "request_id",
    "ts",
    "provider",
    "model",
    "operation",
    "service_tier",
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "output_tokens",
    "reasoning_tokens",
    "request_count",
    "status",
    "api_key_id",
    "api_key_alias",
    "team",
    "user",
    "project",
    "feature",
    "environment",
    "tags",
    "reported_cost",
)


def canonical_row(number: int = 1, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "request_id": f"req-{number:06d}",
        "ts": "2026-10-05T12:00:00.000Z",
        "provider": "anthropic",
        "model": "claude-sonnet-4-5-20250929",
        "operation": "chat",
        "service_tier": "standard",
        "input_tokens": 1000,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "output_tokens": 100,
        "reasoning_tokens": 0,
        "request_count": 1,
        "status": "success",
        "api_key_id": "key-hash-1",
        "api_key_alias": "batch-key",
        "team": None,
        "user": "svc@corp.example",
        "project": "proj-1",
        "feature": "lead-scorer",
        "environment": "prod",
        "tags": {"feature": "lead-scorer"},
        "reported_cost": "0.004500",
    }
    row.update(overrides)
    return row


def write_canonical_jsonl(path: Path, rows: list[dict[str, Any]], *, gzipped: bool = False) -> Path:
    return _write(path, "".join(json.dumps(row) + "\n" for row in rows), gzipped)


def _write(path: Path, text: str, gzipped: bool) -> Path:
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if gzipped else data)
    return path
