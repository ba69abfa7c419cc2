-- AWS CUR 2.0 lines (raw_records: the CUR columns as text) -> Amazon Bedrock usage buckets and billed lines; other
-- AWS services are skipped. Conventions and what is UNCONFIRMED: aws_cur.py.
WITH present AS (
    SELECT
        record_number,
        nullif(trim(bill_invoice_id), '') AS invoice_id,
        nullif(trim(bill_billing_entity), '') AS billing_entity,
        nullif(trim(bill_payer_account_id), '') AS payer_account,
        nullif(trim(bill_billing_period_start_date), '') AS billing_start_text,
        nullif(trim(bill_billing_period_end_date), '') AS billing_end_text,
        nullif(trim(line_item_line_item_type), '') AS line_item_type,
        nullif(trim(line_item_usage_start_date), '') AS usage_start_text,
        nullif(trim(line_item_usage_end_date), '') AS usage_end_text,
        nullif(trim(line_item_product_code), '') AS product_code,
        nullif(trim(line_item_usage_type), '') AS usage_type,
        nullif(trim(line_item_operation), '') AS operation_written,
        nullif(line_item_line_item_description, '') AS description,
        nullif(trim(line_item_usage_account_id), '') AS usage_account,
        nullif(trim(line_item_resource_id), '') AS resource_id,
        nullif(trim(line_item_iam_principal), '') AS iam_principal,
        nullif(trim(line_item_usage_amount), '') AS amount_text,
        nullif(trim(line_item_unblended_rate), '') AS rate_text,
        nullif(trim(line_item_unblended_cost), '') AS cost_text,
        nullif(trim(line_item_currency_code), '') AS currency_written,
        nullif(trim(pricing_unit), '') AS pricing_unit,
        nullif(trim(pricing_public_on_demand_cost), '') AS list_cost_text,
        nullif(trim(product_region_code), '') AS region_code,
        nullif(trim(product_servicecode), '') AS service_code,
        nullif(trim(product_product_name), '') AS product_name_column,
        nullif(trim(product), '') AS product_text,
        nullif(trim(resource_tags), '') AS resource_tags_text,
        nullif(trim(tags), '') AS principal_tags_text
    FROM raw_records
    WHERE parse_error IS NULL
),
maps AS (
    -- CUR MAP columns: JSON text (Parquet maps through the container layer; CSV serialisation UNCONFIRMED)
    SELECT
        *,
        CASE WHEN json_valid(product_text) AND json_type(CAST(product_text AS JSON)) = 'OBJECT'
             THEN CAST(product_text AS JSON) END AS product_json,
        CASE WHEN json_valid(resource_tags_text) AND json_type(CAST(resource_tags_text AS JSON)) = 'OBJECT'
             THEN TRY_CAST(CAST(resource_tags_text AS JSON) AS MAP(VARCHAR, VARCHAR)) END AS resource_tags_map,
        CASE WHEN json_valid(principal_tags_text) AND json_type(CAST(principal_tags_text AS JSON)) = 'OBJECT'
             THEN TRY_CAST(CAST(principal_tags_text AS JSON) AS MAP(VARCHAR, VARCHAR)) END AS principal_tags_map
    FROM present
),
parsed AS (
    SELECT
        *,
        coalesce(product_name_column, nullif(trim(product_json ->> 'product_name'), '')) AS product_name,
        TRY_CAST(billing_start_text AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS billing_start_ts,
        TRY_CAST(billing_end_text AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS billing_end_ts,
        TRY_CAST(usage_start_text AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS usage_start,
        TRY_CAST(usage_end_text AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS usage_end,
        TRY_CAST(amount_text AS DECIMAL(38, 12)) AS usage_amount,
        TRY_CAST(rate_text AS DECIMAL(38, 12)) AS unblended_rate,
        TRY_CAST(cost_text AS DECIMAL(38, 12)) AS unblended_cost,
        TRY_CAST(list_cost_text AS DECIMAL(38, 12)) AS list_cost,
        CASE
            WHEN line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') THEN 'Usage'
            WHEN line_item_type = 'Tax' THEN 'Tax'
            WHEN line_item_type IN ('Credit', 'Refund') THEN 'Credit'
            WHEN line_item_type IN ('Fee', 'RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee') THEN 'Purchase'
            WHEN line_item_type IN ('EdpDiscount', 'PrivateRateDiscount', 'BundledDiscount', 'DistributorDiscount',
                                    'SavingsPlanNegation', 'Rounding') THEN 'Adjustment'
        END AS charge_category,
        -- native usage types: {REGION}-{Model}[-mantle]-{token class}{-suffix...}
        regexp_extract(
            usage_type,
            '^(?:([A-Z]{2,4}[0-9])-)?(.+?)(-mantle)?-(input-tokens|output-tokens|cache-read-input-token-count|'
                || 'cache-write-input-token-count|cache-read-input-tokens|cache-write-input-tokens|'
                || 'cache-read-tokens|cache-write-tokens)((?:-[a-z0-9]+)*)$',
            ['region', 'model', 'mantle', 'class', 'suffix']
        ) AS native,
        -- Marketplace usage types: [{REGION}-MP:]{REGION}_{dimension}[-Units]; the dimension names no model
        regexp_extract(
            usage_type, '^(?:([A-Z]{2,4}[0-9])-MP:)?([A-Z]{2,4}[0-9])_([A-Za-z0-9_]+?)(-Units)?$',
            ['mp_region', 'region', 'dimension', 'units']
        ) AS marketplace
    FROM maps
),
classified AS (
    SELECT
        *,
        coalesce(product_code IN ('AmazonBedrock', 'AmazonBedrockService', 'AmazonBedrockFoundationModels',
                                  'AmazonBedrockAgentCore'), false)
            OR coalesce(service_code IN ('AmazonBedrock', 'AmazonBedrockService', 'AmazonBedrockFoundationModels',
                                         'AmazonBedrockAgentCore'), false)
            OR coalesce(product_name ILIKE '%(Amazon Bedrock Edition)', false) AS is_bedrock,
        regexp_extract(
            lower(marketplace.dimension),
            '^(inputtokencount|input_tokens|outputtokencount|output_tokens|cachereadinputtokencount|'
                || 'cache_read_input_tokens|cache_read_tokens|cachewriteinputtokencount|cache_write_input_tokens|'
                || 'cache_write_tokens)((?:_[a-z0-9]+)*)$',
            ['class', 'suffix']
        ) AS marketplace_token
    FROM parsed
),
tokens AS (
    SELECT
        *,
        CASE
            WHEN native.class <> '' THEN 'native'
            WHEN marketplace.dimension <> '' AND marketplace_token.class <> '' THEN 'marketplace'
        END AS token_family,
        CASE
            WHEN native.class = 'input-tokens' OR marketplace_token.class IN ('inputtokencount', 'input_tokens')
                THEN 'input'
            WHEN native.class = 'output-tokens' OR marketplace_token.class IN ('outputtokencount', 'output_tokens')
                THEN 'output'
            WHEN starts_with(native.class, 'cache-read') OR starts_with(marketplace_token.class, 'cacheread')
                 OR starts_with(marketplace_token.class, 'cache_read') THEN 'cache_read'
            WHEN starts_with(native.class, 'cache-write') OR starts_with(marketplace_token.class, 'cachewrite')
                 OR starts_with(marketplace_token.class, 'cache_write') THEN 'cache_write'
        END AS token_class,
        -- the words after the token class: tier, global routing, long context
        CASE
            WHEN native.class <> '' THEN list_filter(
                string_split(replace(native.suffix, '-cross-region-global', '-global'), '-'), lambda word: word <> '')
            WHEN marketplace_token.class <> '' THEN list_filter(
                string_split(marketplace_token.suffix, '_'), lambda word: word <> '')
            ELSE []
        END AS suffix_words,
        CASE
            WHEN native.class <> '' THEN native.suffix
            WHEN marketplace_token.class <> '' THEN marketplace_token.suffix
        END AS suffix_written,
        CASE
            WHEN native.class <> '' THEN native.model
            WHEN marketplace_token.class <> ''
                THEN regexp_replace(product_name, '\s*\(Amazon Bedrock Edition\)\s*$', '', 'i')
        END AS model_written,
        -- the token count per unit of usage_amount; NULL: a unit this reader does not know
        CASE
            WHEN regexp_full_match(lower(pricing_unit), '(1\s*)?tokens?') THEN 1
            WHEN regexp_full_match(lower(pricing_unit), '(1\s*k|1,000|1000|thousand)\s*tokens?') THEN 1000
            WHEN regexp_full_match(lower(pricing_unit), '(1\s*m|1,000,000|1000000|million)\s*tokens?') THEN 1000000
        END AS unit_size
    FROM classified
),
words AS (
    SELECT
        *,
        list_filter(suffix_words, lambda word: word NOT IN ('global', 'standard', 'flex', 'priority', 'batch', 'lctx'))
            AS unknown_words,
        list_filter(suffix_words, lambda word: word IN ('standard', 'flex', 'priority', 'batch')) AS tier_words,
        list_contains(suffix_words, 'global') AS is_global,
        -- the Marketplace long-context dimension (_LCtx): priced at the long-context rates
        list_contains(suffix_words, 'lctx') AS long_context,
        coalesce(charge_category = 'Usage' AND token_family IS NOT NULL, false) AS is_token_usage,
        -- guarded (and quarantined below) so that an absurd amount never overflows the DECIMAL arithmetic
        CASE WHEN abs(usage_amount) < 1000000000000 THEN usage_amount * unit_size END AS tokens_exact,
        CASE WHEN abs(usage_amount) < 1000000000000 AND abs(unblended_rate) < 1000000
             THEN CAST(CAST(usage_amount AS DECIMAL(20, 8)) * CAST(unblended_rate AS DECIMAL(18, 12))
                       AS DECIMAL(38, 12))
        END AS amount_times_rate
    FROM tokens
),
attributed AS (
    SELECT
        *,
        CASE WHEN model_written IS NOT NULL AND trim(model_written) <> ''
             THEN CASE WHEN is_global THEN 'global.' ELSE '' END || lower(trim(model_written)) END AS model,
        CASE WHEN len(tier_words) = 1 THEN tier_words[1] ELSE 'standard' END AS service_tier,
        CAST(round(tokens_exact) AS BIGINT) AS token_count,
        -- aws:* first, then resource tags (user_ prefix dropped), then IAM principal tags; on a clash the first wins
        list_filter(list_concat(
            [{'key': 'aws:region', 'value': region_code}, {'key': 'aws:resource_id', 'value': resource_id}],
            list_transform(map_entries(coalesce(resource_tags_map, MAP {})), lambda entry: {
                'key': CASE WHEN starts_with(entry.key, 'user_') AND len(entry.key) > 5 THEN entry.key[6:]
                            ELSE entry.key END,
                'value': entry.value}),
            list_transform(map_entries(coalesce(principal_tags_map, MAP {})),
                           lambda entry: {'key': entry.key, 'value': entry.value})
        ), lambda entry: entry.value IS NOT NULL AND entry.key <> '') AS tag_entries
    FROM words
),
tagged AS (
    SELECT
        *,
        map_from_entries(list_filter(
            tag_entries,
            lambda entry, position: NOT list_contains(
                list_transform(tag_entries[1:position - 1], lambda earlier: earlier.key), entry.key)
        )) AS tag_map
    FROM attributed
),
keyed AS (
    SELECT
        *,
        md5(concat_ws(chr(31),
            coalesce(payer_account, ''),
            coalesce(strftime(billing_start_ts, '%Y-%m-%dT%H:%M:%S'), billing_start_text, ''),
            coalesce(usage_account, ''), coalesce(line_item_type, ''), coalesce(product_code, ''),
            coalesce(usage_type, ''), coalesce(operation_written, ''),
            coalesce(strftime(usage_start, '%Y-%m-%dT%H:%M:%S'), usage_start_text, ''),
            coalesce(strftime(usage_end, '%Y-%m-%dT%H:%M:%S'), usage_end_text, ''),
            coalesce(resource_id, ''), coalesce(iam_principal, ''), coalesce(billing_entity, ''),
            coalesce(description, ''),
            array_to_string(list_sort(list_transform(map_entries(tag_map),
                                                     lambda entry: entry.key || '=' || entry.value)), chr(30))
        )) AS identity_hash
    FROM tagged
),
checked AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY identity_hash ORDER BY record_number) AS occurrence,
        CASE
            WHEN NOT is_bedrock THEN NULL
            WHEN line_item_type IS NULL THEN {'field': 'line_item_line_item_type', 'reason': 'missing'}
            WHEN charge_category IS NULL
                THEN {'field': 'line_item_line_item_type',
                      'reason': '''' || line_item_type || ''' is not a CUR line item type this reader knows'}
            WHEN usage_start_text IS NULL THEN {'field': 'line_item_usage_start_date', 'reason': 'missing'}
            WHEN usage_start IS NULL
                THEN {'field': 'line_item_usage_start_date',
                      'reason': '''' || usage_start_text || ''' is not a date and time'}
            WHEN usage_end_text IS NULL THEN {'field': 'line_item_usage_end_date', 'reason': 'missing'}
            WHEN usage_end IS NULL
                THEN {'field': 'line_item_usage_end_date',
                      'reason': '''' || usage_end_text || ''' is not a date and time'}
            WHEN usage_end < usage_start
                THEN {'field': 'line_item_usage_end_date', 'reason': 'before line_item_usage_start_date'}
            WHEN billing_start_text IS NULL THEN {'field': 'bill_billing_period_start_date', 'reason': 'missing'}
            WHEN billing_start_ts IS NULL
                THEN {'field': 'bill_billing_period_start_date',
                      'reason': '''' || billing_start_text || ''' is not a date and time'}
            WHEN billing_end_text IS NOT NULL AND billing_end_ts IS NULL
                THEN {'field': 'bill_billing_period_end_date',
                      'reason': '''' || billing_end_text || ''' is not a date and time'}
            WHEN cost_text IS NULL THEN {'field': 'line_item_unblended_cost', 'reason': 'missing'}
            WHEN unblended_cost IS NULL
                THEN {'field': 'line_item_unblended_cost', 'reason': '''' || cost_text || ''' is not a decimal amount'}
            WHEN abs(unblended_cost) >= 1000000000000000
                THEN {'field': 'line_item_unblended_cost',
                      'reason': '''' || cost_text || ''' is too large to be a cost'}
            WHEN currency_written IS NOT NULL AND NOT regexp_full_match(upper(currency_written), '[A-Z]{3}')
                THEN {'field': 'line_item_currency_code',
                      'reason': '''' || currency_written || ''' is not an ISO 4217 currency code'}
            WHEN resource_tags_text IS NOT NULL AND resource_tags_map IS NULL
                THEN {'field': 'resource_tags', 'reason': 'not a JSON object of tag keys and values'}
            WHEN principal_tags_text IS NOT NULL AND principal_tags_map IS NULL
                THEN {'field': 'tags', 'reason': 'not a JSON object of tag keys and values'}
            WHEN list_cost_text IS NOT NULL AND list_cost IS NULL
                THEN {'field': 'pricing_public_on_demand_cost',
                      'reason': '''' || list_cost_text || ''' is not a decimal amount'}
            WHEN charge_category <> 'Usage' THEN NULL
            -- usage lines: what was used, how much, at what rate
            WHEN usage_type IS NULL THEN {'field': 'line_item_usage_type', 'reason': 'missing'}
            WHEN amount_text IS NULL THEN {'field': 'line_item_usage_amount', 'reason': 'missing'}
            WHEN usage_amount IS NULL
                THEN {'field': 'line_item_usage_amount', 'reason': '''' || amount_text || ''' is not a decimal number'}
            WHEN rate_text IS NOT NULL AND unblended_rate IS NULL
                THEN {'field': 'line_item_unblended_rate', 'reason': '''' || rate_text || ''' is not a decimal number'}
            WHEN abs(usage_amount) >= 1000000000000
                THEN {'field': 'line_item_usage_amount', 'reason': '''' || amount_text || ''' is too large to be usage'}
            WHEN unblended_rate IS NOT NULL AND abs(unblended_rate) >= 1000000
                THEN {'field': 'line_item_unblended_rate',
                      'reason': '''' || rate_text || ''' is too large to be a rate'}
            WHEN unblended_rate IS NOT NULL
                 AND abs(amount_times_rate - unblended_cost) > greatest(0.01, abs(unblended_cost) * 0.01)
                THEN {'field': 'line_item_unblended_cost',
                      'reason': '''' || cost_text || ''' is not line_item_usage_amount x line_item_unblended_rate ('
                                || amount_text || ' x ' || rate_text || ' = '
                                || regexp_replace(CAST(amount_times_rate AS VARCHAR), '\.?0+$', '') || ')'}
            WHEN token_family IS NULL THEN NULL
            -- token lines: the class, the tier and the model must be known, the count whole
            WHEN len(unknown_words) > 0 OR len(tier_words) > 1
                THEN {'field': 'line_item_usage_type',
                      'reason': '''' || usage_type || ''' ends in ''' || suffix_written
                                || ''' after the token class, which is not a tier or routing this reader knows'}
            WHEN model IS NULL AND token_family = 'marketplace' AND product_text IS NOT NULL AND product_json IS NULL
                THEN {'field': 'product',
                      'reason': 'not a JSON object, so no product_name: a Marketplace usage type names no model, and '
                                || 'the product name is where it comes from'}
            WHEN model IS NULL AND token_family = 'marketplace'
                THEN {'field': 'product',
                      'reason': 'no product_name: a Marketplace usage type names no model, and the product name is '
                                || 'where it comes from'}
            WHEN model IS NULL THEN {'field': 'line_item_usage_type', 'reason': 'names no model'}
            WHEN pricing_unit IS NULL THEN {'field': 'pricing_unit', 'reason': 'missing on a token line'}
            WHEN unit_size IS NULL
                THEN {'field': 'pricing_unit',
                      'reason': '''' || pricing_unit || ''' is not a token unit this reader knows (tokens, 1K tokens, '
                                || '1M tokens); the token count is not guessed'}
            WHEN usage_amount < 0
                THEN {'field': 'line_item_usage_amount',
                      'reason': '''' || amount_text || ''' is negative on a usage line'}
            WHEN abs(tokens_exact - round(tokens_exact)) > 0.001
                THEN {'field': 'line_item_usage_amount',
                      'reason': '''' || amount_text || ''' ' || pricing_unit || ' is '
                                || regexp_replace(CAST(tokens_exact AS VARCHAR), '\.?0+$', '')
                                || ' tokens, not a whole number'}
        END AS rejection
    FROM keyed
)
SELECT
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason,
    CASE WHEN NOT is_bedrock THEN 'not Amazon Bedrock (' || coalesce(product_code, 'no product code') || ')' END
        AS skip_reason,
    is_token_usage AS to_usage,
    true AS to_billing,
    -- the billing period a newer export of the same period replaces (a correction dated earlier does not widen it)
    CAST(billing_start_ts AS TIMESTAMP) AS period_start,
    coalesce(CAST(billing_end_ts AS TIMESTAMP), CAST(billing_start_ts AS TIMESTAMP) + INTERVAL 1 MONTH) AS period_end,
    'aws_cur_bedrock:' || coalesce(strftime(usage_start, '%Y-%m-%dT%H:%M:%S'), '') || ':'
        || coalesce(usage_type, line_item_type, '') || ':' || identity_hash || ':' || occurrence AS natural_key,
    -- usage (token lines of a usage kind)
    CAST(NULL AS VARCHAR) AS request_id,
    'bucket' AS grain,
    'provider' AS origin,
    usage_start AS ts,
    'bedrock' AS provider,
    model,
    model_written AS model_raw,
    CASE WHEN contains(lower(model_written), 'embed') THEN 'embedding' ELSE 'chat' END AS operation,
    service_tier,
    CASE WHEN token_class = 'input' THEN token_count ELSE 0 END AS input_tokens,
    CASE WHEN token_class = 'cache_read' THEN token_count ELSE 0 END AS cache_read_tokens,
    CASE WHEN token_class = 'cache_write' THEN token_count ELSE 0 END AS cache_write_tokens,
    CASE WHEN token_class = 'output' THEN token_count ELSE 0 END AS output_tokens,
    0 AS reasoning_tokens,
    0 AS cache_write_1h_tokens,
    0 AS input_audio_tokens,
    0 AS output_audio_tokens,
    0 AS image_count,
    0 AS web_search_count,
    0 AS request_count,
    'success' AS status,
    CAST(NULL AS VARCHAR) AS api_key_id,
    CAST(NULL AS VARCHAR) AS api_key_alias,
    usage_account AS project_id,
    CAST(NULL AS VARCHAR) AS workspace_id,
    iam_principal AS user_id,
    CAST(NULL AS VARCHAR) AS end_user,
    CAST(NULL AS VARCHAR) AS team_id,
    CAST(NULL AS VARCHAR) AS team_alias,
    CAST(NULL AS VARCHAR) AS feature,
    CAST(NULL AS VARCHAR) AS environment,
    tag_map AS tags,
    unblended_cost AS reported_cost,
    'aws_cur: one token class per line (input excludes cache reads and writes)' AS token_convention,
    long_context,
    -- billing (every Bedrock line)
    payer_account AS billing_account_id,
    usage_account AS sub_account_id,
    invoice_id,
    CAST(billing_start_ts AS DATE) AS billing_period_start,
    coalesce(CAST(billing_end_ts AS DATE), CAST(CAST(billing_start_ts AS DATE) + INTERVAL 1 MONTH AS DATE))
        AS billing_period_end,
    usage_start AS charge_period_start,
    usage_end AS charge_period_end,
    charge_category,
    CASE WHEN usage_start < billing_start_ts THEN 'Correction' END AS charge_class,
    coalesce(product_name, product_code) AS service_name,
    usage_type AS sku_id,
    coalesce(description, usage_type, line_item_type) AS sku_description,
    CASE WHEN token_family IS NOT NULL THEN token_class END AS token_class,
    CASE
        WHEN charge_category <> 'Usage' THEN NULL
        WHEN is_token_usage THEN CAST(token_count AS DECIMAL(38, 12))
        ELSE usage_amount
    END AS consumed_quantity,
    CASE
        WHEN charge_category <> 'Usage' THEN NULL
        WHEN is_token_usage THEN 'tokens'
        ELSE pricing_unit
    END AS consumed_unit,
    unblended_cost AS billed_cost,
    list_cost,
    CAST(NULL AS DECIMAL(38, 12)) AS effective_cost,
    -- no currency column: USD, the CUR default; a value that is not a currency code is quarantined (and not shown)
    CASE WHEN currency_written IS NULL THEN 'USD'
         WHEN regexp_full_match(upper(currency_written), '[A-Z]{3}') THEN upper(currency_written) END
        AS billing_currency,
    true AS is_ai
FROM checked
