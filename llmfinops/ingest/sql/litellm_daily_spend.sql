-- LiteLLM_Daily*Spend rows (raw_records, all text) -> bucket-grain usage rows + a rejection for rows that fail checks.
-- A template: litellm_daily.py replaces __ENTITY__ (the table's entity column, quoted), __TABLE__ (user, team, tag,
-- organization, end_user, agent) and __FAMILY__ (the natural key family) with constants of its own, never with text
-- from a file.
WITH parsed AS (
    SELECT
        record_number,
        nullif(trim(id), '') AS row_id,
        "date" AS date_text,
        nullif(trim(__ENTITY__), '') AS entity_value,
        nullif(api_key, '') AS api_key,
        spend, prompt_tokens, completion_tokens, cache_read_input_tokens, cache_creation_input_tokens,
        api_requests, successful_requests, failed_requests,
        -- the date column is text (YYYY-MM-DD, written from the request's startTime); a bucket starts at 00:00 UTC
        CAST(TRY_STRPTIME(trim("date"), '%Y-%m-%d') AS TIMESTAMP) AS bucket_start,
        TRY_CAST(spend AS DECIMAL(38, 12)) AS spend_amount,
        -- absent counts are 0 (the Prisma column default; the first versions of these tables had no cache or
        -- request columns); unreadable ones are rejected below
        coalesce(whole_number(prompt_tokens), 0) AS prompt_count,
        coalesce(whole_number(completion_tokens), 0) AS completion_count,
        coalesce(whole_number(cache_read_input_tokens), 0) AS cache_read_count,
        coalesce(whole_number(cache_creation_input_tokens), 0) AS cache_write_count,
        coalesce(whole_number(api_requests), 0) AS api_request_count,
        coalesce(whole_number(successful_requests), 0) AS success_count,
        coalesce(whole_number(failed_requests), 0) AS failure_count,
        coalesce(nullif(model, ''), nullif(model_group, '')) AS model_written,
        lower(coalesce(nullif(custom_llm_provider, ''), nullif(split_part(model, '/', 1), model), 'unknown'))
            AS provider_written,
        lower(coalesce(endpoint, '')) AS endpoint_written
    FROM raw_records
    WHERE parse_error IS NULL
),
converted AS (
    -- Daily prompt_tokens is the spend log's prompt_tokens summed (LiteLLM db_spend_update_writer.py builds each
    -- daily transaction from the spend-log payload), and the cache columns are usage_object's
    -- cache_read_input_tokens / cache_creation_input_tokens summed. So the three prompt_tokens conventions of
    -- litellm.py apply here too: take the first that leaves a non-negative uncached count, newest first.
    SELECT
        *,
        uncached_prompt(prompt_count, cache_read_count, cache_write_count) AS uncached_input_count,
        'litellm daily: prompt_tokens ' || prompt_convention(prompt_count, cache_read_count, cache_write_count) AS convention,
        -- the tag table's entity is one request tag, "key:value" or a bare "key" (as request_tags in spend logs);
        -- organisation and agent have no usage column of their own, so they are kept as a tag
        CASE '__TABLE__'
            WHEN 'tag' THEN CASE WHEN entity_value IS NOT NULL THEN map_from_entries([{
                'key': CASE WHEN contains(entity_value, ':') THEN split_part(entity_value, ':', 1)
                            ELSE entity_value END,
                'value': CASE WHEN contains(entity_value, ':')
                              THEN substr(entity_value, strpos(entity_value, ':') + 1) END}]) END
            WHEN 'organization' THEN CASE WHEN entity_value IS NOT NULL
                                          THEN map_from_entries([{'key': 'organization_id', 'value': entity_value}]) END
            WHEN 'agent' THEN CASE WHEN entity_value IS NOT NULL
                                   THEN map_from_entries([{'key': 'agent_id', 'value': entity_value}]) END
        END AS tags
    FROM parsed
)
SELECT
    '__FAMILY__:' || row_id AS natural_key,
    CAST(NULL AS VARCHAR) AS request_id,
    'bucket' AS grain,
    'gateway' AS origin,
    bucket_start AS ts,
    provider_written AS provider,
    lower(regexp_replace(model_written, '^.*/', '')) AS model,
    model_written AS model_raw,
    -- endpoint is the proxy route (newer tables only); without it the operation is not known
    CASE
        WHEN endpoint_written = '' THEN 'unknown'
        WHEN contains(endpoint_written, 'embeddings') THEN 'embedding'
        WHEN contains(endpoint_written, 'images') THEN 'image'
        WHEN contains(endpoint_written, 'audio') THEN 'audio'
        WHEN contains(endpoint_written, 'rerank') THEN 'rerank'
        WHEN contains(endpoint_written, 'moderations') THEN 'moderation'
        WHEN contains(endpoint_written, 'completions') OR contains(endpoint_written, 'messages')
             OR contains(endpoint_written, 'responses') OR contains(endpoint_written, 'generatecontent')
            THEN 'chat'
        ELSE endpoint_written
    END AS operation,
    'standard' AS service_tier,
    uncached_input_count AS input_tokens,
    cache_read_count AS cache_read_tokens,
    cache_write_count AS cache_write_tokens,
    completion_count AS output_tokens,
    -- daily tables keep no reasoning, audio, 1-hour cache or web search counts
    0 AS reasoning_tokens,
    0 AS cache_write_1h_tokens,
    0 AS input_audio_tokens,
    0 AS output_audio_tokens,
    0 AS image_count,
    0 AS web_search_count,
    api_request_count AS request_count,
    -- a bucket holds several requests: 'mixed' when some succeeded and some failed (see docs/formats.md)
    CASE
        WHEN failure_count = 0 THEN 'success'
        WHEN success_count = 0 THEN 'failure'
        ELSE 'mixed'
    END AS status,
    api_key AS api_key_id,
    CAST(NULL AS VARCHAR) AS api_key_alias,
    CAST(NULL AS VARCHAR) AS project_id,
    CAST(NULL AS VARCHAR) AS workspace_id,
    CASE WHEN '__TABLE__' = 'user' THEN entity_value END AS user_id,
    CASE WHEN '__TABLE__' = 'end_user' THEN entity_value END AS end_user,
    CASE WHEN '__TABLE__' = 'team' THEN entity_value END AS team_id,
    CAST(NULL AS VARCHAR) AS team_alias,
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
            WHEN row_id IS NULL THEN {'field': 'id', 'reason': 'missing; every daily spend row has one'}
            WHEN nullif(trim(date_text), '') IS NULL THEN {'field': 'date', 'reason': 'missing'}
            WHEN bucket_start IS NULL THEN {'field': 'date', 'reason': '''' || date_text || ''' is not a YYYY-MM-DD date'}
            WHEN nullif(prompt_tokens, '') IS NOT NULL AND whole_number(prompt_tokens) IS NULL
                THEN {'field': 'prompt_tokens', 'reason': '''' || prompt_tokens || ''' is not an integer'}
            WHEN nullif(completion_tokens, '') IS NOT NULL AND whole_number(completion_tokens) IS NULL
                THEN {'field': 'completion_tokens', 'reason': '''' || completion_tokens || ''' is not an integer'}
            WHEN nullif(cache_read_input_tokens, '') IS NOT NULL AND whole_number(cache_read_input_tokens) IS NULL
                THEN {'field': 'cache_read_input_tokens',
                      'reason': '''' || cache_read_input_tokens || ''' is not an integer'}
            WHEN nullif(cache_creation_input_tokens, '') IS NOT NULL
                 AND whole_number(cache_creation_input_tokens) IS NULL
                THEN {'field': 'cache_creation_input_tokens',
                      'reason': '''' || cache_creation_input_tokens || ''' is not an integer'}
            WHEN nullif(api_requests, '') IS NOT NULL AND whole_number(api_requests) IS NULL
                THEN {'field': 'api_requests', 'reason': '''' || api_requests || ''' is not an integer'}
            WHEN nullif(successful_requests, '') IS NOT NULL AND whole_number(successful_requests) IS NULL
                THEN {'field': 'successful_requests', 'reason': '''' || successful_requests || ''' is not an integer'}
            WHEN nullif(failed_requests, '') IS NOT NULL AND whole_number(failed_requests) IS NULL
                THEN {'field': 'failed_requests', 'reason': '''' || failed_requests || ''' is not an integer'}
            WHEN least(prompt_count, completion_count, cache_read_count, cache_write_count, api_request_count,
                       success_count, failure_count) < 0
                THEN {'field': CASE
                          WHEN prompt_count < 0 THEN 'prompt_tokens'
                          WHEN completion_count < 0 THEN 'completion_tokens'
                          WHEN cache_read_count < 0 THEN 'cache_read_input_tokens'
                          WHEN cache_write_count < 0 THEN 'cache_creation_input_tokens'
                          WHEN api_request_count < 0 THEN 'api_requests'
                          WHEN success_count < 0 THEN 'successful_requests'
                          ELSE 'failed_requests' END,
                      'reason': 'cannot be negative'}
            WHEN nullif(spend, '') IS NOT NULL AND spend_amount IS NULL
                THEN {'field': 'spend', 'reason': '''' || spend || ''' is not a number'}
            WHEN model_written IS NULL
                THEN {'field': 'model', 'reason': 'missing (and no model_group)'}
        END AS rejection
    FROM converted
);
