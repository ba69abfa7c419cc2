-- LiteLLM_ErrorLogs rows (raw_records, all text) -> failed-request usage rows (no tokens, no cost) + a rejection.
WITH parsed AS (
    SELECT
        record_number,
        nullif(trim(request_id), '') AS request_key,
        startTime,
        TRY_CAST(startTime AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS started_at,
        nullif(trim(litellm_model_name), '') AS deployment_model,
        nullif(trim(model_group), '') AS group_model,
        lower(coalesce(api_base, '')) AS base_url,
        nullif(trim(exception_type), '') AS exception_type,
        nullif(trim(status_code), '') AS status_code
    FROM raw_records
    WHERE parse_error IS NULL
),
resolved AS (
    SELECT
        *,
        coalesce(deployment_model, group_model) AS model_written,
        -- litellm_model_name is the deployment's "provider/model" (as in config.yaml); without a prefix, a
        -- well-known api_base host names the provider; anything else stays 'unknown' rather than a guess
        lower(coalesce(
            CASE WHEN contains(deployment_model, '/') THEN split_part(deployment_model, '/', 1) END,
            provider_from_base_url(base_url),
            'unknown')) AS provider_written
    FROM parsed
)
SELECT
    'litellm-error:' || request_key AS natural_key,
    request_key AS request_id,
    'request' AS grain,
    'gateway' AS origin,
    started_at AS ts,
    provider_written AS provider,
    lower(regexp_replace(model_written, '^.*/', '')) AS model,
    model_written AS model_raw,
    -- the call type is only inside request_kwargs, which also holds the prompt and is never read
    'unknown' AS operation,
    'standard' AS service_tier,
    -- a failed call reaches this table with no usage: zero tokens are priced at 0, which is right for a failure
    0 AS input_tokens,
    0 AS cache_read_tokens,
    0 AS cache_write_tokens,
    0 AS output_tokens,
    0 AS reasoning_tokens,
    0 AS cache_write_1h_tokens,
    0 AS input_audio_tokens,
    0 AS output_audio_tokens,
    0 AS image_count,
    0 AS web_search_count,
    1 AS request_count,
    'failure' AS status,
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
    -- why it failed is kept where reports can group by it; the exception text is not read (it can quote the prompt)
    map_from_entries(list_filter([
        {'key': 'exception_type', 'value': exception_type},
        {'key': 'status_code', 'value': status_code}], lambda entry: entry.value IS NOT NULL)) AS tags,
    CAST(0 AS DECIMAL(38, 12)) AS reported_cost,
    'litellm error log: no usage' AS token_convention,
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM (
    SELECT
        *,
        CASE
            WHEN request_key IS NULL THEN {'field': 'request_id', 'reason': 'missing; every error log row has one'}
            WHEN nullif(trim(startTime), '') IS NULL THEN {'field': 'startTime', 'reason': 'missing'}
            WHEN started_at IS NULL
                THEN {'field': 'startTime', 'reason': '''' || startTime || ''' is not a timestamp'}
            WHEN model_written IS NULL
                THEN {'field': 'litellm_model_name', 'reason': 'missing (and no model_group)'}
        END AS rejection
    FROM resolved
);
