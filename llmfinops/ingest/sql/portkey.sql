-- Portkey log export rows (raw_records, all text) -> canonical usage rows + a rejection for rows that fail checks.
WITH parsed AS (
    SELECT
        record_number,
        nullif(trim(id), '') AS log_id,
        nullif(trim(trace_id), '') AS trace_id,
        created_at, req_units, res_units, prompt_tokens, completion_tokens, cost, cost_currency, metadata,
        TRY_CAST(created_at AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS started_at,
        -- req_units / res_units are the documented export columns; prompt_tokens / completion_tokens are the names
        -- of the export filters and are read when the units are absent.
        coalesce(nullif(req_units, ''), nullif(prompt_tokens, '')) AS request_units_text,
        coalesce(nullif(res_units, ''), nullif(completion_tokens, '')) AS response_units_text,
        CASE WHEN nullif(req_units, '') IS NOT NULL THEN 'req_units' ELSE 'prompt_tokens' END AS request_units_field,
        CASE WHEN nullif(res_units, '') IS NOT NULL THEN 'res_units' ELSE 'completion_tokens' END
            AS response_units_field,
        -- cost is in cents: divided by 100 as an exact decimal multiplication, never through a float.
        CAST(TRY_CAST(nullif(cost, '') AS DECIMAL(36, 10)) * CAST('0.01' AS DECIMAL(2, 2)) AS DECIMAL(38, 12))
            AS cost_usd,
        upper(coalesce(nullif(trim(cost_currency), ''), 'USD')) AS currency,
        nullif(trim(ai_model), '') AS model_written,
        lower(nullif(trim(ai_org), '')) AS provider_written,
        lower(nullif(trim(is_success), '')) AS success_written,
        TRY_CAST(nullif(response_status_code, '') AS INTEGER) AS http_status,
        upper(nullif(trim(cache_status), '')) AS cache_status,
        nullif(virtual_key, '') AS virtual_key,
        nullif(workspace_slug, '') AS workspace_slug,
        -- metadata is an object in the JSONL; a JSON-encoded string of one is read the same way.
        CASE WHEN json_valid(metadata) AND json_type(CAST(metadata AS JSON)) = 'OBJECT'
             THEN CAST(metadata AS JSON) END AS metadata_json,
        nullif(config, '') AS config_id,
        nullif(prompt_slug, '') AS prompt_slug
    FROM raw_records
    WHERE parse_error IS NULL
),
counted AS (
    SELECT
        *,
        whole_number(request_units_text) AS request_units,
        whole_number(response_units_text) AS response_units,
        -- `_user` is Portkey's reserved key for the end user; every other key is a tag.
        coalesce(list_transform(list_filter(json_keys(metadata_json), lambda tag_key: tag_key <> '_user'),
                                lambda tag_key: {'key': tag_key, 'value': metadata_json ->> tag_key}), [])
        || list_filter([
            {'key': 'trace_id', 'value': trace_id},
            {'key': 'config', 'value': config_id},
            {'key': 'prompt_slug', 'value': prompt_slug}
        ], lambda entry: entry.value IS NOT NULL) AS tag_entries
    FROM parsed
),
checked AS (
    SELECT
        *,
        map_from_entries(list_filter(tag_entries, lambda entry, position:
            list_position(list_transform(tag_entries, lambda other: other.key), entry.key) = position)) AS tags,
        CASE
            WHEN log_id IS NULL AND trace_id IS NULL THEN {'field': 'id', 'reason': 'missing (and no trace_id)'}
            WHEN nullif(trim(created_at), '') IS NULL THEN {'field': 'created_at', 'reason': 'missing'}
            WHEN started_at IS NULL
                THEN {'field': 'created_at', 'reason': '''' || created_at || ''' is not an ISO-8601 timestamp'}
            WHEN model_written IS NULL THEN {'field': 'ai_model', 'reason': 'missing'}
            WHEN request_units_text IS NOT NULL AND (request_units IS NULL OR request_units < 0)
                THEN {'field': request_units_field, 'reason': '''' || request_units_text || ''' is not a count'}
            WHEN response_units_text IS NOT NULL AND (response_units IS NULL OR response_units < 0)
                THEN {'field': response_units_field, 'reason': '''' || response_units_text || ''' is not a count'}
            WHEN nullif(cost, '') IS NOT NULL AND cost_usd IS NULL
                THEN {'field': 'cost', 'reason': '''' || cost || ''' is not a decimal amount of cents'}
            WHEN currency <> 'USD'
                THEN {'field': 'cost_currency', 'reason': '''' || cost_currency || ''' is not USD; only USD costs are read'}
            WHEN nullif(metadata, '') IS NOT NULL AND metadata <> 'null' AND metadata_json IS NULL
                THEN {'field': 'metadata', 'reason': 'not a JSON object'}
        END AS rejection
    FROM counted
)
SELECT
    -- The log id when the export has one; otherwise the trace id and the time (a trace can hold several calls).
    'portkey:' || coalesce(log_id, trace_id || '@' || strftime(started_at, '%Y-%m-%dT%H:%M:%S.%f')) AS natural_key,
    coalesce(log_id, trace_id) AS request_id,
    'request' AS grain,
    'gateway' AS origin,
    started_at AS ts,
    coalesce(provider_written, nullif(lower(split_part(model_written, '/', 1)), lower(model_written)), 'unknown')
        AS provider,
    lower(regexp_replace(model_written, '^.*/', '')) AS model,
    model_written AS model_raw,
    'chat' AS operation,
    'standard' AS service_tier,
    -- Cached-token counts are not a documented export column (they live in response.body, which is never read), so
    -- all prompt tokens are counted as uncached input and cache counts stay 0.
    coalesce(request_units, 0) AS input_tokens,
    0 AS cache_read_tokens,
    0 AS cache_write_tokens,
    coalesce(response_units, 0) AS output_tokens,
    0 AS reasoning_tokens,
    0 AS cache_write_1h_tokens,
    0 AS input_audio_tokens,
    0 AS output_audio_tokens,
    0 AS image_count,
    0 AS web_search_count,
    1 AS request_count,
    CASE
        -- Portkey's own response cache answered: the provider was not called (cost is 0 in the export).
        WHEN cache_status IN ('HIT', 'SEMANTIC HIT') THEN 'cache_hit'
        WHEN success_written IN ('1', 'true') THEN 'success'
        WHEN success_written IN ('0', 'false') THEN 'failure'
        WHEN http_status BETWEEN 200 AND 299 THEN 'success'
        WHEN http_status IS NOT NULL THEN 'failure'
        ELSE 'unknown'
    END AS status,
    virtual_key AS api_key_id,
    virtual_key AS api_key_alias,
    CAST(NULL AS VARCHAR) AS project_id,
    workspace_slug AS workspace_id,
    CAST(NULL AS VARCHAR) AS user_id,
    metadata_json ->> '_user' AS end_user,
    CAST(NULL AS VARCHAR) AS team_id,
    tags['team'] AS team_alias,
    coalesce(tags['feature'], tags['use_case']) AS feature,
    coalesce(tags['environment'], tags['env']) AS environment,
    tags,
    cost_usd AS reported_cost,
    'portkey: req_units counted as uncached input (cache counts not exported)' AS token_convention,
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM checked;
