-- OpenAI Costs API pages (raw_records: one daily bucket per element of `data`, its `results` as JSON text in which
-- every decimal number arrives as the text written in the file, InputFormat.exact_json_numbers) -> one billed line
-- per result, a skipped row per empty bucket, a rejection per bad bucket or result. Conventions: openai_exports.py.
-- continues the CTEs of _openai_page_buckets.sql (buckets, bucket checks, results, envelope_rows)
fields AS (
    SELECT
        record_number, record_part, start_seconds, end_seconds, result,
        json_type(result) = 'OBJECT' AS is_object,
        nullif(trim(result ->> 'object'), '') AS result_object,
        result -> 'amount' AS amount,
        trim(result -> 'amount' ->> 'value') AS value_text,
        upper(nullif(trim(result -> 'amount' ->> 'currency'), '')) AS currency,
        -- the line as OpenAI names it, verbatim
        result ->> 'line_item' AS line_item,
        nullif(trim(result ->> 'project_id'), '') AS project_id,
        nullif(trim(result ->> 'api_key_id'), '') AS api_key_id
    FROM results
),
parsed AS (
    SELECT
        *,
        TRY_CAST(value_text AS DECIMAL(38, 12)) AS billed_amount,
        -- "<model>[ <modality>], <class>", optionally "<tier> | " before and ", long context" after (UNCONFIRMED
        -- vocabulary, see openai_exports.py)
        regexp_extract(
            coalesce(line_item, ''),
            '^(?:([A-Za-z]+) \| )?([A-Za-z0-9][A-Za-z0-9._:/-]*)(?: (text|audio|image))?, ([^,]+?)(, long context)?$',
            ['tier', 'model', 'modality', 'class', 'long_context']) AS line
    FROM fields
),
checked AS (
    SELECT
        *,
        CASE
            WHEN NOT is_object THEN {'field': 'results', 'reason': 'not a JSON object'}
            WHEN result_object IS NOT NULL AND result_object <> 'organization.costs.result'
                THEN {'field': 'object', 'reason': '''' || result_object || ''' is not a costs result'}
            WHEN amount IS NULL OR json_type(amount) <> 'OBJECT' THEN {'field': 'amount', 'reason': 'missing'}
            WHEN nullif(value_text, '') IS NULL THEN {'field': 'amount.value', 'reason': 'missing'}
            WHEN billed_amount IS NULL
                THEN {'field': 'amount.value', 'reason': '''' || value_text || ''' is not a decimal amount'}
            WHEN currency IS NULL THEN {'field': 'amount.currency', 'reason': 'missing'}
            WHEN NOT regexp_full_match(currency, '[A-Z]{3}')
                THEN {'field': 'amount.currency',
                      'reason': '''' || (result -> 'amount' ->> 'currency') || ''' is not an ISO 4217 currency code'}
        END AS first_rejection
    FROM parsed
),
classified AS (
    SELECT
        *,
        -- UNCONFIRMED that the Costs API carries tax or credits at all: a line naming them is not usage
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
        make_timestamp(start_seconds * 1000000) AS bucket_start,
        -- the feed name, so the dashboard cost CSV's row of the same day and line is the same key
        'openai_costs:' || CAST(to_json([
            CAST(start_seconds AS VARCHAR), CAST(end_seconds AS VARCHAR), line_item, project_id, api_key_id, currency])
            AS VARCHAR) AS natural_key
    FROM checked
),
deduplicated AS (
    -- The loader finds a key twice in one file only across elements; twice in one bucket is caught here.
    SELECT
        *,
        coalesce(first_rejection, CASE
            WHEN first_rejection IS NULL AND row_number() OVER same_key > 1
                THEN {'field': 'results',
                      'reason': 'duplicate of result ' || first_value(record_part) OVER same_key
                          || ' in the same bucket'}
        END) AS rejection
    FROM classified
    WINDOW same_key AS (PARTITION BY record_number, natural_key, first_rejection IS NULL ORDER BY record_part)
)
SELECT
    natural_key,
    'openai' AS provider,
    CAST(NULL AS VARCHAR) AS billing_account_id,
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
    -- the Costs API has no quantity (an undocumented `quantity` field is not read)
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
        {'key': 'long_context', 'value': CASE WHEN line.long_context <> '' THEN 'true' END}
    ], lambda entry: entry.value IS NOT NULL)) AS tags,
    record_number,
    record_part,
    -- a quarantined result keeps its bucket's times and its own fields
    CAST(json_object('start_time', start_seconds, 'end_time', end_seconds, 'result', result) AS VARCHAR)
        AS quarantine_raw,
    CAST(NULL AS VARCHAR) AS skip_reason,
    bucket_start AS period_start,
    make_timestamp(end_seconds * 1000000) AS period_end,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM deduplicated
UNION ALL BY NAME
-- the envelope's own rows (see the prelude): empty buckets skipped with this format's reason, unreadable ones rejected
SELECT 'openai_costs:' || bucket_key AS natural_key,
       CASE WHEN reject_reason IS NULL THEN 'bucket with no costs' END AS skip_reason,
       * EXCLUDE (bucket_key)
FROM envelope_rows;
