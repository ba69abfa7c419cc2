-- OpenAI usage dashboard cost CSV (one row per day and line item, amount_value with up to 16 decimals) -> billed
-- lines; a row with no amount, currency and line item is a day with no costs (skipped with its period).
-- Conventions and sources: openai_exports.py; the same lines and keys as openai_costs_api.sql.
WITH parsed AS (
    SELECT
        record_number,
        start_time, end_time, amount_value, amount_currency,
        -- times up to the year 9999, written as whole numbers (or floats with a zero fraction)
        list_transform([start_time, end_time], lambda text: CASE
            WHEN whole_number(regexp_extract(trim(text), '^([+-]?[0-9]+)(\.0*)?$', 1)) BETWEEN 0 AND 253402300799
            THEN whole_number(regexp_extract(trim(text), '^([+-]?[0-9]+)(\.0*)?$', 1)) END) AS seconds,
        trim(amount_value) AS value_text,
        TRY_CAST(trim(amount_value) AS DECIMAL(38, 12)) AS billed_amount,
        upper(nullif(trim(amount_currency), '')) AS currency,
        -- the line as OpenAI names it, verbatim
        nullif(line_item, '') AS line_item,
        nullif(trim(project_id), '') AS project_id,
        nullif(trim(api_key_id), '') AS api_key_id,
        nullif(trim(organization_id), '') AS organization_id,
        nullif(trim(organization_name), '') AS organization_name
    FROM raw_records
    WHERE parse_error IS NULL
),
lined AS (
    SELECT
        *,
        seconds[1] AS start_seconds,
        seconds[2] AS end_seconds,
        coalesce(nullif(value_text, ''), currency, line_item) IS NULL AS no_costs,
        -- "<model>[ <modality>], <class>", optionally "<tier> | " before and ", long context" after (UNCONFIRMED
        -- vocabulary, see openai_exports.py)
        regexp_extract(
            coalesce(line_item, ''),
            '^(?:([A-Za-z]+) \| )?([A-Za-z0-9][A-Za-z0-9._:/-]*)(?: (text|audio|image))?, ([^,]+?)(, long context)?$',
            ['tier', 'model', 'modality', 'class', 'long_context']) AS line
    FROM parsed
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
            WHEN no_costs THEN NULL
            WHEN nullif(value_text, '') IS NULL THEN {'field': 'amount_value', 'reason': 'missing'}
            WHEN billed_amount IS NULL
                THEN {'field': 'amount_value', 'reason': '''' || value_text || ''' is not a decimal amount'}
            WHEN currency IS NULL THEN {'field': 'amount_currency', 'reason': 'missing'}
            WHEN NOT regexp_full_match(currency, '[A-Z]{3}')
                THEN {'field': 'amount_currency',
                      'reason': '''' || amount_currency || ''' is not an ISO 4217 currency code'}
        END AS rejection
    FROM lined
),
classified AS (
    SELECT
        *,
        -- UNCONFIRMED that the cost export carries tax or credits at all: a line naming them is not usage
        CASE
            WHEN regexp_matches(coalesce(line_item, ''), '(?i)\b(tax|vat|gst)\b') THEN 'Tax'
            WHEN billed_amount < 0 OR regexp_matches(coalesce(line_item, ''), '(?i)\bcredits?\b') THEN 'Credit'
            ELSE 'Usage'
        END AS charge_category,
        nullif(line.model, '') AS model_written,
        CASE lower(line.class)
            WHEN 'input' THEN 'input'
            WHEN 'cached input' THEN 'cache_read'
            WHEN 'cache write' THEN 'cache_write'
            WHEN 'cache writes' THEN 'cache_write'
            WHEN 'output' THEN 'output'
        END AS token_class,
        make_timestamp(start_seconds * 1000000) AS bucket_start
    FROM checked
)
SELECT
    CASE WHEN no_costs THEN 'openai_costs:empty:' || start_seconds || ':' || end_seconds
         -- the same key as the Costs API's line of the same day (the API has no organization_id)
         ELSE 'openai_costs:' || CAST(to_json([
             CAST(start_seconds AS VARCHAR), CAST(end_seconds AS VARCHAR), line_item, project_id, api_key_id,
             currency]) AS VARCHAR)
    END AS natural_key,
    'openai' AS provider,
    organization_id AS billing_account_id,
    project_id AS sub_account_id,
    CAST(NULL AS VARCHAR) AS invoice_id,
    CAST(date_trunc('month', bucket_start) AS DATE) AS billing_period_start,
    CAST(date_trunc('month', bucket_start) + INTERVAL 1 MONTH AS DATE) AS billing_period_end,
    bucket_start AS charge_period_start,
    make_timestamp(end_seconds * 1000000) AS charge_period_end,
    charge_category,
    CAST(NULL AS VARCHAR) AS charge_class,
    'OpenAI API' AS service_name,
    CAST(NULL AS VARCHAR) AS sku_id,
    line_item AS sku_description,
    lower(model_written) AS model,
    model_written AS model_raw,
    token_class,
    CAST(NULL AS DECIMAL(38, 12)) AS consumed_quantity,
    CAST(NULL AS VARCHAR) AS consumed_unit,
    billed_amount AS billed_cost,
    CAST(NULL AS DECIMAL(38, 12)) AS list_cost,
    CAST(NULL AS DECIMAL(38, 12)) AS effective_cost,
    currency AS billing_currency,
    charge_category = 'Usage' AS is_ai,
    project_id,
    api_key_id,
    CAST(NULL AS VARCHAR) AS workspace_id,
    map_from_entries(list_filter([
        {'key': 'service_tier', 'value': nullif(lower(line.tier), '')},
        {'key': 'modality', 'value': nullif(line.modality, '')},
        {'key': 'long_context', 'value': CASE WHEN line.long_context <> '' THEN 'true' END},
        {'key': 'organization_name', 'value': organization_name}
    ], lambda entry: entry.value IS NOT NULL)) AS tags,
    record_number,
    CASE WHEN no_costs THEN 'bucket with no costs' END AS skip_reason,
    bucket_start AS period_start,
    make_timestamp(end_seconds * 1000000) AS period_end,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM classified;
