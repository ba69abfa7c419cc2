"""Deterministic generator of large LiteLLM spend-log files, built by DuckDB itself (no Python loop per row).

Shapes (as tests/builders.py):
- CSV: the 32 columns of "LiteLLM_SpendLogs" as `COPY "LiteLLM_SpendLogs" TO STDOUT WITH CSV HEADER` writes them
  (NULL as an unquoted empty field, '' as "", JSON columns as JSON text, timestamps as `2026-10-02 10:15:03.12`).
- JSONL: one `GET /spend/logs` row per line (metadata and request_tags as JSON values, ISO timestamps with Z).

Row `i` is a pure function of (seed, i), so a file of ids [lo, hi) and one of [lo', hi') agree on the ids they
share: the "overlap" file covers [rows/2, rows/2 + rows) and shares half its request ids with the main file.

Deliberate defects: every row with i % DEFECT_EVERY == 0 has prompt_tokens '12x' and is quarantined on ingest.

    python bench/generate.py --rows 1000000 --format csv --out bench/data
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

DEFECT_EVERY = 9973
MONTH = "2026-10"
_MONTH_START = "2026-10-01 00:00:00"
_MONTH_MS = 31 * 24 * 3600 * 1000

#: (model, provider, call_type, model_group, api_base, input, cache read, cache write, output) USD per MTok, as
#: in the bundled pricing/*.yaml; weights are out of 100. The test recomputes costs from this table.
MODELS: tuple[tuple[str, str, str, str, str, str, str, str, str, int], ...] = (
    ("gpt-4.1-2025-04-14", "openai", "acompletion", "gpt-4.1", "https://api.openai.com/v1",
     "2.00", "0.50", "0", "8.00", 25),
    ("gpt-4o-mini-2024-07-18", "openai", "acompletion", "gpt-4o-mini", "https://api.openai.com/v1",
     "0.15", "0.075", "0", "0.60", 25),
    ("claude-sonnet-4-5-20250929", "anthropic", "acompletion", "claude-sonnet-4-5", "https://api.anthropic.com",
     "3.00", "0.30", "3.75", "15.00", 25),
    ("claude-haiku-4-5-20251001", "anthropic", "anthropic_messages", "claude-haiku-4-5", "https://api.anthropic.com",
     "1.00", "0.10", "1.25", "5.00", 15),
    ("text-embedding-3-small", "openai", "aembedding", "text-embedding-3-small", "https://api.openai.com/v1",
     "0.02", "0", "0", "0", 10),
)  # fmt: skip

#: team alias -> weight out of 100; None is the team-less shared playground key.
TEAMS: tuple[tuple[str | None, int], ...] = (
    ("engineering", 35),
    ("marketing", 20),
    ("support", 20),
    ("sales", 12),
    ("product", 8),
    (None, 5),
)
FEATURES = ("search", "chatbot", "summarise", "lead-scorer", "classify", "extract", "translate")

BENCH_CONFIG = """\
currency: USD
cost_centers:
  - {code: "CC-1100", name: Engineering, owner: cto@acme.example, monthly_budget: "12000.00"}
  - {code: "CC-2100", name: Marketing, owner: cmo@acme.example, monthly_budget: "8000.00"}
  - {code: "CC-3100", name: Support, owner: vp-support@acme.example, monthly_budget: "5000.00"}
  - {code: "CC-4100", name: Sales, owner: cro@acme.example, monthly_budget: "6000.00"}
  - {code: "CC-5100", name: Product, owner: cpo@acme.example, monthly_budget: "4000.00"}
rules:
  - {cost_center: "CC-1100", match: {team: engineering}}
  - {cost_center: "CC-2100", match: {team: marketing}}
  - {cost_center: "CC-3100", match: {team: support}}
  - {cost_center: "CC-4100", match: {team: sales}}
  - {cost_center: "CC-5100", match: {team: product}}
  - {cost_center: "CC-4100", match: {tag: "feature:lead-scorer"}}
shared_pools:
  - {name: llm-gateway-platform, amount: "1500.00", split: proportional}
"""


def _weighted_case(expression: str, choices: list[str], weights: list[int]) -> str:
    """CASE over a value in [0, 100) picking choices[k] with probability weights[k] / 100."""
    assert sum(weights) == 100
    parts, bound = [], 0
    for choice, weight in zip(choices, weights, strict=True):
        bound += weight
        parts.append(f"WHEN {expression} < {bound} THEN {choice}")
    return "CASE " + " ".join(parts) + " END"


def _sql_text(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def _base_sql(seed: int, lo: int, hi: int) -> str:
    """One row per i in [lo, hi): typed values (ints, text, JSON text) every output format is built from."""
    # A 64-bit LCG step over (seed, i, k), high bits kept: fast, portable, no dependency on DuckDB's hash().
    rnd = (
        "(CAST((((CAST(i AS HUGEINT) * 1000003 + {k} * 7919 + {seed} * 104729) * 6364136223846793005"
        " + 1442695040888963407) % 18446744073709551616) AS HUGEINT) >> 33)"
    )

    def r(k: int, modulo: int) -> str:
        return f"CAST({rnd.format(k=k, seed=seed)} % {modulo} AS BIGINT)"

    model_idx = _weighted_case("m_pick", [str(n) for n in range(len(MODELS))], [m[-1] for m in MODELS])
    team_idx = _weighted_case("t_pick", [str(n) for n in range(len(TEAMS))], [t[1] for t in TEAMS])
    models = "[" + ", ".join(_sql_text(m[0]) for m in MODELS) + "]"
    providers = "[" + ", ".join(_sql_text(m[1]) for m in MODELS) + "]"
    call_types = "[" + ", ".join(_sql_text(m[2]) for m in MODELS) + "]"
    groups = "[" + ", ".join(_sql_text(m[3]) for m in MODELS) + "]"
    bases = "[" + ", ".join(_sql_text(m[4]) for m in MODELS) + "]"
    teams = "[" + ", ".join(_sql_text(t[0]) for t in TEAMS) + "]"
    features = "[" + ", ".join(_sql_text(f) for f in FEATURES) + "]"
    return f"""
    WITH picks AS (
        SELECT i, {r(1, 100)} AS m_pick, {r(2, 100)} AS t_pick, {r(3, 2678400000)} AS at_ms,
               {r(4, 8000)} AS p_raw, {r(5, 1200)} AS c_raw, {r(6, 100)} AS cache_pick, {r(7, 40)} AS key_n,
               {r(8, 500)} AS user_n, {r(9, 5000)} AS end_user_n, {r(10, 100)} AS status_pick,
               {r(11, 9000)} AS duration_ms, {r(12, len(FEATURES))} AS feature_n, {r(13, 100)} AS env_pick
        FROM range({lo}, {hi}) AS t(i)
    ),
    chosen AS (
        SELECT *, {model_idx} + 1 AS m, {team_idx} + 1 AS t,
               TIMESTAMP '{_MONTH_START}' + to_milliseconds(at_ms) AS started
        FROM picks
    ),
    sized AS (
        SELECT *,
            {models}[m] AS model, {providers}[m] AS provider, {call_types}[m] AS call_type,
            {groups}[m] AS model_group, {bases}[m] AS api_base, {teams}[t] AS team,
            status_pick = 0 AS failed,
            CASE WHEN status_pick = 0 THEN 0 ELSE 200 + p_raw * (1 + p_raw % 7) END AS prompt_all,
            CASE WHEN status_pick = 0 OR m = {len(MODELS)} THEN 0 ELSE 20 + c_raw END AS completion
        FROM chosen
    ),
    cached AS (
        SELECT *,
            -- OpenAI: automatic prompt caching on ~40 % of requests; Anthropic: explicit reads and writes
            CASE WHEN failed OR model_group = 'text-embedding-3-small' THEN 0
                 WHEN cache_pick < 40 THEN (prompt_all * (cache_pick + 20)) // 100 ELSE 0 END AS cache_read,
            CASE WHEN provider = 'anthropic' AND NOT failed AND cache_pick >= 85
                 THEN (prompt_all * (cache_pick - 80)) // 100 ELSE 0 END AS cache_write
        FROM sized
    )
    SELECT
        i,
        'chatcmpl-{seed:x}-' || lpad(CAST(i AS VARCHAR), 10, '0') AS request_id,
        call_type,
        md5('key-' || key_n) || md5('salt-' || key_n) AS api_key,
        prompt_all + completion AS total_tokens,
        prompt_all AS prompt_tokens,
        completion AS completion_tokens,
        cache_read, cache_write,
        started,
        started + to_milliseconds(duration_ms + 120) AS ended,
        started + to_milliseconds(120 + duration_ms // 5) AS first_token,
        duration_ms + 120 AS request_duration_ms,
        model, model_group, provider, api_base,
        'dep-' || model_group || '-' || CASE WHEN key_n % 2 = 0 THEN 'east' ELSE 'west' END AS model_id,
        'user' || user_n || '@acme.example' AS user_email,
        'cust_' || end_user_n AS end_user,
        coalesce(team, 'shared') AS key_team_word,
        team,
        CASE WHEN team IS NULL THEN NULL ELSE 'team-' || team END AS team_id,
        CASE WHEN team IS NULL THEN 'shared-playground' ELSE team || '-svc-' || key_n END AS key_alias,
        {features}[feature_n + 1] AS feature,
        CASE WHEN env_pick < 85 THEN 'prod' ELSE 'staging' END AS environment,
        CASE WHEN failed THEN 'failure' ELSE 'success' END AS status,
        'sess-' || md5('session-' || (i // 7)) AS session_id,
        -- LiteLLM's own spend: a float estimate (kept as reported_cost, never used as the price)
        round((prompt_all - cache_read - cache_write) * 2.0e-6 + cache_read * 0.5e-6 + cache_write * 3.75e-6
              + completion * 8.0e-6, 8) AS spend,
        i % {DEFECT_EVERY} = 0 AS defective
    FROM cached
    """


def _usage_object_sql() -> str:
    return """
        CASE WHEN provider = 'anthropic' THEN
            '{"completion_tokens":' || completion_tokens || ',"prompt_tokens":' || prompt_tokens
            || ',"total_tokens":' || total_tokens
            || ',"completion_tokens_details":{"accepted_prediction_tokens":null,"audio_tokens":null,'
            || '"reasoning_tokens":0,"rejected_prediction_tokens":null,"text_tokens":null}'
            || ',"prompt_tokens_details":{"audio_tokens":null,"cached_tokens":' || cache_read
            || ',"text_tokens":null,"image_tokens":null,"cache_creation_tokens":' || cache_write || '}'
            || ',"cache_creation_input_tokens":' || cache_write || ',"cache_read_input_tokens":' || cache_read || '}'
        ELSE
            '{"completion_tokens":' || completion_tokens || ',"prompt_tokens":' || prompt_tokens
            || ',"total_tokens":' || total_tokens
            || ',"completion_tokens_details":{"accepted_prediction_tokens":0,"audio_tokens":0,'
            || '"reasoning_tokens":0,"rejected_prediction_tokens":0,"text_tokens":null}'
            || ',"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":' || cache_read
            || ',"text_tokens":null,"image_tokens":null}}'
        END
    """


def _metadata_sql() -> str:
    """The metadata JSON of a spend-log row (SpendLogsMetadata), with attribution, tags and usage_object."""
    return f"""
        '{{"status":"' || status || '","user_api_key_alias":"' || key_alias
        || '","user_api_key_team_id":' || CASE WHEN team_id IS NULL THEN 'null' ELSE '"' || team_id || '"' END
        || ',"user_api_key_team_alias":' || CASE WHEN team IS NULL THEN 'null' ELSE '"' || team || '"' END
        || ',"user_api_key_org_id":null,"user_api_key_user_id":"' || user_email
        || '","user_api_key_user_email":null,"user_api_key_end_user_id":"' || end_user
        || '","user_api_key_request_route":"/chat/completions","spend_logs_metadata":{{"environment":"'
        || environment || '","feature":"' || feature || '"}},"applied_guardrails":[],'
        || '"litellm_overhead_time_ms":' || (request_duration_ms % 17) || '.41,"attempted_retries":0,'
        || '"max_retries":2,"model_map_information":{{"model_map_key":"' || model
        || '","model_map_value":null}},"usage_object":' || ({_usage_object_sql()})
        || ',"additional_usage_values":{{}}' || CASE WHEN status = 'failure'
            THEN ',"error_information":{{"error_code":"429","error_class":"RateLimitError","llm_provider":"'
                 || provider || '","error_message":"rate limited"}}' ELSE '' END
        || '}}'
    """


@dataclass(frozen=True)
class GeneratedFile:
    path: Path
    rows: int  # records in the file
    defects: int  # rows that are quarantined on purpose
    first_id: int
    last_id: int  # exclusive


def defects_in(lo: int, hi: int) -> int:
    """How many i in [lo, hi) are deliberate defects."""
    return (hi - 1) // DEFECT_EVERY - (lo - 1) // DEFECT_EVERY if hi > lo else 0


def write_file(path: Path, *, rows: int, fmt: str = "csv", seed: int = 1, offset: int = 0) -> GeneratedFile:
    """Write rows with ids [offset, offset + rows) as CSV or JSON Lines; return what was written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    base = _base_sql(seed, offset, offset + rows)
    connection = duckdb.connect()
    try:
        connection.execute("SET preserve_insertion_order = true")
        prompt = "CASE WHEN defective THEN prompt_tokens || 'x' ELSE CAST(prompt_tokens AS VARCHAR) END"
        if fmt == "csv":
            ts = "strftime({c}, '%Y-%m-%d %H:%M:%S.%g')"
            select = f"""
                SELECT request_id, call_type, api_key, spend, total_tokens, {prompt} AS prompt_tokens,
                       completion_tokens, {ts.format(c="started")} AS "startTime",
                       {ts.format(c="ended")} AS "endTime", request_duration_ms,
                       {ts.format(c="first_token")} AS "completionStartTime", model, model_id, model_group,
                       provider AS custom_llm_provider, api_base, user_email AS "user",
                       {_metadata_sql()} AS metadata, 'False' AS cache_hit, '' AS cache_key,
                       '["feature:' || feature || '","env:' || environment || '"]' AS request_tags, team_id,
                       NULL AS organization_id, end_user, NULL AS requester_ip_address, '{{}}' AS messages,
                       '{{}}' AS response, session_id, status, NULL AS mcp_namespaced_tool_name,
                       NULL AS agent_id, '{{}}' AS proxy_server_request
                FROM ({base}) ORDER BY i
            """
            options = "FORMAT csv, HEADER true"
        elif fmt == "jsonl":
            ts = "strftime({c}, '%Y-%m-%dT%H:%M:%S.%fZ')"
            select = f"""
                SELECT request_id, call_type, api_key, spend, total_tokens,
                       CASE WHEN defective THEN to_json({prompt}) ELSE to_json(prompt_tokens) END AS prompt_tokens,
                       completion_tokens, {ts.format(c="started")} AS "startTime",
                       {ts.format(c="ended")} AS "endTime", request_duration_ms,
                       {ts.format(c="first_token")} AS "completionStartTime", model, model_id, model_group,
                       provider AS custom_llm_provider, api_base, user_email AS "user",
                       CAST({_metadata_sql()} AS JSON) AS metadata, 'False' AS cache_hit, '' AS cache_key,
                       CAST('["feature:' || feature || '","env:' || environment || '"]' AS JSON) AS request_tags,
                       team_id, NULL AS organization_id, end_user, NULL AS requester_ip_address,
                       CAST('{{}}' AS JSON) AS messages, CAST('{{}}' AS JSON) AS response, session_id, status,
                       NULL AS mcp_namespaced_tool_name, NULL AS agent_id,
                       CAST('{{}}' AS JSON) AS proxy_server_request
                FROM ({base}) ORDER BY i
            """
            options = "FORMAT json"
        else:
            raise ValueError(f"unknown format {fmt!r}")
        connection.execute(f"COPY ({select}) TO '{path}' ({options})")
    finally:
        connection.close()
    return GeneratedFile(path, rows, defects_in(offset, offset + rows), offset, offset + rows)


def generate_pair(out: Path, *, rows: int, fmt: str = "csv", seed: int = 1) -> tuple[GeneratedFile, GeneratedFile]:
    """The main file (ids [0, rows)) and the overlap file (ids [rows/2, rows/2 + rows)), reused if present."""
    suffix = "csv" if fmt == "csv" else "jsonl"
    main_path = out / f"spendlogs_{rows}_s{seed}.{suffix}"
    overlap_path = out / f"spendlogs_{rows}_s{seed}_overlap.{suffix}"
    half = rows // 2
    files = []
    for path, offset in ((main_path, 0), (overlap_path, half)):
        if path.exists():
            files.append(GeneratedFile(path, rows, defects_in(offset, offset + rows), offset, offset + rows))
        else:
            partial = path.with_suffix(".tmp")
            files.append(replace(write_file(partial, rows=rows, fmt=fmt, seed=seed, offset=offset), path=path))
            partial.rename(path)
    return files[0], files[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args()
    started = time.perf_counter()
    main_file, overlap = generate_pair(args.out, rows=args.rows, fmt=args.format, seed=args.seed)
    elapsed = time.perf_counter() - started
    for generated in (main_file, overlap):
        size_mb = generated.path.stat().st_size / 1e6
        print(f"{generated.path}  rows={generated.rows}  defects={generated.defects}  {size_mb:.1f} MB")
    print(f"generated in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
