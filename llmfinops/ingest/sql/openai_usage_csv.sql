-- OpenAI usage dashboard activity CSV (one row per bucket and grouping; counts written as floats like 120000.0,
-- batch as TRUE/FALSE; columns missing from older exports read as NULL) -> bucket-grain usage rows. A row holding only
-- the time columns is a day with no usage (skipped with its period). Conventions and sources: openai_exports.py.
WITH parsed AS (
    SELECT
        record_number,
        start_time, end_time, num_model_requests, input_tokens, output_tokens, input_cached_tokens,
        input_cache_write_tokens, input_cache_write_12h_tokens, input_uncached_tokens, input_audio_tokens,
        output_audio_tokens, batch,
        -- a whole number, also when written as a float with a zero fraction ("120000.0"); NULL otherwise
        list_transform([start_time, end_time, num_model_requests, input_tokens, output_tokens, input_cached_tokens,
                        input_cache_write_tokens, input_cache_write_12h_tokens, input_uncached_tokens,
                        input_audio_tokens, output_audio_tokens],
                       lambda text: whole_number(regexp_extract(trim(text), '^([+-]?[0-9]+)(\.0*)?$', 1))) AS whole,
        nullif(trim(model), '') AS model_written,
        nullif(trim(project_id), '') AS project_id,
        nullif(trim(user_id), '') AS user_id,
        nullif(trim(api_key_id), '') AS api_key_id,
        lower(nullif(trim(batch), '')) AS batch_written,
        lower(nullif(trim(service_tier), '')) AS tier_written,
        nullif(trim(api_source), '') AS api_source
    FROM raw_records
    WHERE parse_error IS NULL
),
counted AS (
    SELECT
        *,
        -- times up to the year 9999, so a wild value is rejected rather than overflowing a timestamp
        CASE WHEN whole[1] BETWEEN 0 AND 253402300799 THEN whole[1] END AS start_seconds,
        CASE WHEN whole[2] BETWEEN 0 AND 253402300799 THEN whole[2] END AS end_seconds,
        coalesce(whole[3], 0) AS request_count,
        coalesce(whole[4], 0) AS input_count,
        coalesce(whole[5], 0) AS output_count,
        coalesce(whole[6], 0) AS cached_count,
        coalesce(whole[7], 0) + coalesce(whole[8], 0) AS cache_write_count,
        whole[9] AS uncached_written,
        coalesce(whole[10], 0) AS input_audio_count,
        coalesce(whole[11], 0) AS output_audio_count,
        -- a day with no usage: only the time columns are filled
        coalesce(nullif(trim(num_model_requests), ''), nullif(trim(input_tokens), ''), nullif(trim(output_tokens), ''),
                 model_written) IS NULL AS no_usage,
        list_filter([
            {'field': 'num_model_requests', 'text': num_model_requests, 'value': whole[3]},
            {'field': 'input_tokens', 'text': input_tokens, 'value': whole[4]},
            {'field': 'output_tokens', 'text': output_tokens, 'value': whole[5]},
            {'field': 'input_cached_tokens', 'text': input_cached_tokens, 'value': whole[6]},
            {'field': 'input_cache_write_tokens', 'text': input_cache_write_tokens, 'value': whole[7]},
            {'field': 'input_cache_write_12h_tokens', 'text': input_cache_write_12h_tokens, 'value': whole[8]},
            {'field': 'input_uncached_tokens', 'text': input_uncached_tokens, 'value': whole[9]},
            {'field': 'input_audio_tokens', 'text': input_audio_tokens, 'value': whole[10]},
            {'field': 'output_audio_tokens', 'text': output_audio_tokens, 'value': whole[11]}
        ], lambda count: nullif(trim(count.text), '') IS NOT NULL AND coalesce(count.value < 0, true))[1] AS bad_count,
        list_filter([
            {'field': 'num_model_requests', 'text': num_model_requests},
            {'field': 'input_tokens', 'text': input_tokens},
            {'field': 'output_tokens', 'text': output_tokens}
        ], lambda count: nullif(trim(count.text), '') IS NULL)[1].field AS missing_count
    FROM parsed
),
converted AS (
    SELECT
        *,
        -- input_tokens includes cached tokens and cache writes (as in the API)
        coalesce(uncached_written, input_count - cached_count - cache_write_count) AS uncached_count
    FROM counted
),
checked AS (
    SELECT
        *,
        CASE
            WHEN nullif(trim(start_time), '') IS NULL THEN {'field': 'start_time', 'reason': 'missing'}
            WHEN start_seconds IS NULL
                THEN {'field': 'start_time', 'reason': '''' || start_time || ''' is not a time in Unix seconds'}
            WHEN nullif(trim(end_time), '') IS NULL THEN {'field': 'end_time', 'reason': 'missing'}
            WHEN end_seconds IS NULL
                THEN {'field': 'end_time', 'reason': '''' || end_time || ''' is not a time in Unix seconds'}
            WHEN end_seconds <= start_seconds THEN {'field': 'end_time', 'reason': 'not after start_time'}
            WHEN no_usage THEN NULL
            WHEN missing_count IS NOT NULL THEN {'field': missing_count, 'reason': 'missing'}
            WHEN bad_count IS NOT NULL
                THEN {'field': bad_count.field,
                      'reason': '''' || bad_count.text || ''' is not a whole non-negative number'}
            WHEN uncached_written IS NOT NULL AND input_count <> uncached_written + cached_count + cache_write_count
                THEN {'field': 'input_tokens',
                      'reason': input_count || ' is not input_uncached_tokens + input_cached_tokens + cache writes ('
                          || uncached_written || ' + ' || cached_count || ' + ' || cache_write_count || ' = '
                          || (uncached_written + cached_count + cache_write_count) || ')'}
            WHEN uncached_count < 0
                THEN {'field': 'input_tokens',
                      'reason': 'smaller than input_cached_tokens + cache writes, which it includes ('
                          || input_count || ' < ' || (cached_count + cache_write_count) || ')'}
            WHEN input_audio_count > uncached_count
                THEN {'field': 'input_audio_tokens', 'reason': 'larger than the uncached input tokens it is a part of'}
            WHEN output_audio_count > output_count
                THEN {'field': 'output_audio_tokens', 'reason': 'larger than output_tokens, which include it'}
            WHEN batch_written IS NOT NULL AND batch_written NOT IN ('true', 'false')
                THEN {'field': 'batch', 'reason': '''' || batch || ''' is not TRUE or FALSE'}
            WHEN model_written IS NULL
                THEN {'field': 'model',
                      'reason': 'missing: the export was not grouped by model, so it cannot be priced; '
                          || 'export it grouped by model'}
        END AS rejection
    FROM converted
)
SELECT
    -- the same key as the usage API's row of the same bucket and grouping (see openai_usage_api.sql)
    CASE WHEN no_usage THEN 'openai_usage:empty:' || start_seconds || ':' || end_seconds
         ELSE 'openai_usage:' || CAST(to_json([
             CAST(start_seconds AS VARCHAR), CAST(end_seconds AS VARCHAR), 'completions', project_id, user_id,
             api_key_id, model_written, batch_written, tier_written, api_source, CAST(NULL AS VARCHAR),
             CAST(NULL AS VARCHAR)]) AS VARCHAR)
    END AS natural_key,
    CAST(NULL AS VARCHAR) AS request_id,
    'bucket' AS grain,
    'provider' AS origin,
    make_timestamp(start_seconds * 1000000) AS ts,
    'openai' AS provider,
    lower(model_written) AS model,
    model_written AS model_raw,
    'chat' AS operation,
    CASE
        WHEN batch_written = 'true' THEN 'batch'
        WHEN tier_written IS NULL OR tier_written IN ('default', 'auto', 'standard') THEN 'standard'
        ELSE tier_written
    END AS service_tier,
    uncached_count AS input_tokens,
    cached_count AS cache_read_tokens,
    cache_write_count AS cache_write_tokens,
    output_count AS output_tokens,
    0 AS reasoning_tokens,
    0 AS cache_write_1h_tokens,
    input_audio_count AS input_audio_tokens,
    output_audio_count AS output_audio_tokens,
    0 AS image_count,
    0 AS web_search_count,
    request_count,
    'success' AS status,
    api_key_id,
    CAST(NULL AS VARCHAR) AS api_key_alias,
    project_id,
    CAST(NULL AS VARCHAR) AS workspace_id,
    user_id,
    CAST(NULL AS VARCHAR) AS end_user,
    CAST(NULL AS VARCHAR) AS team_id,
    CAST(NULL AS VARCHAR) AS team_alias,
    CAST(NULL AS VARCHAR) AS feature,
    CAST(NULL AS VARCHAR) AS environment,
    map_from_entries(list_filter([{'key': 'api_source', 'value': api_source}], lambda entry: entry.value IS NOT NULL))
        AS tags,
    CAST(NULL AS DECIMAL(38, 12)) AS reported_cost,
    CASE WHEN uncached_written IS NOT NULL
         THEN 'openai_usage_csv: input includes cached and cache writes; uncached as written'
         ELSE 'openai_usage_csv: input includes cached and cache writes; uncached = input - cached - cache writes'
    END AS token_convention,
    record_number,
    CASE WHEN no_usage THEN 'bucket with no usage' END AS skip_reason,
    make_timestamp(start_seconds * 1000000) AS period_start,
    make_timestamp(end_seconds * 1000000) AS period_end,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM checked;
