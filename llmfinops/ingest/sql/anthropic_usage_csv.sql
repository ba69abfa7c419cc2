-- Anthropic Console usage CSV (raw_records: one row per UTC day, model, API key, workspace and dimension) ->
-- bucket-grain usage rows + a rejection for rows that fail checks. Conventions and sources: anthropic_exports.py.
WITH parsed AS (
    SELECT
        record_number,
        usage_date_utc,
        CAST(TRY_STRPTIME(trim(usage_date_utc), '%Y-%m-%d') AS TIMESTAMP) AS day_start,
        nullif(trim(model_version), '') AS model_written,
        nullif(trim(api_key), '') AS api_key_name,
        nullif(trim(workspace), '') AS workspace_name,
        nullif(trim(usage_type), '') AS usage_type,
        nullif(trim(context_window), '') AS context_window_written,
        nullif(trim(inference_geo), '') AS inference_geo,
        nullif(trim(speed), '') AS speed,
        usage_input_tokens_no_cache AS uncached_text,
        usage_input_tokens_cache_read AS cache_read_text,
        usage_output_tokens AS output_text,
        web_search_count AS web_search_text,
        -- newer files split cache writes by TTL; older ones have one column, from before 1-hour writes existed
        -- (decided for the whole file: a column a file does not have is NULL in every row)
        count(usage_input_tokens_cache_write_5m) OVER () + count(usage_input_tokens_cache_write_1h) OVER () > 0
            OR count(usage_input_tokens_cache_write) OVER () = 0 AS split_writes,
        usage_input_tokens_cache_write_5m AS write_5m_text,
        usage_input_tokens_cache_write_1h AS write_1h_text,
        usage_input_tokens_cache_write AS write_text
    FROM raw_records
    WHERE parse_error IS NULL
),
counted AS (
    SELECT
        *,
        -- an empty cell (or a column older files do not have) is 0; an unreadable count is rejected below
        coalesce(whole_number(uncached_text), 0) AS uncached_count,
        coalesce(whole_number(cache_read_text), 0) AS cache_read_count,
        coalesce(whole_number(output_text), 0) AS output_count,
        coalesce(whole_number(web_search_text), 0) AS web_search_count_parsed,
        CASE WHEN split_writes THEN coalesce(whole_number(write_5m_text), 0)
             ELSE coalesce(whole_number(write_text), 0) END AS write_5m_count,
        CASE WHEN split_writes THEN coalesce(whole_number(write_1h_text), 0) ELSE 0 END AS write_1h_count,
        -- usage_type: only "standard" is seen in files; the API's tier names are read the same way (UNCONFIRMED)
        CASE lower(coalesce(usage_type, 'standard'))
            WHEN 'standard' THEN 'standard'
            WHEN 'batch' THEN 'batch'
            WHEN 'priority' THEN 'priority'
            WHEN 'priority_on_demand' THEN 'priority'
            WHEN 'flex' THEN 'flex'
            WHEN 'flex_discount' THEN 'flex'
        END AS service_tier,
        -- "≤ 200k" (U+2264) is the base tier; the long tier's wording is UNCONFIRMED, so both of its likely forms
        -- are read and anything else is rejected rather than priced at a guessed tier
        CASE
            WHEN context_window_written IS NULL THEN false
            WHEN replace(lower(context_window_written), ' ', '') IN ('≤200k', '<=200k', '0-200k') THEN false
            WHEN replace(lower(context_window_written), ' ', '') IN ('>200k', '200k-1m') THEN true
        END AS long_context
    FROM parsed
),
checked AS (
    SELECT
        *,
        CASE
            WHEN nullif(trim(usage_date_utc), '') IS NULL THEN {'field': 'usage_date_utc', 'reason': 'missing'}
            WHEN day_start IS NULL
                THEN {'field': 'usage_date_utc', 'reason': '''' || usage_date_utc || ''' is not a YYYY-MM-DD date'}
            WHEN model_written IS NULL THEN {'field': 'model_version', 'reason': 'missing'}
            WHEN nullif(trim(uncached_text), '') IS NOT NULL
                 AND (whole_number(uncached_text) IS NULL OR uncached_count < 0)
                THEN {'field': 'usage_input_tokens_no_cache', 'reason': '''' || uncached_text || ''' is not a count'}
            WHEN split_writes AND nullif(trim(write_5m_text), '') IS NOT NULL
                 AND (whole_number(write_5m_text) IS NULL OR write_5m_count < 0)
                THEN {'field': 'usage_input_tokens_cache_write_5m',
                      'reason': '''' || write_5m_text || ''' is not a count'}
            WHEN split_writes AND nullif(trim(write_1h_text), '') IS NOT NULL
                 AND (whole_number(write_1h_text) IS NULL OR write_1h_count < 0)
                THEN {'field': 'usage_input_tokens_cache_write_1h',
                      'reason': '''' || write_1h_text || ''' is not a count'}
            WHEN NOT split_writes AND nullif(trim(write_text), '') IS NOT NULL
                 AND (whole_number(write_text) IS NULL OR write_5m_count < 0)
                THEN {'field': 'usage_input_tokens_cache_write', 'reason': '''' || write_text || ''' is not a count'}
            WHEN nullif(trim(cache_read_text), '') IS NOT NULL
                 AND (whole_number(cache_read_text) IS NULL OR cache_read_count < 0)
                THEN {'field': 'usage_input_tokens_cache_read',
                      'reason': '''' || cache_read_text || ''' is not a count'}
            WHEN nullif(trim(output_text), '') IS NOT NULL AND (whole_number(output_text) IS NULL OR output_count < 0)
                THEN {'field': 'usage_output_tokens', 'reason': '''' || output_text || ''' is not a count'}
            WHEN nullif(trim(web_search_text), '') IS NOT NULL
                 AND (whole_number(web_search_text) IS NULL OR web_search_count_parsed < 0)
                THEN {'field': 'web_search_count', 'reason': '''' || web_search_text || ''' is not a count'}
            WHEN service_tier IS NULL
                THEN {'field': 'usage_type',
                      'reason': '''' || usage_type || ''' is not a known tier (standard, batch, priority, '
                                || 'priority_on_demand, flex, flex_discount)'}
            WHEN long_context IS NULL
                THEN {'field': 'context_window',
                      'reason': '''' || context_window_written || ''' is not a known context window (≤ 200k, > 200k)'}
        END AS rejection
    FROM counted
)
SELECT
    -- the day and every dimension of the row
    'anthropic_usage_csv:' || CAST(to_json([
        strftime(day_start, '%Y-%m-%d'), model_written, api_key_name, workspace_name, usage_type,
        context_window_written, inference_geo, speed]) AS VARCHAR) AS natural_key,
    CAST(NULL AS VARCHAR) AS request_id,
    'bucket' AS grain,
    'provider' AS origin,
    day_start AS ts,
    'anthropic' AS provider,
    lower(model_written) AS model,
    model_written AS model_raw,
    'chat' AS operation,
    service_tier,
    uncached_count AS input_tokens,
    cache_read_count AS cache_read_tokens,
    write_5m_count + write_1h_count AS cache_write_tokens,
    output_count AS output_tokens,
    0 AS reasoning_tokens,
    write_1h_count AS cache_write_1h_tokens,
    0 AS input_audio_tokens,
    0 AS output_audio_tokens,
    0 AS image_count,
    web_search_count_parsed AS web_search_count,
    0 AS request_count,
    'success' AS status,
    CAST(NULL AS VARCHAR) AS api_key_id,
    -- the Console writes the key's name, not its id
    api_key_name AS api_key_alias,
    CAST(NULL AS VARCHAR) AS project_id,
    -- the workspace's name as written ("Default", "Claude Code"), not an id
    workspace_name AS workspace_id,
    CAST(NULL AS VARCHAR) AS user_id,
    CAST(NULL AS VARCHAR) AS end_user,
    CAST(NULL AS VARCHAR) AS team_id,
    CAST(NULL AS VARCHAR) AS team_alias,
    CAST(NULL AS VARCHAR) AS feature,
    CAST(NULL AS VARCHAR) AS environment,
    map_from_entries(list_filter([
        {'key': 'usage_type', 'value': usage_type},
        {'key': 'context_window', 'value': context_window_written},
        {'key': 'inference_geo', 'value': inference_geo},
        {'key': 'speed', 'value': speed}
    ], lambda entry: entry.value IS NOT NULL)) AS tags,
    CAST(NULL AS DECIMAL(38, 12)) AS reported_cost,
    CASE WHEN split_writes
         THEN 'anthropic_usage_csv: disjoint (no-cache input, cache read, 5m + 1h cache writes, output)'
         ELSE 'anthropic_usage_csv: disjoint (no-cache input, cache read, cache writes read as 5m, output)'
    END AS token_convention,
    long_context,
    day_start AS period_start,
    day_start + INTERVAL 1 DAY AS period_end,
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM checked;
