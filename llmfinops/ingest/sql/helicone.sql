-- Helicone request records (raw_records, all text) -> canonical usage rows + a rejection for rows that fail checks.
WITH parsed AS (
    SELECT
        record_number,
        coalesce(nullif(trim(request_id), ''), nullif(trim(response_id), '')) AS request_key,
        request_created_at, prompt_tokens, completion_tokens, prompt_cache_read_tokens, prompt_cache_write_tokens,
        prompt_audio_tokens, completion_audio_tokens, cost, request_properties,
        TRY_CAST(request_created_at AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS started_at,
        whole_number(prompt_tokens) AS prompt_parsed,
        whole_number(completion_tokens) AS completion_parsed,
        whole_number(prompt_cache_read_tokens) AS cache_read_parsed,
        whole_number(prompt_cache_write_tokens) AS cache_write_parsed,
        whole_number(prompt_audio_tokens) AS input_audio_parsed,
        whole_number(completion_audio_tokens) AS output_audio_parsed,
        -- costUSD (API record) and cost_usd (the export tool's CSV) are USD; ClickHouse's cost is USD x 1e9, an
        -- integer, converted by an exact decimal multiplication (never through a float).
        coalesce(nullif("costUSD", ''), nullif(cost_usd, '')) AS cost_usd_text,
        TRY_CAST(coalesce(nullif("costUSD", ''), nullif(cost_usd, '')) AS DECIMAL(38, 12)) AS cost_usd_amount,
        CAST(TRY_CAST(whole_number(cost) AS DECIMAL(29, 0)) * CAST('0.000000001' AS DECIMAL(9, 9))
             AS DECIMAL(38, 12)) AS cost_nano_amount,
        coalesce(nullif(trim(model_override), ''), nullif(trim(model), ''), nullif(trim(response_model), ''),
                 nullif(trim(request_model), '')) AS model_written,
        upper(nullif(trim(provider), '')) AS provider_written,
        TRY_CAST(nullif(response_status, '') AS INTEGER) AS http_status,
        nullif(request_user_id, '') AS request_user_id,
        nullif(request_path, '') AS request_path,
        CASE WHEN json_valid(request_properties) AND json_type(CAST(request_properties AS JSON)) = 'OBJECT'
             THEN CAST(request_properties AS JSON) END AS properties_json
    FROM raw_records
    WHERE parse_error IS NULL
),
counted AS (
    SELECT
        *,
        coalesce(prompt_parsed, 0) AS prompt_count,
        coalesce(completion_parsed, 0) AS completion_count,
        coalesce(cache_read_parsed, 0) AS cache_read_count,
        coalesce(cache_write_parsed, 0) AS cache_write_count,
        coalesce(input_audio_parsed, 0) AS input_audio_count,
        coalesce(output_audio_parsed, 0) AS output_audio_count,
        coalesce(list_transform(json_keys(properties_json),
                                lambda tag_key: {'key': tag_key, 'value': properties_json ->> tag_key}), [])
            AS tag_entries
    FROM parsed
),
converted AS (
    -- Helicone stores Anthropic's input_tokens as prompt_tokens (cache excluded; anthropicBodyProcessor). For other
    -- providers the record keeps the provider's prompt_tokens, which (OpenAI shape) include cached tokens: take the
    -- first reading that leaves a non-negative uncached count, and record which one.
    SELECT
        *,
        CASE
            WHEN provider_written = 'ANTHROPIC' THEN prompt_count
            ELSE uncached_prompt(prompt_count, cache_read_count, cache_write_count)
        END AS uncached_input_count,
        CASE
            WHEN provider_written = 'ANTHROPIC'
                THEN 'helicone: prompt_tokens excludes cached tokens (anthropic input_tokens)'
            ELSE 'helicone: prompt_tokens ' || prompt_convention(prompt_count, cache_read_count, cache_write_count)
        END AS convention,
        map_from_entries(tag_entries) AS tags,
        list_filter(tag_entries, lambda entry: lower(entry.key) = 'feature')[1].value AS feature_tag,
        list_filter(tag_entries, lambda entry: lower(entry.key) IN ('environment', 'env'))[1].value AS environment_tag,
        list_filter(tag_entries, lambda entry: lower(entry.key) = 'team')[1].value AS team_tag,
        list_filter(tag_entries, lambda entry: lower(entry.key) = 'project')[1].value AS project_tag
    FROM counted
),
checked AS (
    SELECT
        *,
        CASE
            WHEN request_key IS NULL THEN {'field': 'request_id', 'reason': 'missing (and no response_id)'}
            WHEN nullif(trim(request_created_at), '') IS NULL THEN {'field': 'request_created_at', 'reason': 'missing'}
            WHEN started_at IS NULL
                THEN {'field': 'request_created_at',
                      'reason': '''' || request_created_at || ''' is not an ISO-8601 timestamp'}
            WHEN model_written IS NULL
                THEN {'field': 'model', 'reason': 'missing (and no response_model or request_model)'}
            WHEN nullif(prompt_tokens, '') IS NOT NULL AND (prompt_parsed IS NULL OR prompt_parsed < 0)
                THEN {'field': 'prompt_tokens', 'reason': '''' || prompt_tokens || ''' is not a count'}
            WHEN nullif(completion_tokens, '') IS NOT NULL AND (completion_parsed IS NULL OR completion_parsed < 0)
                THEN {'field': 'completion_tokens', 'reason': '''' || completion_tokens || ''' is not a count'}
            WHEN nullif(prompt_cache_read_tokens, '') IS NOT NULL AND (cache_read_parsed IS NULL OR cache_read_parsed < 0)
                THEN {'field': 'prompt_cache_read_tokens',
                      'reason': '''' || prompt_cache_read_tokens || ''' is not a count'}
            WHEN nullif(prompt_cache_write_tokens, '') IS NOT NULL
                 AND (cache_write_parsed IS NULL OR cache_write_parsed < 0)
                THEN {'field': 'prompt_cache_write_tokens',
                      'reason': '''' || prompt_cache_write_tokens || ''' is not a count'}
            WHEN (nullif(prompt_audio_tokens, '') IS NOT NULL AND (input_audio_parsed IS NULL OR input_audio_parsed < 0))
                 OR (nullif(completion_audio_tokens, '') IS NOT NULL
                     AND (output_audio_parsed IS NULL OR output_audio_parsed < 0))
                THEN {'field': 'prompt_audio_tokens', 'reason': 'an audio token count is not a count'}
            WHEN cost_usd_text IS NOT NULL AND cost_usd_amount IS NULL
                THEN {'field': 'costUSD', 'reason': '''' || cost_usd_text || ''' is not a decimal amount'}
            WHEN cost_usd_text IS NULL AND nullif(cost, '') IS NOT NULL AND cost_nano_amount IS NULL
                THEN {'field': 'cost', 'reason': '''' || cost
                      || ''' is not a whole number (ClickHouse cost is USD x 1,000,000,000)'}
            WHEN nullif(request_properties, '') IS NOT NULL AND request_properties <> 'null' AND properties_json IS NULL
                THEN {'field': 'request_properties', 'reason': 'not a JSON object'}
            WHEN input_audio_count > uncached_input_count
                THEN {'field': 'prompt_tokens', 'reason': 'smaller than its prompt_audio_tokens'}
            WHEN output_audio_count > completion_count
                THEN {'field': 'completion_tokens', 'reason': 'smaller than its completion_audio_tokens'}
        END AS rejection
    FROM converted
)
SELECT
    'helicone:' || request_key AS natural_key,
    request_key AS request_id,
    'request' AS grain,
    'gateway' AS origin,
    started_at AS ts,
    lower(coalesce(provider_written,
                   nullif(split_part(model_written, '/', 1), model_written), 'unknown')) AS provider,
    lower(regexp_replace(model_written, '^.*/', '')) AS model,
    model_written AS model_raw,
    CASE
        WHEN request_path LIKE '%embeddings%' THEN 'embedding'
        WHEN request_path LIKE '%images%' THEN 'image'
        WHEN request_path LIKE '%audio%' THEN 'audio'
        ELSE 'chat'
    END AS operation,
    'standard' AS service_tier,
    uncached_input_count AS input_tokens,
    cache_read_count AS cache_read_tokens,
    cache_write_count AS cache_write_tokens,
    completion_count AS output_tokens,
    -- Helicone's request record has no reasoning count (reasoning is inside completion_tokens).
    0 AS reasoning_tokens,
    0 AS cache_write_1h_tokens,
    input_audio_count AS input_audio_tokens,
    output_audio_count AS output_audio_tokens,
    0 AS image_count,
    0 AS web_search_count,
    1 AS request_count,
    CASE
        WHEN http_status BETWEEN 200 AND 299 THEN 'success'
        WHEN http_status = -3 THEN 'cancelled'  -- Helicone's INTERNAL_ERRORS.Cancelled
        WHEN http_status IS NULL THEN 'unknown'
        ELSE 'failure'
    END AS status,
    CAST(NULL AS VARCHAR) AS api_key_id,
    CAST(NULL AS VARCHAR) AS api_key_alias,
    project_tag AS project_id,
    CAST(NULL AS VARCHAR) AS workspace_id,
    CAST(NULL AS VARCHAR) AS user_id,
    -- Helicone-User-Id is the application's end user, not a member of the Helicone organisation.
    request_user_id AS end_user,
    CAST(NULL AS VARCHAR) AS team_id,
    team_tag AS team_alias,
    feature_tag AS feature,
    environment_tag AS environment,
    tags,
    coalesce(cost_usd_amount, cost_nano_amount) AS reported_cost,
    convention AS token_convention,
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM checked;
