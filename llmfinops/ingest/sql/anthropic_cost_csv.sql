-- Anthropic Console cost CSV (raw_records: one row per UTC day, model, workspace, API key and token type) -> one
-- billed line per row + a rejection for rows that fail checks. Conventions and sources: anthropic_exports.py.
WITH parsed AS (
    SELECT
        record_number,
        usage_date_utc,
        cost_usd,
        list_price_usd,
        CAST(TRY_STRPTIME(trim(usage_date_utc), '%Y-%m-%d') AS TIMESTAMP) AS day_start,
        -- a display name ("Claude Sonnet 4.5"); pricing/anthropic.yaml lists display names as aliases
        nullif(trim(model), '') AS model_written,
        nullif(trim(workspace), '') AS workspace_name,
        nullif(trim(api_key), '') AS api_key_name,
        nullif(trim(api_key_id), '') AS api_key_id,
        nullif(trim(api_key_status), '') AS api_key_status,
        nullif(trim(usage_type), '') AS usage_type,
        nullif(trim(context_window), '') AS context_window,
        nullif(trim(token_type), '') AS token_type,
        nullif(trim(cost_type), '') AS cost_type,
        nullif(trim(inference_geo), '') AS inference_geo,
        nullif(trim(speed), '') AS speed,
        -- US dollars here (the API's amounts are cents); exact DECIMAL, scientific notation included
        TRY_CAST(trim(cost_usd) AS DECIMAL(38, 12)) AS cost_amount,
        TRY_CAST(trim(list_price_usd) AS DECIMAL(38, 12)) AS list_amount
    FROM raw_records
    WHERE parse_error IS NULL
),
checked AS (
    SELECT
        *,
        CASE
            WHEN nullif(trim(usage_date_utc), '') IS NULL THEN {'field': 'usage_date_utc', 'reason': 'missing'}
            WHEN day_start IS NULL
                THEN {'field': 'usage_date_utc', 'reason': '''' || usage_date_utc || ''' is not a YYYY-MM-DD date'}
            WHEN nullif(trim(cost_usd), '') IS NULL THEN {'field': 'cost_usd', 'reason': 'missing'}
            WHEN cost_amount IS NULL
                THEN {'field': 'cost_usd', 'reason': '''' || cost_usd || ''' is not a decimal amount'}
            WHEN nullif(trim(list_price_usd), '') IS NOT NULL AND list_amount IS NULL
                THEN {'field': 'list_price_usd', 'reason': '''' || list_price_usd || ''' is not a decimal amount'}
        END AS rejection
    FROM parsed
)
SELECT
    -- the day and every dimension of the row (the key's id where the file has it: names need not be unique)
    'anthropic_cost_csv:' || CAST(to_json([
        strftime(day_start, '%Y-%m-%d'), model_written, workspace_name, api_key_name, api_key_id, usage_type,
        context_window, token_type, cost_type, inference_geo, speed]) AS VARCHAR) AS natural_key,
    'anthropic' AS provider,
    CAST(NULL AS VARCHAR) AS billing_account_id,
    workspace_name AS sub_account_id,
    CAST(NULL AS VARCHAR) AS invoice_id,
    -- Anthropic bills by UTC calendar month
    CAST(date_trunc('month', day_start) AS DATE) AS billing_period_start,
    CAST(date_trunc('month', day_start) + INTERVAL 1 MONTH AS DATE) AS billing_period_end,
    day_start AS charge_period_start,
    day_start + INTERVAL 1 DAY AS charge_period_end,
    'Usage' AS charge_category,
    CAST(NULL AS VARCHAR) AS charge_class,
    'Anthropic API' AS service_name,
    CAST(NULL AS VARCHAR) AS sku_id,
    -- the CSV has no line text of its own (the API's `description`)
    CAST(NULL AS VARCHAR) AS sku_description,
    lower(model_written) AS model,
    model_written AS model_raw,
    CASE lower(token_type)
        WHEN 'input_no_cache' THEN 'input'
        WHEN 'input_cache_read' THEN 'cache_read'
        WHEN 'input_cache_write_5m' THEN 'cache_write'
        WHEN 'input_cache_write_1h' THEN 'cache_write_1h'
        WHEN 'output' THEN 'output'
    END AS token_class,
    CAST(NULL AS DECIMAL(38, 12)) AS consumed_quantity,
    CAST(NULL AS VARCHAR) AS consumed_unit,
    cost_amount AS billed_cost,
    list_amount AS list_cost,
    CAST(NULL AS DECIMAL(38, 12)) AS effective_cost,
    'USD' AS billing_currency,
    true AS is_ai,
    CAST(NULL AS VARCHAR) AS project_id,
    api_key_id,
    -- the workspace's name as written, not an id
    workspace_name AS workspace_id,
    map_from_entries(list_filter([
        {'key': 'api_key', 'value': api_key_name},
        {'key': 'api_key_status', 'value': api_key_status},
        {'key': 'usage_type', 'value': usage_type},
        {'key': 'context_window', 'value': context_window},
        {'key': 'token_type', 'value': token_type},
        {'key': 'cost_type', 'value': cost_type},
        {'key': 'inference_geo', 'value': inference_geo},
        {'key': 'speed', 'value': speed}
    ], lambda entry: entry.value IS NOT NULL)) AS tags,
    day_start AS period_start,
    day_start + INTERVAL 1 DAY AS period_end,
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM checked;
