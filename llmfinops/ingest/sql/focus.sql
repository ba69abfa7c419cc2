-- FOCUS rows (raw_records: the FOCUS columns as text) -> one billed line per row. Conventions: focus.py.
WITH present AS (
    -- FOCUS writes null as an empty cell; real exports also write the bare token NULL
    SELECT
        record_number,
        nullif(nullif(trim(BilledCost), 'NULL'), '') AS billed_text,
        nullif(nullif(trim(EffectiveCost), 'NULL'), '') AS effective_text,
        nullif(nullif(trim(ListCost), 'NULL'), '') AS list_text,
        nullif(nullif(trim(BillingAccountId), 'NULL'), '') AS billing_account,
        upper(nullif(nullif(trim(BillingCurrency), 'NULL'), '')) AS currency,
        nullif(nullif(trim(BillingPeriodStart), 'NULL'), '') AS billing_start_text,
        nullif(nullif(trim(BillingPeriodEnd), 'NULL'), '') AS billing_end_text,
        nullif(nullif(trim(ChargeCategory), 'NULL'), '') AS category_text,
        nullif(nullif(trim(ChargeClass), 'NULL'), '') AS class_text,
        nullif(nullif(trim(ChargeDescription), 'NULL'), '') AS description,
        nullif(nullif(trim(ChargePeriodStart), 'NULL'), '') AS charge_start_text,
        nullif(nullif(trim(ChargePeriodEnd), 'NULL'), '') AS charge_end_text,
        nullif(nullif(trim(ConsumedQuantity), 'NULL'), '') AS quantity_text,
        nullif(nullif(trim(ConsumedUnit), 'NULL'), '') AS consumed_unit,
        nullif(nullif(trim(InvoiceId), 'NULL'), '') AS invoice_id,
        coalesce(nullif(nullif(trim(ServiceProviderName), 'NULL'), ''),
                 nullif(nullif(trim(ProviderName), 'NULL'), '')) AS provider_name,
        nullif(nullif(trim(ServiceCategory), 'NULL'), '') AS service_category,
        nullif(nullif(trim(ServiceName), 'NULL'), '') AS service_name,
        nullif(nullif(trim(SkuId), 'NULL'), '') AS sku_id,
        nullif(nullif(trim(SkuPriceDetails), 'NULL'), '') AS sku_price_details,
        nullif(nullif(trim(SubAccountId), 'NULL'), '') AS sub_account,
        nullif(nullif(trim(Tags), 'NULL'), '') AS tags_text,
        nullif(nullif(trim(x_UsageType), 'NULL'), '') AS usage_type,
        nullif(nullif(trim(x_ServiceCode), 'NULL'), '') AS service_code,
        md5(concat_ws(chr(31), BilledCost, EffectiveCost, ListCost, BillingAccountId, BillingCurrency,
                      BillingPeriodStart, BillingPeriodEnd, ChargeCategory, ChargeClass, ChargeDescription,
                      ChargePeriodStart, ChargePeriodEnd, ConsumedQuantity, ConsumedUnit, InvoiceId, ProviderName,
                      ServiceProviderName, ServiceCategory, ServiceName, SkuId, SkuPriceDetails, SubAccountId,
                      ResourceId, Tags, x_UsageType, x_ServiceCode)) AS content_hash
    FROM raw_records
    WHERE parse_error IS NULL
),
parsed AS (
    SELECT
        *,
        TRY_CAST(billed_text AS DECIMAL(38, 12)) AS billed_cost,
        TRY_CAST(effective_text AS DECIMAL(38, 12)) AS effective_cost,
        TRY_CAST(list_text AS DECIMAL(38, 12)) AS list_cost,
        TRY_CAST(quantity_text AS DECIMAL(38, 12)) AS consumed_quantity,
        CAST(TRY_CAST(billing_start_text AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS DATE) AS billing_start,
        CAST(TRY_CAST(billing_end_text AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS DATE) AS billing_end,
        TRY_CAST(charge_start_text AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS charge_start,
        TRY_CAST(charge_end_text AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS charge_end,
        CASE lower(category_text)
            WHEN 'usage' THEN 'Usage' WHEN 'purchase' THEN 'Purchase' WHEN 'tax' THEN 'Tax'
            WHEN 'credit' THEN 'Credit' WHEN 'adjustment' THEN 'Adjustment'
        END AS charge_category,
        CASE WHEN json_valid(tags_text) AND json_type(CAST(tags_text AS JSON)) = 'OBJECT'
             THEN TRY_CAST(CAST(tags_text AS JSON) AS MAP(VARCHAR, VARCHAR)) END AS tags,
        CASE WHEN json_valid(sku_price_details)
             THEN coalesce(CAST(sku_price_details AS JSON) ->> 'ModelId', CAST(sku_price_details AS JSON) ->> 'x_ModelId')
        END AS model_written,
        -- the llmfinops provider of services that sell LLM inference, so billed lines meet that provider's usage
        CASE
            WHEN service_name = 'Amazon Bedrock' OR starts_with(coalesce(service_code, ''), 'AmazonBedrock')
                THEN 'bedrock'
            WHEN service_name ILIKE 'Azure OpenAI%' OR service_name IN ('Foundry Models', 'Azure AI Foundry Models')
                THEN 'azure'
            WHEN service_name = 'Vertex AI' THEN 'vertex_ai'
            WHEN service_name IN ('Gemini API', 'Generative Language API') THEN 'gemini'
            WHEN provider_name ILIKE 'OpenAI%' THEN 'openai'
            WHEN provider_name ILIKE 'Anthropic%' THEN 'anthropic'
        END AS llm_provider,
        row_number() OVER (PARTITION BY content_hash ORDER BY record_number) AS occurrence
    FROM present
),
checked AS (
    SELECT
        *,
        CASE
            WHEN billed_text IS NULL THEN {'field': 'BilledCost', 'reason': 'missing (FOCUS requires it on every row)'}
            WHEN billed_cost IS NULL THEN {'field': 'BilledCost', 'reason': '''' || billed_text || ''' is not a decimal amount'}
            WHEN effective_text IS NOT NULL AND effective_cost IS NULL
                THEN {'field': 'EffectiveCost', 'reason': '''' || effective_text || ''' is not a decimal amount'}
            WHEN list_text IS NOT NULL AND list_cost IS NULL
                THEN {'field': 'ListCost', 'reason': '''' || list_text || ''' is not a decimal amount'}
            WHEN currency IS NULL THEN {'field': 'BillingCurrency', 'reason': 'missing'}
            WHEN NOT regexp_full_match(currency, '[A-Z]{3}')
                THEN {'field': 'BillingCurrency', 'reason': '''' || currency || ''' is not an ISO 4217 currency code'}
            WHEN billing_start_text IS NULL THEN {'field': 'BillingPeriodStart', 'reason': 'missing'}
            WHEN billing_start IS NULL
                THEN {'field': 'BillingPeriodStart', 'reason': '''' || billing_start_text || ''' is not a date and time'}
            WHEN billing_end_text IS NOT NULL AND billing_end IS NULL
                THEN {'field': 'BillingPeriodEnd', 'reason': '''' || billing_end_text || ''' is not a date and time'}
            WHEN charge_start_text IS NULL THEN {'field': 'ChargePeriodStart', 'reason': 'missing'}
            WHEN charge_start IS NULL
                THEN {'field': 'ChargePeriodStart', 'reason': '''' || charge_start_text || ''' is not a date and time'}
            WHEN charge_end_text IS NOT NULL AND charge_end IS NULL
                THEN {'field': 'ChargePeriodEnd', 'reason': '''' || charge_end_text || ''' is not a date and time'}
            WHEN charge_end < charge_start
                THEN {'field': 'ChargePeriodEnd', 'reason': 'before ChargePeriodStart'}
            WHEN category_text IS NULL THEN {'field': 'ChargeCategory', 'reason': 'missing'}
            WHEN charge_category IS NULL
                THEN {'field': 'ChargeCategory',
                      'reason': '''' || category_text || ''' is not Usage, Purchase, Tax, Credit or Adjustment'}
            WHEN class_text IS NOT NULL AND lower(class_text) <> 'correction'
                THEN {'field': 'ChargeClass', 'reason': '''' || class_text || ''' is not Correction or null'}
            WHEN quantity_text IS NOT NULL AND consumed_quantity IS NULL
                THEN {'field': 'ConsumedQuantity', 'reason': '''' || quantity_text || ''' is not a decimal number'}
        END AS rejection
    FROM parsed
)
SELECT
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason,
    'focus:' || content_hash || ':' || occurrence AS natural_key,
    coalesce(llm_provider, lower(provider_name), 'unknown') AS provider,
    billing_account AS billing_account_id,
    sub_account AS sub_account_id,
    invoice_id,
    billing_start AS billing_period_start,
    -- a missing end is the month after the start (FOCUS billing periods are the provider's invoice months)
    coalesce(billing_end, CAST(billing_start + INTERVAL 1 MONTH AS DATE)) AS billing_period_end,
    charge_start AS charge_period_start,
    coalesce(charge_end, charge_start) AS charge_period_end,
    charge_category,
    CASE WHEN class_text IS NOT NULL THEN 'Correction' END AS charge_class,
    service_name,
    sku_id,
    coalesce(description, usage_type) AS sku_description,
    lower(model_written) AS model,
    model_written AS model_raw,
    CAST(NULL AS VARCHAR) AS token_class,
    consumed_quantity,
    consumed_unit,
    billed_cost,
    list_cost,
    effective_cost,
    currency AS billing_currency,
    llm_provider IS NOT NULL OR coalesce(service_category = 'AI and Machine Learning', false) AS is_ai,
    CAST(NULL AS VARCHAR) AS project_id,
    CAST(NULL AS VARCHAR) AS api_key_id,
    CAST(NULL AS VARCHAR) AS workspace_id,
    tags,
    -- a correction of an earlier period is billed now and must not widen the period a newer export replaces
    CASE WHEN class_text IS NULL THEN charge_start END AS period_start,
    CASE WHEN class_text IS NULL THEN coalesce(charge_end, charge_start + INTERVAL 1 MICROSECOND) END AS period_end
FROM checked
