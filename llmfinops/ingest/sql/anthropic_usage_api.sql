-- Anthropic Admin API messages usage report pages (raw_records: one time bucket per element of `data`, its
-- results[] as JSON text) -> one bucket-grain usage row per result, a skipped row per empty bucket, and a rejection
-- for buckets or results that fail checks. Conventions and sources: anthropic_exports.py.
-- continues the CTEs of _anthropic_report_buckets.sql (buckets, bucket checks, results, envelope_rows)
fields AS (
    SELECT
        *,
        json_type(result) = 'OBJECT' AS is_object,
        result ->> 'uncached_input_tokens' AS uncached_text,
        result ->> 'cache_read_input_tokens' AS cache_read_text,
        result -> 'cache_creation' ->> 'ephemeral_5m_input_tokens' AS write_5m_text,
        result -> 'cache_creation' ->> 'ephemeral_1h_input_tokens' AS write_1h_text,
        result ->> 'output_tokens' AS output_text,
        result -> 'server_tool_use' ->> 'web_search_requests' AS web_search_text,
        nullif(trim(result ->> 'model'), '') AS model_written,
        nullif(trim(result ->> 'workspace_id'), '') AS workspace_id,
        nullif(trim(result ->> 'api_key_id'), '') AS api_key_id,
        nullif(trim(result ->> 'account_id'), '') AS account_id,
        nullif(trim(result ->> 'service_account_id'), '') AS service_account_id,
        nullif(trim(result ->> 'service_tier'), '') AS service_tier_written,
        nullif(trim(result ->> 'context_window'), '') AS context_window_written,
        nullif(trim(result ->> 'inference_geo'), '') AS inference_geo,
        nullif(trim(result ->> 'speed'), '') AS speed
    FROM results
),
counted AS (
    SELECT
        *,
        -- an absent count is 0 (older responses have no 1-hour cache field); an unreadable one is rejected below
        coalesce(whole_number(uncached_text), 0) AS uncached_count,
        coalesce(whole_number(cache_read_text), 0) AS cache_read_count,
        coalesce(whole_number(write_5m_text), 0) AS write_5m_count,
        coalesce(whole_number(write_1h_text), 0) AS write_1h_count,
        coalesce(whole_number(output_text), 0) AS output_count,
        coalesce(whole_number(web_search_text), 0) AS web_search_count_parsed,
        -- tiers as the price tables know them (docs/pricing.md); the tier as written is kept in tags
        CASE lower(coalesce(service_tier_written, 'standard'))
            WHEN 'standard' THEN 'standard'
            WHEN 'batch' THEN 'batch'
            WHEN 'priority' THEN 'priority'
            WHEN 'priority_on_demand' THEN 'priority'
            WHEN 'flex' THEN 'flex'
            WHEN 'flex_discount' THEN 'flex'
        END AS service_tier,
        CASE lower(coalesce(context_window_written, '0-200k'))
            WHEN '0-200k' THEN false
            WHEN '200k-1m' THEN true
        END AS long_context
    FROM fields
),
checked AS (
    SELECT
        *,
        CASE
            WHEN NOT is_object THEN {'field': 'results', 'reason': 'not a JSON object'}
            WHEN uncached_text IS NOT NULL AND (whole_number(uncached_text) IS NULL OR uncached_count < 0)
                THEN {'field': 'uncached_input_tokens', 'reason': '''' || uncached_text || ''' is not a count'}
            WHEN cache_read_text IS NOT NULL AND (whole_number(cache_read_text) IS NULL OR cache_read_count < 0)
                THEN {'field': 'cache_read_input_tokens', 'reason': '''' || cache_read_text || ''' is not a count'}
            WHEN write_5m_text IS NOT NULL AND (whole_number(write_5m_text) IS NULL OR write_5m_count < 0)
                THEN {'field': 'cache_creation.ephemeral_5m_input_tokens',
                      'reason': '''' || write_5m_text || ''' is not a count'}
            WHEN write_1h_text IS NOT NULL AND (whole_number(write_1h_text) IS NULL OR write_1h_count < 0)
                THEN {'field': 'cache_creation.ephemeral_1h_input_tokens',
                      'reason': '''' || write_1h_text || ''' is not a count'}
            WHEN output_text IS NOT NULL AND (whole_number(output_text) IS NULL OR output_count < 0)
                THEN {'field': 'output_tokens', 'reason': '''' || output_text || ''' is not a count'}
            WHEN web_search_text IS NOT NULL AND (whole_number(web_search_text) IS NULL OR web_search_count_parsed < 0)
                THEN {'field': 'server_tool_use.web_search_requests',
                      'reason': '''' || web_search_text || ''' is not a count'}
            WHEN model_written IS NULL
                THEN {'field': 'model',
                      'reason': 'missing; fetch the report with group_by[]=model so each row can be priced'}
            WHEN service_tier IS NULL
                THEN {'field': 'service_tier',
                      'reason': '''' || service_tier_written || ''' is not a known tier (standard, batch, priority, '
                                || 'priority_on_demand, flex, flex_discount)'}
            WHEN long_context IS NULL
                THEN {'field': 'context_window',
                      'reason': '''' || context_window_written || ''' is not a known context window (0-200k, 200k-1M)'}
        END AS rejection
    FROM counted
)
SELECT
    -- the bucket (start and end: a 1h and a 1d bucket may start together) and every dimension of the result
    'anthropic_usage_api:' || CAST(to_json([
        strftime(bucket_start, '%Y-%m-%dT%H:%M:%S'), strftime(bucket_end, '%Y-%m-%dT%H:%M:%S'), model_written,
        workspace_id, api_key_id, account_id, service_account_id, service_tier_written, context_window_written,
        inference_geo, speed]) AS VARCHAR) AS natural_key,
    CAST(NULL AS VARCHAR) AS request_id,
    'bucket' AS grain,
    'provider' AS origin,
    bucket_start AS ts,
    'anthropic' AS provider,
    lower(model_written) AS model,
    model_written AS model_raw,
    'chat' AS operation,
    service_tier,
    -- the report's token classes are disjoint: no subtraction
    uncached_count AS input_tokens,
    cache_read_count AS cache_read_tokens,
    write_5m_count + write_1h_count AS cache_write_tokens,
    -- output_tokens includes extended thinking; the report has no separate reasoning count
    output_count AS output_tokens,
    0 AS reasoning_tokens,
    write_1h_count AS cache_write_1h_tokens,
    0 AS input_audio_tokens,
    0 AS output_audio_tokens,
    0 AS image_count,
    web_search_count_parsed AS web_search_count,
    -- the report has no request count
    0 AS request_count,
    'success' AS status,
    api_key_id,
    CAST(NULL AS VARCHAR) AS api_key_alias,
    CAST(NULL AS VARCHAR) AS project_id,
    -- NULL: the Default workspace, or a report not grouped by workspace_id (the file does not say which)
    workspace_id,
    -- the user account behind OAuth requests
    account_id AS user_id,
    CAST(NULL AS VARCHAR) AS end_user,
    CAST(NULL AS VARCHAR) AS team_id,
    CAST(NULL AS VARCHAR) AS team_alias,
    CAST(NULL AS VARCHAR) AS feature,
    CAST(NULL AS VARCHAR) AS environment,
    map_from_entries(list_filter([
        {'key': 'service_tier', 'value': service_tier_written},
        {'key': 'context_window', 'value': context_window_written},
        {'key': 'inference_geo', 'value': inference_geo},
        {'key': 'speed', 'value': speed},
        {'key': 'service_account_id', 'value': service_account_id}
    ], lambda entry: entry.value IS NOT NULL)) AS tags,
    CAST(NULL AS DECIMAL(38, 12)) AS reported_cost,
    'anthropic_usage_api: disjoint (uncached input, cache read, 5m + 1h cache writes, output incl. thinking)'
        AS token_convention,
    long_context,
    bucket_start AS period_start,
    bucket_end AS period_end,
    CAST(NULL AS VARCHAR) AS skip_reason,
    record_number,
    record_part,
    CAST(json_object('starting_at', starting_at, 'ending_at', ending_at, 'result', result) AS VARCHAR)
        AS quarantine_raw,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM checked
UNION ALL BY NAME
-- the envelope's own rows (see the prelude): empty buckets skipped with this format's reason, unreadable ones rejected
SELECT 'anthropic_usage_api:' || bucket_key AS natural_key,
       CASE WHEN reject_reason IS NULL THEN 'bucket with no usage' END AS skip_reason,
       * EXCLUDE (bucket_key)
FROM envelope_rows;
