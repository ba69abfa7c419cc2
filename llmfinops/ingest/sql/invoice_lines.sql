-- Invoice lines typed from an invoice (raw_records: the invoice_lines columns as text) -> billed lines.
WITH parsed AS (
    SELECT
        record_number,
        lower(nullif(trim(provider), '')) AS provider_name,
        nullif(trim(invoice_id), '') AS invoice,
        nullif(trim(billing_period), '') AS period_text,
        TRY_CAST(nullif(trim(billing_period), '') || '-01' AS DATE) AS period_start,
        nullif(trim(category), '') AS category_text,
        CASE lower(trim(category))
            WHEN 'usage' THEN 'Usage' WHEN 'purchase' THEN 'Purchase' WHEN 'tax' THEN 'Tax'
            WHEN 'credit' THEN 'Credit' WHEN 'adjustment' THEN 'Adjustment'
        END AS charge_category,
        nullif(trim(description), '') AS line_description,
        nullif(trim(amount), '') AS amount_text,
        -- thousands separators are how invoices print amounts; anything else that is not a plain decimal is refused
        TRY_CAST(replace(nullif(trim(amount), ''), ',', '') AS DECIMAL(38, 12)) AS amount_value,
        upper(nullif(trim(currency), '')) AS currency_code,
        nullif(trim(model), '') AS model_written,
        nullif(trim(billing_account_id), '') AS billing_account,
        lower(nullif(trim(correction), '')) AS correction_text
    FROM raw_records
    WHERE parse_error IS NULL
),
checked AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY provider_name, invoice, period_text, category_text, line_description
                           ORDER BY record_number) AS occurrence,
        CASE
            WHEN provider_name IS NULL THEN {'field': 'provider', 'reason': 'missing'}
            WHEN invoice IS NULL THEN {'field': 'invoice_id', 'reason': 'missing'}
            WHEN period_text IS NULL THEN {'field': 'billing_period', 'reason': 'missing'}
            WHEN period_start IS NULL OR NOT regexp_full_match(period_text, '[0-9]{4}-[0-9]{2}')
                THEN {'field': 'billing_period', 'reason': '''' || period_text || ''' is not a month (YYYY-MM)'}
            WHEN category_text IS NULL THEN {'field': 'category', 'reason': 'missing'}
            WHEN charge_category IS NULL
                THEN {'field': 'category',
                      'reason': '''' || category_text || ''' is not usage, tax, credit, adjustment or purchase'}
            WHEN line_description IS NULL THEN {'field': 'description', 'reason': 'missing'}
            WHEN amount_text IS NULL THEN {'field': 'amount', 'reason': 'missing'}
            WHEN amount_value IS NULL OR NOT regexp_full_match(amount_text, '[+-]?[0-9][0-9,]*(\.[0-9]+)?')
                THEN {'field': 'amount', 'reason': '''' || amount_text || ''' is not a decimal amount'}
            WHEN currency_code IS NULL THEN {'field': 'currency', 'reason': 'missing'}
            WHEN NOT regexp_full_match(currency_code, '[A-Z]{3}')
                THEN {'field': 'currency', 'reason': '''' || currency_code || ''' is not an ISO 4217 currency code'}
            WHEN correction_text IS NOT NULL AND correction_text NOT IN ('true', 'false', 'yes', 'no')
                THEN {'field': 'correction', 'reason': '''' || correction_text || ''' is not true or false'}
        END AS rejection
    FROM parsed
)
SELECT
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason,
    'invoice_lines:' || concat_ws(':', provider_name, invoice, period_text, category_text, line_description, occurrence)
        AS natural_key,
    provider_name AS provider,
    billing_account AS billing_account_id,
    CAST(NULL AS VARCHAR) AS sub_account_id,
    invoice AS invoice_id,
    period_start AS billing_period_start,
    CAST(period_start + INTERVAL 1 MONTH AS DATE) AS billing_period_end,
    CAST(period_start AS TIMESTAMP) AS charge_period_start,
    CAST(period_start + INTERVAL 1 MONTH AS TIMESTAMP) AS charge_period_end,
    charge_category,
    CASE WHEN correction_text IN ('true', 'yes') THEN 'Correction' END AS charge_class,
    CAST(NULL AS VARCHAR) AS service_name,
    CAST(NULL AS VARCHAR) AS sku_id,
    line_description AS sku_description,
    lower(model_written) AS model,
    model_written AS model_raw,
    CAST(NULL AS VARCHAR) AS token_class,
    CAST(NULL AS DECIMAL(38, 12)) AS consumed_quantity,
    CAST(NULL AS VARCHAR) AS consumed_unit,
    amount_value AS billed_cost,
    CAST(NULL AS DECIMAL(38, 12)) AS list_cost,
    CAST(NULL AS DECIMAL(38, 12)) AS effective_cost,
    currency_code AS billing_currency,
    true AS is_ai,
    CAST(NULL AS VARCHAR) AS project_id,
    CAST(NULL AS VARCHAR) AS api_key_id,
    CAST(NULL AS VARCHAR) AS workspace_id,
    CAST(NULL AS MAP(VARCHAR, VARCHAR)) AS tags,
    CAST(period_start AS TIMESTAMP) AS period_start,
    CAST(period_start + INTERVAL 1 MONTH AS TIMESTAMP) AS period_end
FROM checked
