-- OpenRouter activity rows (GET /api/v1/activity: one row per day, model and endpoint) -> bucket-grain usage rows.
WITH parsed AS (
    SELECT
        record_number,
        "date", requests, prompt_tokens, completion_tokens, reasoning_tokens, "usage",
        TRY_CAST(nullif(trim("date"), '') AS DATE) AS usage_date,
        whole_number(requests) AS requests_parsed,
        whole_number(prompt_tokens) AS prompt_parsed,
        whole_number(completion_tokens) AS completion_parsed,
        whole_number(reasoning_tokens) AS reasoning_parsed,
        TRY_CAST(nullif("usage", '') AS DECIMAL(38, 12)) AS usage_amount,
        TRY_CAST(nullif(byok_usage_inference, '') AS DECIMAL(38, 12)) AS byok_amount,
        byok_usage_inference,
        nullif(trim(coalesce(nullif(model_permaslug, ''), model)), '') AS model_written,
        nullif(trim(endpoint_id), '') AS endpoint_id,
        nullif(provider_name, '') AS provider_name
    FROM raw_records
    WHERE parse_error IS NULL
),
checked AS (
    SELECT
        *,
        CASE
            WHEN nullif(trim("date"), '') IS NULL THEN {'field': 'date', 'reason': 'missing'}
            WHEN usage_date IS NULL THEN {'field': 'date', 'reason': '''' || "date" || ''' is not a YYYY-MM-DD date'}
            WHEN model_written IS NULL THEN {'field': 'model', 'reason': 'missing (and no model_permaslug)'}
            WHEN requests_parsed IS NULL OR requests_parsed < 1
                THEN {'field': 'requests', 'reason': '''' || coalesce(requests, '') || ''' is not a positive count'}
            WHEN nullif(prompt_tokens, '') IS NOT NULL AND (prompt_parsed IS NULL OR prompt_parsed < 0)
                THEN {'field': 'prompt_tokens', 'reason': '''' || prompt_tokens || ''' is not a count'}
            WHEN nullif(completion_tokens, '') IS NOT NULL AND (completion_parsed IS NULL OR completion_parsed < 0)
                THEN {'field': 'completion_tokens', 'reason': '''' || completion_tokens || ''' is not a count'}
            WHEN nullif(reasoning_tokens, '') IS NOT NULL AND (reasoning_parsed IS NULL OR reasoning_parsed < 0)
                THEN {'field': 'reasoning_tokens', 'reason': '''' || reasoning_tokens || ''' is not a count'}
            WHEN coalesce(reasoning_parsed, 0) > coalesce(completion_parsed, 0)
                THEN {'field': 'reasoning_tokens', 'reason': 'larger than completion_tokens, which include reasoning'}
            WHEN nullif("usage", '') IS NOT NULL AND usage_amount IS NULL
                THEN {'field': 'usage', 'reason': '''' || "usage" || ''' is not a decimal amount'}
            WHEN nullif(byok_usage_inference, '') IS NOT NULL AND byok_amount IS NULL
                THEN {'field': 'byok_usage_inference',
                      'reason': '''' || byok_usage_inference || ''' is not a decimal amount'}
        END AS rejection
    FROM parsed
)
SELECT
    -- One row per day, model and endpoint: the same key from an overlapping export is the same bucket.
    'openrouter_activity:' || strftime(usage_date, '%Y-%m-%d') || ':' || model_written || ':'
        || coalesce(endpoint_id, provider_name, '') AS natural_key,
    CAST(NULL AS VARCHAR) AS request_id,
    'bucket' AS grain,
    'gateway' AS origin,
    CAST(usage_date AS TIMESTAMP) AS ts,
    lower(CASE WHEN contains(model_written, '/') THEN split_part(model_written, '/', 1) ELSE 'openrouter' END)
        AS provider,
    lower(regexp_replace(model_written, '^.*/', '')) AS model,
    model_written AS model_raw,
    'chat' AS operation,
    'standard' AS service_tier,
    -- Activity rows carry no cached-token count: cached prompt tokens stay inside input_tokens (priced uncached).
    coalesce(prompt_parsed, 0) AS input_tokens,
    0 AS cache_read_tokens,
    0 AS cache_write_tokens,
    coalesce(completion_parsed, 0) AS output_tokens,
    coalesce(reasoning_parsed, 0) AS reasoning_tokens,
    0 AS cache_write_1h_tokens,
    0 AS input_audio_tokens,
    0 AS output_audio_tokens,
    0 AS image_count,
    0 AS web_search_count,
    requests_parsed AS request_count,
    'success' AS status,
    CAST(NULL AS VARCHAR) AS api_key_id,
    CAST(NULL AS VARCHAR) AS api_key_alias,
    CAST(NULL AS VARCHAR) AS project_id,
    CAST(NULL AS VARCHAR) AS workspace_id,
    CAST(NULL AS VARCHAR) AS user_id,
    CAST(NULL AS VARCHAR) AS end_user,
    CAST(NULL AS VARCHAR) AS team_id,
    CAST(NULL AS VARCHAR) AS team_alias,
    CAST(NULL AS VARCHAR) AS feature,
    CAST(NULL AS VARCHAR) AS environment,
    map_from_entries(list_filter([
        {'key': 'provider_name', 'value': provider_name},
        {'key': 'endpoint_id', 'value': endpoint_id},
        {'key': 'byok_usage_inference', 'value': CAST(byok_amount AS VARCHAR)}
    ], lambda entry: entry.value IS NOT NULL)) AS tags,
    -- usage is what OpenRouter charged in credits (USD); BYOK spend billed by the provider is only a tag.
    usage_amount AS reported_cost,
    'openrouter activity: prompt_tokens includes any cached tokens (no split given)' AS token_convention,
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM checked;
