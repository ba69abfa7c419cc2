-- Canonical request rows (raw_records, all text) -> usage rows + a rejection for rows that fail checks.
WITH parsed AS (
    SELECT
        *,
        nullif(trim(request_id), '') AS request_key,
        TRY_CAST(ts AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS started_at,
        whole_number(input_tokens) AS input_parsed,
        whole_number(cache_read_tokens) AS cache_read_parsed,
        whole_number(cache_write_tokens) AS cache_write_parsed,
        whole_number(output_tokens) AS output_parsed,
        whole_number(reasoning_tokens) AS reasoning_parsed,
        whole_number(request_count) AS request_count_parsed,
        whole_number(cache_write_1h_tokens) AS cache_write_1h_parsed,
        whole_number(input_audio_tokens) AS input_audio_parsed,
        whole_number(output_audio_tokens) AS output_audio_parsed,
        whole_number(image_count) AS image_parsed,
        whole_number(web_search_count) AS web_search_parsed,
        TRY_CAST(reported_cost AS DECIMAL(38, 12)) AS reported_amount,
        lower(coalesce(nullif(service_tier, ''), 'standard')) AS tier,
        CASE WHEN json_valid(tags) AND json_type(CAST(tags AS JSON)) = 'OBJECT' THEN CAST(tags AS JSON) END
            AS tags_json
    FROM raw_records
    WHERE parse_error IS NULL
),
checked AS (
    SELECT
        *,
        CASE
            WHEN request_key IS NULL THEN {'field': 'request_id', 'reason': 'missing'}
            WHEN nullif(trim(ts), '') IS NULL THEN {'field': 'ts', 'reason': 'missing'}
            WHEN started_at IS NULL THEN {'field': 'ts', 'reason': '''' || ts || ''' is not an ISO-8601 timestamp'}
            WHEN nullif(trim(provider), '') IS NULL THEN {'field': 'provider', 'reason': 'missing'}
            WHEN nullif(trim(model), '') IS NULL THEN {'field': 'model', 'reason': 'missing'}
            WHEN nullif(input_tokens, '') IS NOT NULL AND (input_parsed IS NULL OR input_parsed < 0)
                THEN {'field': 'input_tokens', 'reason': '''' || input_tokens || ''' is not a count'}
            WHEN nullif(cache_read_tokens, '') IS NOT NULL AND (cache_read_parsed IS NULL OR cache_read_parsed < 0)
                THEN {'field': 'cache_read_tokens', 'reason': '''' || cache_read_tokens || ''' is not a count'}
            WHEN nullif(cache_write_tokens, '') IS NOT NULL AND (cache_write_parsed IS NULL OR cache_write_parsed < 0)
                THEN {'field': 'cache_write_tokens', 'reason': '''' || cache_write_tokens || ''' is not a count'}
            WHEN nullif(output_tokens, '') IS NOT NULL AND (output_parsed IS NULL OR output_parsed < 0)
                THEN {'field': 'output_tokens', 'reason': '''' || output_tokens || ''' is not a count'}
            WHEN nullif(reasoning_tokens, '') IS NOT NULL AND (reasoning_parsed IS NULL OR reasoning_parsed < 0)
                THEN {'field': 'reasoning_tokens', 'reason': '''' || reasoning_tokens || ''' is not a count'}
            WHEN nullif(cache_write_1h_tokens, '') IS NOT NULL
                 AND (cache_write_1h_parsed IS NULL OR cache_write_1h_parsed < 0)
                THEN {'field': 'cache_write_1h_tokens', 'reason': '''' || cache_write_1h_tokens || ''' is not a count'}
            WHEN nullif(input_audio_tokens, '') IS NOT NULL AND (input_audio_parsed IS NULL OR input_audio_parsed < 0)
                THEN {'field': 'input_audio_tokens', 'reason': '''' || input_audio_tokens || ''' is not a count'}
            WHEN nullif(output_audio_tokens, '') IS NOT NULL
                 AND (output_audio_parsed IS NULL OR output_audio_parsed < 0)
                THEN {'field': 'output_audio_tokens', 'reason': '''' || output_audio_tokens || ''' is not a count'}
            WHEN nullif(image_count, '') IS NOT NULL AND (image_parsed IS NULL OR image_parsed < 0)
                THEN {'field': 'image_count', 'reason': '''' || image_count || ''' is not a count'}
            WHEN nullif(web_search_count, '') IS NOT NULL AND (web_search_parsed IS NULL OR web_search_parsed < 0)
                THEN {'field': 'web_search_count', 'reason': '''' || web_search_count || ''' is not a count'}
            WHEN coalesce(cache_write_1h_parsed, 0) > coalesce(cache_write_parsed, 0)
                THEN {'field': 'cache_write_1h_tokens', 'reason': 'larger than cache_write_tokens, which include them'}
            WHEN coalesce(input_audio_parsed, 0) > coalesce(input_parsed, 0)
                THEN {'field': 'input_audio_tokens', 'reason': 'larger than input_tokens, which include them'}
            WHEN coalesce(reasoning_parsed, 0) + coalesce(output_audio_parsed, 0) > coalesce(output_parsed, 0)
                 AND coalesce(output_audio_parsed, 0) > 0
                THEN {'field': 'output_audio_tokens', 'reason': 'with reasoning_tokens, larger than output_tokens'}
            WHEN coalesce(reasoning_parsed, 0) > coalesce(output_parsed, 0)
                THEN {'field': 'reasoning_tokens', 'reason': 'larger than output_tokens, which include reasoning'}
            WHEN nullif(request_count, '') IS NOT NULL AND (request_count_parsed IS NULL OR request_count_parsed < 1)
                THEN {'field': 'request_count', 'reason': '''' || request_count || ''' is not a positive count'}
            WHEN tier NOT IN ('standard', 'batch', 'flex', 'priority')
                THEN {'field': 'service_tier', 'reason': '''' || service_tier
                      || ''' is not one of standard, batch, flex, priority'}
            WHEN nullif(reported_cost, '') IS NOT NULL AND reported_amount IS NULL
                THEN {'field': 'reported_cost', 'reason': '''' || reported_cost || ''' is not a decimal amount'}
            WHEN nullif(tags, '') IS NOT NULL AND tags_json IS NULL
                THEN {'field': 'tags', 'reason': 'not a JSON object'}
        END AS rejection
    FROM parsed
)
SELECT
    'canonical:' || request_key AS natural_key,
    request_key AS request_id,
    'request' AS grain,
    'gateway' AS origin,
    started_at AS ts,
    lower(trim(provider)) AS provider,
    lower(trim(model)) AS model,
    model AS model_raw,
    lower(coalesce(nullif(operation, ''), 'chat')) AS operation,
    tier AS service_tier,
    coalesce(input_parsed, 0) AS input_tokens,
    coalesce(cache_read_parsed, 0) AS cache_read_tokens,
    coalesce(cache_write_parsed, 0) AS cache_write_tokens,
    coalesce(output_parsed, 0) AS output_tokens,
    coalesce(reasoning_parsed, 0) AS reasoning_tokens,
    coalesce(cache_write_1h_parsed, 0) AS cache_write_1h_tokens,
    coalesce(input_audio_parsed, 0) AS input_audio_tokens,
    coalesce(output_audio_parsed, 0) AS output_audio_tokens,
    coalesce(image_parsed, 0) AS image_count,
    coalesce(web_search_parsed, 0) AS web_search_count,
    coalesce(request_count_parsed, 1) AS request_count,
    lower(coalesce(nullif(status, ''), 'success')) AS status,
    nullif(api_key_id, '') AS api_key_id,
    nullif(api_key_alias, '') AS api_key_alias,
    nullif(project, '') AS project_id,
    nullif(workspace, '') AS workspace_id,
    nullif("user", '') AS user_id,
    nullif(end_user, '') AS end_user,
    CAST(NULL AS VARCHAR) AS team_id,
    nullif(team, '') AS team_alias,
    nullif(feature, '') AS feature,
    nullif(environment, '') AS environment,
    CASE WHEN tags_json IS NOT NULL
         THEN map_from_entries(list_transform(json_keys(tags_json),
                                              lambda tag_key: {'key': tag_key, 'value': tags_json ->> tag_key}))
    END AS tags,
    reported_amount AS reported_cost,
    'canonical: disjoint counts' AS token_convention,
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM checked;
