-- Anthropic Admin API cost report pages (raw_records: one daily bucket per element of `data`, its results[] as
-- JSON text) -> one billed line per result, a skipped row per empty bucket, and a rejection for buckets or results
-- that fail checks. Conventions and sources: anthropic_exports.py.
-- continues the CTEs of _anthropic_report_buckets.sql (buckets, bucket checks, results, envelope_rows)
fields AS (
    SELECT
        *,
        json_type(result) = 'OBJECT' AS is_object,
        result ->> 'amount' AS amount_text,
        nullif(trim(result ->> 'currency'), '') AS currency_written,
        nullif(trim(result ->> 'cost_type'), '') AS cost_type,
        -- verbatim: the provider's own line text
        result ->> 'description' AS description,
        nullif(trim(result ->> 'model'), '') AS model_written,
        nullif(trim(result ->> 'token_type'), '') AS token_type,
        nullif(trim(result ->> 'service_tier'), '') AS service_tier,
        nullif(trim(result ->> 'context_window'), '') AS context_window,
        nullif(trim(result ->> 'inference_geo'), '') AS inference_geo,
        nullif(trim(result ->> 'workspace_id'), '') AS workspace_id
    FROM results
),
amounted AS (
    SELECT
        *,
        -- the amount is a decimal string in cents ("123.45" USD = $1.2345): read as DECIMAL (scientific notation
        -- included, exactly) and multiplied by 0.01, never through a float
        CAST(TRY_CAST(trim(amount_text) AS DECIMAL(38, 14)) * CAST('0.01' AS DECIMAL(3, 2)) AS DECIMAL(38, 12))
            AS billed_amount
    FROM fields
),
checked AS (
    SELECT
        *,
        CASE
            WHEN NOT is_object THEN {'field': 'results', 'reason': 'not a JSON object'}
            WHEN nullif(trim(amount_text), '') IS NULL THEN {'field': 'amount', 'reason': 'missing'}
            WHEN billed_amount IS NULL
                THEN {'field': 'amount', 'reason': '''' || amount_text || ''' is not a decimal amount of cents'}
            WHEN currency_written IS NULL THEN {'field': 'currency', 'reason': 'missing'}
            WHEN NOT regexp_full_match(currency_written, '[A-Za-z]{3}')
                THEN {'field': 'currency', 'reason': '''' || currency_written || ''' is not an ISO 4217 currency code'}
        END AS rejection
    FROM amounted
)
SELECT
    -- the day and every dimension the report can be grouped by
    'anthropic_cost_api:' || CAST(to_json([
        strftime(bucket_start, '%Y-%m-%dT%H:%M:%S'), strftime(bucket_end, '%Y-%m-%dT%H:%M:%S'), workspace_id,
        description, model_written, cost_type, token_type, service_tier, context_window, inference_geo,
        upper(currency_written)]) AS VARCHAR) AS natural_key,
    'anthropic' AS provider,
    CAST(NULL AS VARCHAR) AS billing_account_id,
    workspace_id AS sub_account_id,
    CAST(NULL AS VARCHAR) AS invoice_id,
    -- Anthropic bills by UTC calendar month
    CAST(date_trunc('month', bucket_start) AS DATE) AS billing_period_start,
    CAST(date_trunc('month', bucket_start) + INTERVAL 1 MONTH AS DATE) AS billing_period_end,
    bucket_start AS charge_period_start,
    bucket_end AS charge_period_end,
    'Usage' AS charge_category,
    CAST(NULL AS VARCHAR) AS charge_class,
    'Anthropic API' AS service_name,
    CAST(NULL AS VARCHAR) AS sku_id,
    description AS sku_description,
    lower(model_written) AS model,
    model_written AS model_raw,
    CASE token_type
        WHEN 'uncached_input_tokens' THEN 'input'
        WHEN 'cache_read_input_tokens' THEN 'cache_read'
        WHEN 'cache_creation.ephemeral_5m_input_tokens' THEN 'cache_write'
        WHEN 'cache_creation.ephemeral_1h_input_tokens' THEN 'cache_write_1h'
        WHEN 'output_tokens' THEN 'output'
    END AS token_class,
    -- the report has amounts only, no token counts
    CAST(NULL AS DECIMAL(38, 12)) AS consumed_quantity,
    CAST(NULL AS VARCHAR) AS consumed_unit,
    billed_amount AS billed_cost,
    CAST(NULL AS DECIMAL(38, 12)) AS list_cost,
    CAST(NULL AS DECIMAL(38, 12)) AS effective_cost,
    upper(currency_written) AS billing_currency,
    true AS is_ai,
    CAST(NULL AS VARCHAR) AS project_id,
    CAST(NULL AS VARCHAR) AS api_key_id,
    -- NULL: the Default workspace, or a report not grouped by workspace_id (the file does not say which)
    workspace_id,
    map_from_entries(list_filter([
        {'key': 'cost_type', 'value': cost_type},
        {'key': 'token_type', 'value': token_type},
        {'key': 'service_tier', 'value': service_tier},
        {'key': 'context_window', 'value': context_window},
        {'key': 'inference_geo', 'value': inference_geo}
    ], lambda entry: entry.value IS NOT NULL)) AS tags,
    bucket_start AS period_start,
    bucket_end AS period_end,
    CAST(NULL AS VARCHAR) AS skip_reason,
    record_number,
    record_part,
    CAST(json_object('starting_at', starting_at, 'ending_at', ending_at, 'result', result) AS VARCHAR)
        AS quarantine_raw,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM checked
UNION ALL BY NAME
-- the envelope's own rows (see the prelude): empty buckets skipped with this format's reason, unreadable ones rejected
SELECT 'anthropic_cost_api:' || bucket_key AS natural_key,
       CASE WHEN reject_reason IS NULL THEN 'bucket with no costs' END AS skip_reason,
       * EXCLUDE (bucket_key)
FROM envelope_rows;
