-- LiteLLM_SpendLogs rows (raw_records, all text) -> canonical usage rows + a rejection for rows that fail checks.
WITH parsed AS (
    SELECT
        record_number,
        nullif(trim(request_id), '') AS request_id,
        call_type,
        nullif(api_key, '') AS api_key,
        spend, prompt_tokens, completion_tokens, startTime, metadata, request_tags,
        TRY_CAST(spend AS DECIMAL(38, 12)) AS spend_amount,
        whole_number(prompt_tokens) AS prompt_parsed,
        whole_number(completion_tokens) AS completion_parsed,
        -- absent counts are 0 (the Prisma column default); unreadable ones are rejected below
        coalesce(whole_number(prompt_tokens), 0) AS prompt_count,
        coalesce(whole_number(completion_tokens), 0) AS completion_count,
        TRY_CAST(startTime AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS started_at,
        CASE WHEN json_valid(metadata) AND json_type(CAST(metadata AS JSON)) = 'OBJECT'
             THEN CAST(metadata AS JSON) END AS meta,
        CASE WHEN json_valid(request_tags) AND json_type(CAST(request_tags AS JSON)) = 'ARRAY'
             THEN json_extract_string(CAST(request_tags AS JSON), '$[*]') END AS tag_list,
        coalesce(nullif(model, ''), nullif(model_group, '')) AS model_written,
        -- exports from before custom_llm_provider existed name the provider only by the model prefix or the
        -- upstream api_base; an unknown host stays 'unknown' rather than a guess
        lower(coalesce(nullif(custom_llm_provider, ''), nullif(split_part(model, '/', 1), model),
            provider_from_base_url(api_base),
            'unknown')) AS provider_written,
        nullif(team_id, '') AS team_id,
        nullif("user", '') AS user_written,
        nullif(end_user, '') AS end_user,
        status AS status_column
    FROM raw_records
    WHERE parse_error IS NULL
),
with_usage AS (
    SELECT
        *,
        coalesce(meta -> 'usage_object', meta -> 'additional_usage_values') AS usage_json,
        meta -> 'spend_logs_metadata' AS spend_logs_metadata,
        -- exports from before the status column (older SpendLogsPayload) may carry it in metadata only
        lower(coalesce(nullif(status_column, ''), nullif(meta ->> 'status', ''), 'success')) AS status_written
    FROM parsed
),
counted AS (
    SELECT
        *,
        coalesce(usage_json ->> 'cache_read_input_tokens', usage_json -> 'prompt_tokens_details' ->> 'cached_tokens')
            AS cache_read_text,
        coalesce(usage_json ->> 'cache_creation_input_tokens',
                 usage_json -> 'prompt_tokens_details' ->> 'cache_creation_tokens') AS cache_write_text,
        usage_json -> 'completion_tokens_details' ->> 'reasoning_tokens' AS reasoning_text,
        -- UNCONFIRMED key paths: Anthropic's usage.cache_creation.ephemeral_1h_input_tokens, as LiteLLM keeps it
        -- under prompt_tokens_details.cache_creation_token_details or at the top of usage_object.
        coalesce(
            usage_json -> 'prompt_tokens_details' -> 'cache_creation_token_details' ->> 'ephemeral_1h_input_tokens',
            usage_json -> 'cache_creation' ->> 'ephemeral_1h_input_tokens') AS cache_write_1h_text,
        usage_json -> 'prompt_tokens_details' ->> 'audio_tokens' AS input_audio_text,
        usage_json -> 'completion_tokens_details' ->> 'audio_tokens' AS output_audio_text,
        usage_json -> 'server_tool_use' ->> 'web_search_requests' AS web_search_text,
        coalesce(whole_number(cache_read_text), 0) AS cache_read_count,
        coalesce(whole_number(cache_write_text), 0) AS cache_write_count,
        coalesce(whole_number(reasoning_text), 0) AS reasoning_count,
        coalesce(whole_number(cache_write_1h_text), 0) AS cache_write_1h_count,
        coalesce(whole_number(input_audio_text), 0) AS input_audio_count,
        coalesce(whole_number(output_audio_text), 0) AS output_audio_count,
        coalesce(whole_number(web_search_text), 0) AS web_search_count,
        -- spend_logs_metadata entries first, then request_tags ("key:value" or a bare "key"); first key wins.
        coalesce(list_transform(json_keys(spend_logs_metadata),
                                lambda tag_key: {'key': tag_key, 'value': spend_logs_metadata ->> tag_key}), [])
        || coalesce(list_transform(tag_list, lambda tag: {
                'key': CASE WHEN contains(tag, ':') THEN split_part(tag, ':', 1) ELSE tag END,
                'value': CASE WHEN contains(tag, ':') THEN substr(tag, strpos(tag, ':') + 1) END}), [])
            AS tag_entries
    FROM with_usage
),
converted AS (
    -- Three conventions for prompt_tokens have shipped (see litellm.py); take the first one that leaves a
    -- non-negative uncached count, newest first, and record it.
    SELECT
        *,
        uncached_prompt(prompt_count, cache_read_count, cache_write_count) AS uncached_input_count,
        'litellm: prompt_tokens ' || prompt_convention(prompt_count, cache_read_count, cache_write_count) AS convention,
        map_from_entries(list_filter(tag_entries, lambda entry, position:
            list_position(list_transform(tag_entries, lambda other: other.key), entry.key) = position)) AS tags
    FROM counted
)
SELECT
    'litellm:' || request_id AS natural_key,
    request_id,
    'request' AS grain,
    'gateway' AS origin,
    started_at AS ts,
    provider_written AS provider,
    lower(regexp_replace(model_written, '^.*/', '')) AS model,
    model_written AS model_raw,
    CASE
        WHEN call_type IN ('completion', 'acompletion', 'text_completion', 'atext_completion', 'anthropic_messages',
                           'aanthropic_messages', 'responses', 'aresponses', 'generate_content',
                           'agenerate_content', 'generate_content_stream', 'agenerate_content_stream')
            THEN 'chat'
        WHEN call_type IN ('embedding', 'aembedding') THEN 'embedding'
        WHEN call_type IN ('image_generation', 'aimage_generation', 'image_edit', 'aimage_edit') THEN 'image'
        WHEN call_type IN ('transcription', 'atranscription', 'speech', 'aspeech') THEN 'audio'
        WHEN call_type IN ('rerank', 'arerank') THEN 'rerank'
        WHEN call_type IN ('moderation', 'amoderation') THEN 'moderation'
        ELSE coalesce(nullif(call_type, ''), 'unknown')
    END AS operation,
    -- Spend logs carry no service tier; batch jobs through LiteLLM's batch endpoints are not priced apart here.
    'standard' AS service_tier,
    uncached_input_count AS input_tokens,
    cache_read_count AS cache_read_tokens,
    cache_write_count AS cache_write_tokens,
    completion_count AS output_tokens,
    reasoning_count AS reasoning_tokens,
    cache_write_1h_count AS cache_write_1h_tokens,
    input_audio_count AS input_audio_tokens,
    output_audio_count AS output_audio_tokens,
    0 AS image_count,
    web_search_count,
    1 AS request_count,
    CASE WHEN status_written IN ('failure', 'failed', 'error') THEN 'failure' ELSE status_written END AS status,
    api_key AS api_key_id,
    meta ->> 'user_api_key_alias' AS api_key_alias,
    meta ->> 'user_api_key_project_id' AS project_id,
    CAST(NULL AS VARCHAR) AS workspace_id,
    coalesce(user_written, meta ->> 'user_api_key_user_id') AS user_id,
    end_user,
    coalesce(team_id, meta ->> 'user_api_key_team_id') AS team_id,
    meta ->> 'user_api_key_team_alias' AS team_alias,
    coalesce(tags['feature'], tags['use_case']) AS feature,
    coalesce(tags['environment'], tags['env']) AS environment,
    tags,
    spend_amount AS reported_cost,
    convention AS token_convention,
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM (
    SELECT
        *,
        CASE
            WHEN request_id IS NULL
                THEN {'field': 'request_id', 'reason': 'missing; every spend log row has one'}
            WHEN nullif(trim(startTime), '') IS NULL
                THEN {'field': 'startTime', 'reason': 'missing'}
            WHEN started_at IS NULL
                THEN {'field': 'startTime', 'reason': '''' || startTime || ''' is not a timestamp'}
            WHEN prompt_tokens IS NOT NULL AND prompt_parsed IS NULL
                THEN {'field': 'prompt_tokens', 'reason': '''' || prompt_tokens || ''' is not an integer'}
            WHEN completion_tokens IS NOT NULL AND completion_parsed IS NULL
                THEN {'field': 'completion_tokens', 'reason': '''' || completion_tokens || ''' is not an integer'}
            WHEN spend IS NOT NULL AND spend <> '' AND spend_amount IS NULL
                THEN {'field': 'spend', 'reason': '''' || spend || ''' is not a number'}
            WHEN nullif(metadata, '') IS NOT NULL AND meta IS NULL
                THEN {'field': 'metadata', 'reason': 'not a JSON object'}
            WHEN nullif(request_tags, '') IS NOT NULL AND tag_list IS NULL
                THEN {'field': 'request_tags', 'reason': 'not a JSON array'}
            WHEN prompt_count < 0
                THEN {'field': 'prompt_tokens', 'reason': 'cannot be negative'}
            WHEN completion_count < 0
                THEN {'field': 'completion_tokens', 'reason': 'cannot be negative'}
            WHEN (cache_read_text IS NOT NULL AND whole_number(cache_read_text) IS NULL)
                 OR (cache_write_text IS NOT NULL AND whole_number(cache_write_text) IS NULL)
                 OR (reasoning_text IS NOT NULL AND whole_number(reasoning_text) IS NULL)
                 OR (cache_write_1h_text IS NOT NULL AND whole_number(cache_write_1h_text) IS NULL)
                 OR (input_audio_text IS NOT NULL AND whole_number(input_audio_text) IS NULL)
                 OR (output_audio_text IS NOT NULL AND whole_number(output_audio_text) IS NULL)
                 OR (web_search_text IS NOT NULL AND whole_number(web_search_text) IS NULL)
                 OR least(cache_read_count, cache_write_count, reasoning_count, cache_write_1h_count,
                          input_audio_count, output_audio_count, web_search_count) < 0
                THEN {'field': 'metadata', 'reason': 'a cache or reasoning token count in usage_object is not a '
                                                     'whole non-negative number'}
            WHEN reasoning_count + output_audio_count > completion_count
                THEN {'field': 'completion_tokens', 'reason': 'smaller than its reasoning and audio tokens in metadata'}
            WHEN cache_write_1h_count > cache_write_count
                THEN {'field': 'metadata', 'reason': '1-hour cache writes exceed all cache writes in usage_object'}
            WHEN input_audio_count > uncached_input_count
                THEN {'field': 'prompt_tokens', 'reason': 'smaller than its audio tokens in metadata'}
            WHEN model_written IS NULL
                THEN {'field': 'model', 'reason': 'missing (and no model_group)'}
        END AS rejection
    FROM converted
);
