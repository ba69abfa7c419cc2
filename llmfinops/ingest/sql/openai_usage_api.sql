-- OpenAI Organization Usage API pages (raw_records: one bucket per element of `data`, its `results` as JSON text)
-- -> one usage row per result, a skipped row per empty bucket or unreadable unit, a rejection per bad bucket or
-- result. Conventions and sources: openai_exports.py.
-- continues the CTEs of _openai_page_buckets.sql (buckets, bucket checks, results, envelope_rows)
fields AS (
    SELECT
        record_number, record_part, start_seconds, end_seconds, result,
        json_type(result) = 'OBJECT' AS is_object,
        nullif(trim(result ->> 'object'), '') AS result_object,
        result ->> 'input_tokens' AS input_text,
        result ->> 'input_cached_tokens' AS cached_text,
        result ->> 'input_cache_write_tokens' AS cache_write_text,
        result ->> 'input_cache_write_12h_tokens' AS cache_write_12h_text,
        result ->> 'input_uncached_tokens' AS uncached_text,
        result ->> 'input_audio_tokens' AS input_audio_text,
        result ->> 'output_tokens' AS output_text,
        result ->> 'output_audio_tokens' AS output_audio_text,
        result ->> 'images' AS images_text,
        result ->> 'num_model_requests' AS requests_text,
        nullif(trim(result ->> 'model'), '') AS model_written,
        nullif(trim(result ->> 'project_id'), '') AS project_id,
        nullif(trim(result ->> 'user_id'), '') AS user_id,
        nullif(trim(result ->> 'api_key_id'), '') AS api_key_id,
        lower(nullif(trim(result ->> 'batch'), '')) AS batch_written,
        lower(nullif(trim(result ->> 'service_tier'), '')) AS tier_written,
        nullif(trim(result ->> 'api_source'), '') AS api_source,
        nullif(trim(result ->> 'size'), '') AS image_size,
        nullif(trim(result ->> 'source'), '') AS image_source
    FROM results
),
kinds AS (
    SELECT
        *,
        CASE result_object
            WHEN 'organization.usage.completions.result' THEN 'completions'
            WHEN 'organization.usage.embeddings.result' THEN 'embeddings'
            WHEN 'organization.usage.images.result' THEN 'images'
        END AS kind,
        CASE
            WHEN result_object = 'organization.usage.audio_speeches.result'
                THEN result_object || ': characters have no usage column'
            WHEN result_object = 'organization.usage.audio_transcriptions.result'
                THEN result_object || ': seconds have no usage column'
            WHEN result_object = 'organization.usage.vector_stores.result'
                THEN result_object || ': storage bytes have no usage column'
            WHEN result_object = 'organization.usage.code_interpreter_sessions.result'
                THEN result_object || ': sessions have no usage column'
            WHEN result_object = 'organization.usage.moderations.result'
                THEN result_object || ': moderation usage is not read'
            WHEN result_object NOT IN ('organization.usage.completions.result', 'organization.usage.embeddings.result',
                                       'organization.usage.images.result')
                THEN result_object || ': not a usage result this format reads'
        END AS skip_reason
    FROM fields
),
counted AS (
    SELECT
        *,
        coalesce(whole_number(input_text), 0) AS input_count,
        coalesce(whole_number(cached_text), 0) AS cached_count,
        coalesce(whole_number(cache_write_text), 0) + coalesce(whole_number(cache_write_12h_text), 0)
            AS cache_write_count,
        whole_number(uncached_text) AS uncached_written,
        coalesce(whole_number(input_audio_text), 0) AS input_audio_count,
        coalesce(whole_number(output_text), 0) AS output_count,
        coalesce(whole_number(output_audio_text), 0) AS output_audio_count,
        coalesce(whole_number(images_text), 0) AS image_count,
        coalesce(whole_number(requests_text), 0) AS request_count,
        -- the first count written that is not a whole non-negative number (NULL when all are fine)
        list_filter([
            {'field': 'input_tokens', 'text': input_text},
            {'field': 'input_cached_tokens', 'text': cached_text},
            {'field': 'input_cache_write_tokens', 'text': cache_write_text},
            {'field': 'input_cache_write_12h_tokens', 'text': cache_write_12h_text},
            {'field': 'input_uncached_tokens', 'text': uncached_text},
            {'field': 'input_audio_tokens', 'text': input_audio_text},
            {'field': 'output_tokens', 'text': output_text},
            {'field': 'output_audio_tokens', 'text': output_audio_text},
            {'field': 'images', 'text': images_text},
            {'field': 'num_model_requests', 'text': requests_text}
        ], lambda count: count.text IS NOT NULL AND coalesce(whole_number(count.text) < 0, true))[1] AS bad_count,
        -- the counts each kind of result must have
        list_filter(CASE kind
            WHEN 'completions' THEN [{'field': 'input_tokens', 'text': input_text},
                                     {'field': 'output_tokens', 'text': output_text},
                                     {'field': 'num_model_requests', 'text': requests_text}]
            WHEN 'embeddings' THEN [{'field': 'input_tokens', 'text': input_text},
                                    {'field': 'num_model_requests', 'text': requests_text}]
            WHEN 'images' THEN [{'field': 'images', 'text': images_text},
                                {'field': 'num_model_requests', 'text': requests_text}]
            ELSE []
        END, lambda count: count.text IS NULL)[1].field AS missing_count
    FROM kinds
),
converted AS (
    SELECT
        *,
        -- input_tokens includes cached tokens and cache writes: the uncached part is written (current spec) or is
        -- what is left after subtracting them (older results)
        coalesce(uncached_written, input_count - cached_count - cache_write_count) AS uncached_count,
        -- the feed name, so the dashboard CSV's row of the same bucket has the same key; every grouping dimension
        'openai_usage:' || CAST(to_json([
            CAST(start_seconds AS VARCHAR), CAST(end_seconds AS VARCHAR), kind, project_id, user_id, api_key_id,
            model_written, batch_written, tier_written, api_source, image_size, image_source]) AS VARCHAR)
            AS natural_key
    FROM counted
),
checked AS (
    SELECT
        *,
        CASE
            WHEN NOT is_object THEN {'field': 'results', 'reason': 'not a JSON object'}
            WHEN result_object IS NULL
                THEN {'field': 'object', 'reason': 'missing; cannot tell which usage the result counts'}
            WHEN skip_reason IS NOT NULL THEN NULL
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
                THEN {'field': 'batch', 'reason': '''' || (result ->> 'batch') || ''' is not true or false'}
            WHEN model_written IS NULL
                THEN {'field': 'model',
                      'reason': 'missing: the usage was not grouped by model, so it cannot be priced; '
                          || 'fetch it with group_by=model'}
        END AS first_rejection
    FROM converted
),
deduplicated AS (
    -- The loader finds a key twice in one file only across elements; twice in one bucket is caught here.
    SELECT
        *,
        coalesce(first_rejection, CASE
            WHEN first_rejection IS NULL AND skip_reason IS NULL AND row_number() OVER same_key > 1
                THEN {'field': 'results',
                      'reason': 'duplicate of result ' || first_value(record_part) OVER same_key
                          || ' in the same bucket'}
        END) AS rejection
    FROM checked
    WINDOW same_key AS (PARTITION BY record_number, natural_key, first_rejection IS NULL AND skip_reason IS NULL
                        ORDER BY record_part)
)
SELECT
    natural_key,
    CAST(NULL AS VARCHAR) AS request_id,
    'bucket' AS grain,
    'provider' AS origin,
    make_timestamp(start_seconds * 1000000) AS ts,
    'openai' AS provider,
    lower(model_written) AS model,
    model_written AS model_raw,
    CASE kind WHEN 'embeddings' THEN 'embedding' WHEN 'images' THEN 'image' ELSE 'chat' END AS operation,
    CASE
        WHEN batch_written = 'true' THEN 'batch'
        WHEN tier_written IS NULL OR tier_written IN ('default', 'auto', 'standard') THEN 'standard'
        ELSE tier_written
    END AS service_tier,
    CASE kind WHEN 'completions' THEN uncached_count WHEN 'embeddings' THEN input_count ELSE 0 END AS input_tokens,
    CASE kind WHEN 'completions' THEN cached_count ELSE 0 END AS cache_read_tokens,
    CASE kind WHEN 'completions' THEN cache_write_count ELSE 0 END AS cache_write_tokens,
    CASE kind WHEN 'completions' THEN output_count ELSE 0 END AS output_tokens,
    0 AS reasoning_tokens,
    0 AS cache_write_1h_tokens,
    CASE kind WHEN 'completions' THEN input_audio_count ELSE 0 END AS input_audio_tokens,
    CASE kind WHEN 'completions' THEN output_audio_count ELSE 0 END AS output_audio_tokens,
    CASE kind WHEN 'images' THEN image_count ELSE 0 END AS image_count,
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
    map_from_entries(list_filter([
        {'key': 'api_source', 'value': api_source},
        {'key': 'image_size', 'value': image_size},
        {'key': 'image_source', 'value': image_source}
    ], lambda entry: entry.value IS NOT NULL)) AS tags,
    CAST(NULL AS DECIMAL(38, 12)) AS reported_cost,
    CASE
        WHEN kind <> 'completions' THEN 'openai_usage_api: ' || kind || ' (no cache counts)'
        WHEN uncached_written IS NOT NULL
            THEN 'openai_usage_api: input includes cached and cache writes; uncached as written'
        ELSE 'openai_usage_api: input includes cached and cache writes; uncached = input - cached - cache writes'
    END AS token_convention,
    record_number,
    record_part,
    -- a quarantined result keeps its bucket's times and its own fields
    CAST(json_object('start_time', start_seconds, 'end_time', end_seconds, 'result', result) AS VARCHAR)
        AS quarantine_raw,
    skip_reason,
    make_timestamp(start_seconds * 1000000) AS period_start,
    make_timestamp(end_seconds * 1000000) AS period_end,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM deduplicated
UNION ALL BY NAME
-- the envelope's own rows (see the prelude): empty buckets skipped with this format's reason, unreadable ones rejected
SELECT 'openai_usage:' || bucket_key AS natural_key,
       CASE WHEN reject_reason IS NULL THEN 'bucket with no usage' END AS skip_reason,
       * EXCLUDE (bucket_key)
FROM envelope_rows;
