"""Mapping-driven input formats: a small YAML file says which source field or JSON path feeds each canonical usage
column, in which unit, and how the source counts input tokens; the normalising SQL is generated from it.

A team adds its in-house gateway with a mapping and no code: `llmfinops ingest --kind mapped:PATH.yaml FILE`.
Mappings shipped in `llmfinops/mappings/*.yaml` with a `detect` signature are also tried by detection.

Privacy: a mapping can only fill canonical usage columns, never a free-text column of its own, and a source path
may not pass through a key that holds prompt or completion text (`messages`, `payload`, `body`, `content`, ...):
such a mapping is refused when it is loaded, so that text is never read (docs/formats.md, "Mapped formats").
The SQL is built from the mapping's names only through `quote_identifier` / `quote_literal`; values stay in SQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

from llmfinops.db.sqltext import quote_identifier, quote_literal
from llmfinops.errors import ConfigError
from llmfinops.ingest.base import FileSample, InputFormat
from llmfinops.yamlfile import LineDict, load_yaml, location

#: Canonical columns a mapping may fill, by kind of value. Nothing else can be a target.
_COUNT_TARGETS = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cache_write_1h_tokens",
    "input_audio_tokens",
    "output_audio_tokens",
    "image_count",
    "web_search_count",
    "request_count",
)
_TEXT_TARGETS = (
    "request_id",
    "provider",
    "model",
    "operation",
    "service_tier",
    "api_key_id",
    "api_key_alias",
    "project_id",
    "workspace_id",
    "user_id",
    "end_user",
    "team_id",
    "team_alias",
    "feature",
    "environment",
)
TARGETS: frozenset[str] = frozenset((*_COUNT_TARGETS, *_TEXT_TARGETS, "ts", "status", "tags", "reported_cost"))

#: Path segments that hold (or wrap) prompt or completion text, credentials or whole HTTP messages in the gateway
#: logs we know (LiteLLM, Kong `ai.proxy.payload`, Portkey/Helicone bodies, Cloudflare bodies): never read.
CONTENT_KEYS: frozenset[str] = frozenset(
    {
        "messages",
        "message",
        "prompt",
        "prompts",
        "completion",
        "content",
        "contents",
        "body",
        "payload",
        "request_body",
        "response_body",
        "choices",
        "text",
        "input",
        "output",
        "instructions",
        "system",
        "tools",
        "request_kwargs",
        "proxy_server_request",
        "exception_string",
        "error_message",
        "headers",
        "authorization",
        "cookie",
    }
)
#: Whole HTTP messages: a path may go through them to a field (Kong's `response.status`) but not take them whole.
_WRAPPER_KEYS = frozenset({"request", "response"})

_TS_UNITS = {"iso8601": None, "epoch_s": 1_000_000, "epoch_ms": 1_000, "epoch_us": 1, "epoch_ns": None}
#: Cost units and the exact decimal factor to USD.
_COST_UNITS = {"usd": "1", "cents": "0.01", "micro_usd": "0.000001", "nano_usd": "0.000000001"}
_SEGMENT = re.compile(r"[^.\s]+")
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class FieldMapping:
    """Where one canonical column comes from: source paths (first non-empty wins) or a constant, and a unit."""

    target: str
    paths: tuple[str, ...] = ()
    constant: str | None = None
    unit: str | None = None
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Mapping:
    name: str
    title: str
    path: Path
    detect_fields: frozenset[str]
    key_paths: tuple[str, ...]
    grain: str
    input_includes_cache_read: bool
    input_includes_cache_write: bool
    output_includes_reasoning: bool
    fields: dict[str, FieldMapping] = field(default_factory=dict)
    # A gateway's own response cache: when one of these paths holds one of these values, the provider was not
    # called, so the row's token counts are not billable and load as 0 (the reported cost is kept as written).
    cache_hit_paths: tuple[str, ...] = ()
    cache_hit_values: tuple[str, ...] = ()


def source_field(path: str) -> str:
    """The raw_records field that holds a path: the field itself, or a JSONPath the JSON reader resolves."""
    segments = path.split(".")
    if len(segments) == 1:
        return path
    # plain names stay readable (a quarantined row's raw_record is keyed by them); others are quoted JSONPath keys
    return "$." + ".".join(
        segment if _PLAIN_KEY.fullmatch(segment) else '"' + segment.replace('"', '\\"') + '"' for segment in segments
    )


# --- reading a mapping file -------------------------------------------------------------------------------------


def load_mapping(path: Path) -> Mapping:
    """Read and check one mapping file; every error names `file:line` and the key."""
    document = load_yaml(path)
    if not isinstance(document, LineDict):
        raise ConfigError(f"{path}: a mapping file must be a YAML mapping (name, fields, ...).")
    known = {"name", "title", "detect", "key", "grain", "token_convention", "fields", "served_from_cache"}
    for key in document:
        if key not in known:
            raise ConfigError(
                f"{location(path, document, key)}: {key}: unknown key.", f"Use: {', '.join(sorted(known))}."
            )
    name = document.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigError(
            f"{location(path, document, 'name')}: name: must be lower-case letters, digits and _ ({name!r}).",
            "It becomes the format name `mapped:<name>`.",
        )
    detect = document.get("detect", [])
    if not isinstance(detect, list) or not all(isinstance(item, str) and item for item in detect):
        raise ConfigError(f"{location(path, document, 'detect')}: detect: must be a list of top-level field names.")
    key_paths = _paths(path, document, "key")
    if not key_paths:
        raise ConfigError(
            f"{location(path, document)}: key: missing.", "Name the field(s) that identify a request, e.g. `key: [id]`."
        )
    grain = document.get("grain", "request")
    if grain not in ("request", "bucket"):
        raise ConfigError(f"{location(path, document, 'grain')}: grain: must be request or bucket ({grain!r}).")
    convention = document.get("token_convention", _empty_at(document))
    if not isinstance(convention, LineDict):
        raise ConfigError(f"{location(path, document, 'token_convention')}: token_convention: must be a mapping.")
    flags = {}
    for flag, default in (
        ("input_includes_cache_read", None),
        ("input_includes_cache_write", False),
        ("output_includes_reasoning", True),
    ):
        value = convention.get(flag, default)
        if not isinstance(value, bool):
            raise ConfigError(
                f"{location(path, convention, flag)}: token_convention.{flag}: must be true or false.",
                "Say whether the source's input count already contains its cache reads (OpenAI: true; "
                "Anthropic: false).",
            )
        flags[flag] = value
    raw_fields = document.get("fields")
    if not isinstance(raw_fields, LineDict):
        raise ConfigError(f"{location(path, document, 'fields')}: fields: must map canonical columns to sources.")
    mapped_fields = {target: _field(path, raw_fields, target) for target in raw_fields}
    for required in ("ts", "model"):
        if required not in mapped_fields:
            raise ConfigError(f"{location(path, raw_fields)}: fields.{required}: missing; every usage row needs it.")
    cache_hit = document.get("served_from_cache", _empty_at(document))
    if not isinstance(cache_hit, LineDict) or set(cache_hit) - {"from", "values"}:
        raise ConfigError(
            f"{location(path, document, 'served_from_cache')}: served_from_cache: must be a mapping with "
            "`from` (source paths) and `values` (what a cache hit looks like)."
        )
    cache_hit_paths = _paths(path, cache_hit, "from")
    cache_hit_values = cache_hit.get("values", [])
    if bool(cache_hit_paths) != bool(cache_hit_values) or not isinstance(cache_hit_values, list):
        raise ConfigError(f"{location(path, cache_hit)}: served_from_cache: give both `from` and a list of `values`.")
    return Mapping(
        name=name,
        title=str(document.get("title") or f"mapped format {name}"),
        path=path,
        detect_fields=frozenset(detect),
        key_paths=key_paths,
        grain=grain,
        input_includes_cache_read=flags["input_includes_cache_read"],
        input_includes_cache_write=flags["input_includes_cache_write"],
        output_includes_reasoning=flags["output_includes_reasoning"],
        fields=mapped_fields,
        cache_hit_paths=cache_hit_paths,
        cache_hit_values=tuple(str(value).lower() for value in cache_hit_values),
    )


def _empty_at(parent: LineDict) -> LineDict:
    """An empty mapping for an optional key left out, placed at its parent's line for error messages."""
    empty = LineDict()
    empty.line, empty.key_lines = parent.line, {}
    return empty


def _paths(path: Path, mapping: LineDict, key: str) -> tuple[str, ...]:
    value = mapping.get(key)
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    paths = []
    for item in items:
        if not isinstance(item, str) or not all(_SEGMENT.fullmatch(part) for part in item.split(".")):
            raise ConfigError(
                f"{location(path, mapping, key)}: {key}: {item!r} is not a field name or dotted JSON path (a.b.c)."
            )
        segments = [segment.lower() for segment in item.split(".")]
        blocked = next((segment for segment in segments if segment in CONTENT_KEYS), None)
        if blocked is None and len(segments) == 1 and segments[0] in _WRAPPER_KEYS:
            blocked = segments[0]
        if blocked is not None:
            raise ConfigError(
                f"{location(path, mapping, key)}: {key}: {item!r} reads `{blocked}`, which can hold prompt or "
                "completion text, credentials or a whole HTTP message; llmfinops never reads it.",
                "Map a usage count, id or attribution field instead.",
            )
        paths.append(item)
    return tuple(paths)


def _field(path: Path, fields_mapping: LineDict, target: str) -> FieldMapping:
    where = location(path, fields_mapping, target)
    if target not in TARGETS:
        raise ConfigError(
            f"{where}: fields.{target}: not a canonical usage column a mapping can fill.",
            f"Use one of: {', '.join(sorted(TARGETS))}.",
        )
    spec = fields_mapping[target]
    if isinstance(spec, str | list):
        spec = LineDict({"from": spec})
        spec.line, spec.key_lines = fields_mapping.line_of(target), {}
    if not isinstance(spec, LineDict):
        raise ConfigError(f"{where}: fields.{target}: write a source path, or a mapping with from/value/unit.")
    for key in spec:
        if key not in ("from", "value", "unit", "values"):
            raise ConfigError(
                f"{location(path, spec, key)}: fields.{target}.{key}: unknown key (from, value, unit, values)."
            )
    paths = _paths(path, spec, "from")
    constant = spec.get("value")
    if bool(paths) == (constant is not None):
        raise ConfigError(f"{where}: fields.{target}: give exactly one of `from` (source paths) and `value`.")
    if constant is not None and (target not in _TEXT_TARGETS or isinstance(constant, dict | list)):
        raise ConfigError(f"{where}: fields.{target}: a constant `value` is allowed only for a text column.")
    unit = spec.get("unit")
    allowed_units = {"ts": set(_TS_UNITS), "reported_cost": set(_COST_UNITS), "status": {"http_status"}}.get(
        target, set()
    )
    if unit is not None and unit not in allowed_units:
        choices = ", ".join(sorted(allowed_units)) or "none (this column takes no unit)"
        raise ConfigError(f"{location(path, spec, 'unit')}: fields.{target}.unit: {unit!r} is not one of: {choices}.")
    values = spec.get("values", {})
    if values and (target != "status" or not isinstance(values, dict)):
        raise ConfigError(f"{location(path, spec, 'values')}: fields.{target}.values: only status takes a value map.")
    return FieldMapping(
        target=target,
        paths=paths,
        constant=None if constant is None else str(constant),
        unit=unit,
        values=tuple((str(source).lower(), str(canonical)) for source, canonical in values.items()),
    )


# --- the generated SQL ------------------------------------------------------------------------------------------


def _column(path: str) -> str:
    return quote_identifier(source_field(path))


def _picked(mapping: FieldMapping) -> tuple[str, str]:
    """SQL for the first non-empty source value, and SQL naming the path it came from."""
    if mapping.constant is not None:
        return quote_literal(mapping.constant), quote_literal(mapping.target)
    values = ", ".join(f"nullif(trim({_column(path)}), '')" for path in mapping.paths)
    value_sql = f"coalesce({values})" if len(mapping.paths) > 1 else f"nullif(trim({_column(mapping.paths[0])}), '')"
    if len(mapping.paths) == 1:
        return value_sql, quote_literal(mapping.paths[0])
    whens = " ".join(
        f"WHEN nullif(trim({_column(path)}), '') IS NOT NULL THEN {quote_literal(path)}" for path in mapping.paths
    )
    return value_sql, f"CASE {whens} ELSE {quote_literal(mapping.paths[0])} END"


def _ts_sql(unit: str | None) -> str:
    if unit in (None, "iso8601"):
        return "TRY_CAST(src_ts AS TIMESTAMPTZ) AT TIME ZONE 'UTC'"
    if unit == "epoch_ns":
        return "make_timestamp(TRY_CAST(TRY_CAST(src_ts AS DECIMAL(38, 0)) / 1000 AS BIGINT))"
    # epoch seconds may carry a fraction; DECIMAL keeps it exact down to the microsecond
    return f"make_timestamp(TRY_CAST(TRY_CAST(src_ts AS DECIMAL(38, 9)) * {_TS_UNITS[unit]} AS BIGINT))"


def _status_sql(mapping: FieldMapping | None) -> str:
    if mapping is None:
        return "'success'"
    if mapping.unit == "http_status":
        return (
            "CASE WHEN src_status IS NULL THEN 'success' WHEN whole_number(src_status) BETWEEN 100 AND 399 "
            "THEN 'success' ELSE 'failure' END"
        )
    whens = " ".join(f"WHEN {quote_literal(source)} THEN {quote_literal(value)}" for source, value in mapping.values)
    mapped = f"CASE lower(src_status) {whens} ELSE lower(src_status) END" if whens else "lower(src_status)"
    return f"coalesce({mapped}, 'success')"


def _missing_reason(mapping: FieldMapping) -> str:
    if len(mapping.paths) > 1:
        return "missing (and no " + ", ".join(mapping.paths[1:]) + ")"
    return "missing"


def generate_sql(mapping: Mapping) -> str:
    """The normalising SQL for one mapping (same contract as the .sql files of the other formats)."""
    ts_mapping = mapping.fields["ts"]
    ts_wanted = (
        "' is not a timestamp" if ts_mapping.unit in (None, "iso8601") else f"' is not a time in {ts_mapping.unit}"
    )
    picks = []
    for target, field_mapping in mapping.fields.items():
        value_sql, from_sql = _picked(field_mapping)
        picks.append(f"{value_sql} AS src_{target}, {from_sql} AS from_{target}")
    absent = [target for target in sorted(TARGETS) if target not in mapping.fields]
    picks += [f"CAST(NULL AS VARCHAR) AS src_{target}, {quote_literal(target)} AS from_{target}" for target in absent]
    key_values = [f"nullif(trim({_column(path)}), '')" for path in mapping.key_paths]
    if len(key_values) == 1:
        key_sql = key_values[0]
    else:
        # no single id field: the request is identified by the values of several fields together
        key_sql = (
            f"CASE WHEN coalesce({', '.join(key_values)}) IS NOT NULL THEN md5(concat_ws('|', "
            + ", ".join(f"coalesce({value}, '')" for value in key_values)
            + ")) END"
        )
    family = "mapped-" + mapping.name.replace("_", "-")
    if mapping.cache_hit_paths:
        hit_values = ", ".join(quote_literal(value) for value in mapping.cache_hit_values)
        cache_hit_sql = " OR ".join(
            f"coalesce(lower(trim({_column(path)})) IN ({hit_values}), false)" for path in mapping.cache_hit_paths
        )
    else:
        cache_hit_sql = "false"
    cost_factor = (
        _COST_UNITS[mapping.fields["reported_cost"].unit or "usd"] if "reported_cost" in mapping.fields else "1"
    )
    count_checks = "\n".join(
        f"            WHEN src_{target} IS NOT NULL AND (whole_number(src_{target}) IS NULL "
        f"OR whole_number(src_{target}) < 0)\n"
        f"                THEN {{'field': from_{target}, 'reason': '''' || src_{target} || ''' is not a count'}}"
        for target in _COUNT_TARGETS
    )
    input_minus = " - ".join(
        ["input_raw"]
        + (["cache_read_count"] if mapping.input_includes_cache_read else [])
        + (["cache_write_count"] if mapping.input_includes_cache_write else [])
    )
    convention = (
        f"mapped {mapping.name}: input "
        + ("includes" if mapping.input_includes_cache_read else "excludes")
        + " cache reads, "
        + ("includes" if mapping.input_includes_cache_write else "excludes")
        + " cache writes; output "
        + ("includes" if mapping.output_includes_reasoning else "excludes")
        + " reasoning"
    )
    output_sql = "output_raw" if mapping.output_includes_reasoning else "output_raw + reasoning_count"
    counts = "\n".join(
        f"        CASE WHEN served_from_cache THEN 0 ELSE coalesce(whole_number(src_{target}), 0) END AS {name},"
        for target, name in (
            ("input_tokens", "input_raw"),
            ("cache_read_tokens", "cache_read_count"),
            ("cache_write_tokens", "cache_write_count"),
            ("output_tokens", "output_raw"),
            ("reasoning_tokens", "reasoning_count"),
            ("cache_write_1h_tokens", "cache_write_1h_count"),
            ("input_audio_tokens", "input_audio_count"),
            ("output_audio_tokens", "output_audio_count"),
            ("image_count", "image_units"),
            ("web_search_count", "web_search_units"),
        )
    )
    # feature and environment fall back to the tags of those names, as in the LiteLLM formats
    tag_fallback = {
        "feature": "coalesce(src_feature, tags_json ->> 'feature', tags_json ->> 'use_case')",
        "environment": "coalesce(src_environment, tags_json ->> 'environment', tags_json ->> 'env')",
    }
    text_columns = "\n".join(
        f"    {tag_fallback.get(target, f'src_{target}')} AS {target},"
        for target in _TEXT_TARGETS
        if target not in ("request_id", "provider", "model", "operation", "service_tier")
    )
    return f"""
-- Generated from the mapping {mapping.path.name} (llmfinops/ingest/mapped.py): raw_records -> usage rows.
WITH picked AS (
    SELECT
        record_number,
        {key_sql} AS key_value,
        {cache_hit_sql} AS served_from_cache,
        {", ".join(picks)}
    FROM raw_records
    WHERE parse_error IS NULL
),
typed AS (
    SELECT
        *,
        {_ts_sql(mapping.fields["ts"].unit)} AS started_at,
{counts}
        CAST(TRY_CAST(src_reported_cost AS DECIMAL(38, 12)) * CAST({cost_factor} AS DECIMAL(38, 9))
             AS DECIMAL(38, 12)) AS cost_usd,
        lower(coalesce(src_service_tier, 'standard')) AS tier,
        CASE WHEN json_valid(src_tags) AND json_type(CAST(src_tags AS JSON)) = 'OBJECT'
             THEN CAST(src_tags AS JSON) END AS tags_json
    FROM picked
),
converted AS (
    SELECT *, {input_minus} AS uncached_input, {output_sql} AS output_count FROM typed
),
checked AS (
    SELECT
        *,
        CASE
            WHEN key_value IS NULL THEN {{'field': {quote_literal(" + ".join(mapping.key_paths))}, 'reason': 'missing'}}
            WHEN src_ts IS NULL THEN {{'field': from_ts, 'reason': {quote_literal(_missing_reason(ts_mapping))}}}
            WHEN started_at IS NULL THEN {{'field': from_ts, 'reason': '''' || src_ts || {quote_literal(ts_wanted)}}}
            WHEN src_model IS NULL
                THEN {{'field': from_model, 'reason': {quote_literal(_missing_reason(mapping.fields["model"]))}}}
{count_checks}
            WHEN uncached_input < 0
                THEN {{'field': from_input_tokens,
                      'reason': 'smaller than the cache tokens it includes (token_convention)'}}
            WHEN cache_write_1h_count > cache_write_count
                THEN {{'field': from_cache_write_1h_tokens,
                      'reason': 'larger than the cache writes, which include them'}}
            WHEN reasoning_count > output_count
                THEN {{'field': from_reasoning_tokens,
                      'reason': 'larger than the output tokens, which include reasoning'}}
            WHEN src_reported_cost IS NOT NULL AND cost_usd IS NULL
                THEN {{'field': from_reported_cost,
                      'reason': '''' || src_reported_cost || ''' is not a decimal amount'}}
            WHEN tier NOT IN ('standard', 'batch', 'flex', 'priority')
                THEN {{'field': from_service_tier, 'reason': '''' || src_service_tier
                      || ''' is not one of standard, batch, flex, priority'}}
            WHEN src_tags IS NOT NULL AND tags_json IS NULL THEN {{'field': from_tags, 'reason': 'not a JSON object'}}
            WHEN src_request_count IS NOT NULL AND whole_number(src_request_count) < 1
                THEN {{'field': from_request_count,
                      'reason': '''' || src_request_count || ''' is not a positive count'}}
        END AS rejection
    FROM converted
)
SELECT
    {quote_literal(family + ":")} || key_value AS natural_key,
    coalesce(src_request_id, {"key_value" if len(mapping.key_paths) == 1 else "NULL"}) AS request_id,
    {quote_literal(mapping.grain)} AS grain,
    'gateway' AS origin,
    started_at AS ts,
    lower(coalesce(src_provider, 'unknown')) AS provider,
    lower(src_model) AS model,
    src_model AS model_raw,
    lower(coalesce(src_operation, 'chat')) AS operation,
    tier AS service_tier,
    uncached_input AS input_tokens,
    cache_read_count AS cache_read_tokens,
    cache_write_count AS cache_write_tokens,
    output_count AS output_tokens,
    reasoning_count AS reasoning_tokens,
    cache_write_1h_count AS cache_write_1h_tokens,
    input_audio_count AS input_audio_tokens,
    output_audio_count AS output_audio_tokens,
    image_units AS image_count,
    web_search_units AS web_search_count,
    coalesce(whole_number(src_request_count), 1) AS request_count,
    {_status_sql(mapping.fields.get("status"))} AS status,
{text_columns}
    CASE WHEN tags_json IS NOT NULL
         THEN map_from_entries(list_transform(json_keys(tags_json),
                                              lambda tag_key: {{'key': tag_key, 'value': tags_json ->> tag_key}}))
    END AS tags,
    cost_usd AS reported_cost,
    {quote_literal(convention)} AS token_convention,
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM checked
"""


# --- the input format -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MappedFormat(InputFormat):
    """An InputFormat whose SQL is generated from a mapping rather than read from a .sql file."""

    mapping: Mapping | None = None

    def normalise_sql(self) -> str:
        assert self.mapping is not None
        return generate_sql(self.mapping)


def mapped_format(mapping: Mapping) -> MappedFormat:
    paths = {path for field_mapping in mapping.fields.values() for path in field_mapping.paths}
    paths |= set(mapping.key_paths) | set(mapping.cache_hit_paths)
    detect_fields = mapping.detect_fields
    detect: Callable[[FileSample], bool] = (
        (lambda sample: sample.field_names >= detect_fields) if detect_fields else (lambda sample: False)
    )
    return MappedFormat(
        name=f"mapped:{mapping.name}",
        title=mapping.title,
        fields=tuple(sorted(source_field(path) for path in paths)),
        sql_file="",
        detect=detect,
        # The mapped paths are the only fields read, and none can hold content (load_mapping refuses them). A
        # record that cannot be parsed at all is kept without its text, as for formats that carry prompts.
        private_fields=CONTENT_KEYS,
        mapping=mapping,
    )


def format_from_mapping_file(path: Path) -> MappedFormat:
    """`--kind mapped:PATH`: the format a user's mapping file describes."""
    return mapped_format(load_mapping(path))


@cache
def shipped_formats() -> tuple[MappedFormat, ...]:
    """The mappings shipped in llmfinops/mappings/, in file-name order."""
    folder = files("llmfinops").joinpath("mappings")
    return tuple(
        format_from_mapping_file(Path(str(entry)))
        for entry in sorted(folder.iterdir(), key=lambda entry: entry.name)
        if entry.name.endswith(".yaml")
    )
