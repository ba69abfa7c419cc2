-- OpenRouter generation records (raw_records, all text) -> canonical usage rows + a rejection for rows that fail checks.
WITH parsed AS (
    SELECT
        record_number,
        nullif(trim(id), '') AS generation_id,
        created_at, native_tokens_prompt, native_tokens_completion, native_tokens_cached, native_tokens_reasoning,
        total_cost, "usage",
        TRY_CAST(created_at AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS started_at,
        whole_number(native_tokens_prompt) AS prompt_parsed,
        whole_number(native_tokens_completion) AS completion_parsed,
        whole_number(native_tokens_cached) AS cached_parsed,
        whole_number(native_tokens_reasoning) AS reasoning_parsed,
        -- total_cost and usage are the same USD amount in every published example; total_cost is the documented one.
        coalesce(nullif(total_cost, ''), nullif("usage", '')) AS cost_text,
        TRY_CAST(coalesce(nullif(total_cost, ''), nullif("usage", '')) AS DECIMAL(38, 12)) AS cost_amount,
        nullif(trim(model), '') AS model_written,
        nullif(provider_name, '') AS provider_name,
        nullif(app_id, '') AS app_id,
        nullif(external_user, '') AS external_user,
        nullif(origin, '') AS app_origin,
        lower(nullif(is_byok, '')) AS is_byok,
        lower(nullif(cancelled, '')) AS cancelled,
        nullif(api_type, '') AS api_type,
        lower(nullif(service_tier, '')) AS tier_written
    FROM raw_records
    WHERE parse_error IS NULL
),
counted AS (
    SELECT
        *,
        coalesce(prompt_parsed, 0) AS prompt_count,
        coalesce(completion_parsed, 0) AS completion_count,
        coalesce(cached_parsed, 0) AS cached_count,
        coalesce(reasoning_parsed, 0) AS reasoning_count
    FROM parsed
),
checked AS (
    SELECT
        *,
        CASE
            WHEN generation_id IS NULL THEN {'field': 'id', 'reason': 'missing; every generation has a gen- id'}
            WHEN nullif(trim(created_at), '') IS NULL THEN {'field': 'created_at', 'reason': 'missing'}
            WHEN started_at IS NULL
                THEN {'field': 'created_at', 'reason': '''' || created_at || ''' is not an ISO-8601 timestamp'}
            WHEN model_written IS NULL THEN {'field': 'model', 'reason': 'missing'}
            WHEN nullif(native_tokens_prompt, '') IS NOT NULL AND (prompt_parsed IS NULL OR prompt_parsed < 0)
                THEN {'field': 'native_tokens_prompt', 'reason': '''' || native_tokens_prompt || ''' is not a count'}
            WHEN nullif(native_tokens_completion, '') IS NOT NULL AND (completion_parsed IS NULL OR completion_parsed < 0)
                THEN {'field': 'native_tokens_completion',
                      'reason': '''' || native_tokens_completion || ''' is not a count'}
            WHEN nullif(native_tokens_cached, '') IS NOT NULL AND (cached_parsed IS NULL OR cached_parsed < 0)
                THEN {'field': 'native_tokens_cached', 'reason': '''' || native_tokens_cached || ''' is not a count'}
            WHEN nullif(native_tokens_reasoning, '') IS NOT NULL AND (reasoning_parsed IS NULL OR reasoning_parsed < 0)
                THEN {'field': 'native_tokens_reasoning',
                      'reason': '''' || native_tokens_reasoning || ''' is not a count'}
            WHEN reasoning_count > completion_count
                THEN {'field': 'native_tokens_reasoning',
                      'reason': 'larger than native_tokens_completion, which include reasoning'}
            WHEN cost_text IS NOT NULL AND cost_amount IS NULL
                THEN {'field': 'total_cost', 'reason': '''' || cost_text || ''' is not a decimal amount'}
        END AS rejection
    FROM counted
),
tagged AS (
    SELECT
        *,
        -- Only what says who or what made the call; null entries are left out so tags stay sparse.
        map_from_entries(list_filter([
            {'key': 'provider_name', 'value': provider_name},
            {'key': 'app_id', 'value': app_id},
            {'key': 'origin', 'value': app_origin},
            {'key': 'api_type', 'value': api_type},
            {'key': 'is_byok', 'value': is_byok}
        ], lambda entry: entry.value IS NOT NULL)) AS tags
    FROM checked
)
SELECT
    'openrouter:' || generation_id AS natural_key,
    generation_id AS request_id,
    'request' AS grain,
    'gateway' AS origin,
    started_at AS ts,
    -- The model's author (openai/gpt-4o -> openai) prices it; provider_name (who served it) is kept as a tag.
    lower(CASE WHEN contains(model_written, '/') THEN split_part(model_written, '/', 1) ELSE 'openrouter' END)
        AS provider,
    lower(regexp_replace(model_written, '^.*/', '')) AS model,
    model_written AS model_raw,
    CASE
        WHEN api_type IS NULL OR api_type IN ('completions', 'chat', 'responses', 'messages') THEN 'chat'
        WHEN api_type IN ('embeddings', 'embedding') THEN 'embedding'
        WHEN api_type IN ('tts', 'stt', 'speech', 'transcription') THEN 'audio'
        ELSE api_type
    END AS operation,
    CASE WHEN tier_written IN ('batch', 'flex', 'priority') THEN tier_written ELSE 'standard' END AS service_tier,
    -- native_tokens_prompt includes native_tokens_cached (OpenAI usage shape, see openrouter.py); a row whose cached
    -- count exceeds its prompt count can only have been written the other way, and is read that way.
    CASE WHEN cached_count <= prompt_count THEN prompt_count - cached_count ELSE prompt_count END AS input_tokens,
    cached_count AS cache_read_tokens,
    0 AS cache_write_tokens,
    completion_count AS output_tokens,
    reasoning_count AS reasoning_tokens,
    0 AS cache_write_1h_tokens,
    0 AS input_audio_tokens,
    0 AS output_audio_tokens,
    0 AS image_count,
    0 AS web_search_count,
    1 AS request_count,
    CASE WHEN cancelled = 'true' THEN 'cancelled' ELSE 'success' END AS status,
    CAST(NULL AS VARCHAR) AS api_key_id,
    CAST(NULL AS VARCHAR) AS api_key_alias,
    CAST(NULL AS VARCHAR) AS project_id,
    CAST(NULL AS VARCHAR) AS workspace_id,
    CAST(NULL AS VARCHAR) AS user_id,
    external_user AS end_user,
    CAST(NULL AS VARCHAR) AS team_id,
    CAST(NULL AS VARCHAR) AS team_alias,
    CAST(NULL AS VARCHAR) AS feature,
    CAST(NULL AS VARCHAR) AS environment,
    tags,
    cost_amount AS reported_cost,
    CASE WHEN cached_count <= prompt_count THEN 'openrouter: native_tokens_prompt includes native_tokens_cached'
         ELSE 'openrouter: native_tokens_prompt excludes native_tokens_cached' END AS token_convention,
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM tagged;
