-- Azure Cost Management cost details (actual or amortized; EA or MCA headers, matched ignoring case) -> Azure OpenAI
-- token usage buckets and billed lines; other Azure services are skipped. Conventions and sources: azure_cost.py.
WITH fields AS (
    SELECT
        record_number,
        nullif(trim("Date"), '') AS date_text,
        nullif(trim(BillingPeriodStartDate), '') AS period_start_text,
        nullif(trim(BillingPeriodEndDate), '') AS period_end_text,
        nullif(trim(BillingAccountId), '') AS billing_account_id,
        nullif(trim(InvoiceId), '') AS invoice_id,
        nullif(trim(SubscriptionId), '') AS subscription_id,
        coalesce(nullif(trim(ResourceGroup), ''), nullif(trim(ResourceGroupName), '')) AS resource_group,
        nullif(trim(ResourceId), '') AS resource_id,
        coalesce(nullif(trim(ProductName), ''), nullif(trim(Product), '')) AS product_name,
        nullif(trim(MeterCategory), '') AS meter_category,
        nullif(trim(MeterSubCategory), '') AS meter_subcategory,
        nullif(trim(MeterId), '') AS meter_id,
        nullif(trim(MeterName), '') AS meter_name,
        nullif(trim(UnitOfMeasure), '') AS unit_of_measure,
        nullif(trim(Quantity), '') AS quantity_text,
        nullif(trim(EffectivePrice), '') AS effective_price_text,
        nullif(trim(UnitPrice), '') AS unit_price_text,
        nullif(trim(PayGPrice), '') AS payg_price_text,
        -- older EA files call the cost `Cost`
        CASE WHEN nullif(trim(CostInBillingCurrency), '') IS NULL AND nullif(trim(Cost), '') IS NOT NULL
             THEN 'Cost' ELSE 'CostInBillingCurrency' END AS cost_field,
        coalesce(nullif(trim(CostInBillingCurrency), ''), nullif(trim(Cost), '')) AS cost_text,
        nullif(trim(CostInPricingCurrency), '') AS pricing_cost_text,
        nullif(trim(CostInUsd), '') AS usd_cost_text,
        nullif(trim(PaygCostInBillingCurrency), '') AS payg_cost_text,
        upper(coalesce(nullif(trim(BillingCurrencyCode), ''), nullif(trim(BillingCurrency), ''))) AS currency,
        nullif(trim(ChargeType), '') AS charge_type,
        nullif(trim(PricingModel), '') AS pricing_model,
        coalesce(nullif(trim(benefitId), ''), nullif(trim(ReservationId), '')) AS benefit_id,
        nullif(trim(PublisherName), '') AS publisher_name,
        nullif(trim(Tags), '') AS tags_text
    FROM raw_records
    WHERE parse_error IS NULL
),
parsed AS (
    SELECT
        *,
        -- MM/dd/yyyy (EA and MCA CSV) or yyyy-MM-dd (newer exports; Parquet may add a midnight time)
        list_transform([date_text, period_start_text, period_end_text], lambda text: CAST(CASE
            WHEN regexp_full_match(text, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}') THEN try_strptime(text, '%m/%d/%Y')
            WHEN regexp_full_match(text, '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]00:00(:00(\.0+)?)?(Z|[+-]00:?00)?)?')
                THEN try_strptime(left(text, 10), '%Y-%m-%d')
        END AS DATE)) AS dates,
        TRY_CAST(quantity_text AS DECIMAL(38, 12)) AS quantity,
        TRY_CAST(effective_price_text AS DECIMAL(38, 12)) AS effective_price,
        TRY_CAST(unit_price_text AS DECIMAL(38, 12)) AS unit_price,
        TRY_CAST(payg_price_text AS DECIMAL(38, 12)) AS payg_price,
        TRY_CAST(cost_text AS DECIMAL(38, 12)) AS cost,
        TRY_CAST(pricing_cost_text AS DECIMAL(38, 12)) AS pricing_cost,
        TRY_CAST(usd_cost_text AS DECIMAL(38, 12)) AS usd_cost,
        TRY_CAST(payg_cost_text AS DECIMAL(38, 12)) AS payg_cost,
        lower(charge_type) AS charge_type_key,
        -- Tags: {"k": "v"} or the legacy brace-less "k": "v","k2": "v2" (Microsoft: wrap in braces if needed)
        CASE WHEN tags_text IS NOT NULL
             THEN CASE WHEN starts_with(tags_text, '{') THEN tags_text ELSE '{' || tags_text || '}' END
        END AS tags_json,
        list_filter(string_split_regex(lower(coalesce(meter_name, '')), '[\s_/-]+'), lambda word: word <> '')
            AS words,
        lower(coalesce(product_name, '')) AS product_key,
        -- a count unit: 1, 1K, 10K, 1M, 1B, 1000000, "1 Million" (not 1 Hour, 1/Day, 1 GB)
        regexp_extract(coalesce(unit_of_measure, ''), '^([0-9]+)\s*(k|m|b|million)?\s*(?:tokens?)?$',
                       ['block_count', 'block_multiple'], 'i') AS unit_parts
    FROM fields
),
worded AS (
    SELECT
        *,
        dates[1] AS usage_date,
        dates[2] AS billing_start_date,
        dates[3] AS billing_end_date,
        CASE WHEN tags_json IS NOT NULL AND json_valid(tags_json) AND json_type(CAST(tags_json AS JSON)) = 'OBJECT'
             THEN TRY_CAST(CAST(tags_json AS JSON) AS MAP(VARCHAR, VARCHAR)) END AS resource_tags,
        CASE WHEN unit_parts.block_count <> ''
             THEN TRY_CAST(unit_parts.block_count AS DECIMAL(38, 0)) * CASE lower(unit_parts.block_multiple)
                 WHEN 'k' THEN 1000 WHEN 'm' THEN 1000000 WHEN 'million' THEN 1000000 WHEN 'b' THEN 1000000000
                 ELSE 1 END
        END AS unit_block,
        -- 1 / block size, exact for the power-of-ten blocks token meters use (DuckDB divides decimals as DOUBLE)
        CASE WHEN regexp_full_match(unit_parts.block_count, '10*')
             THEN TRY_CAST('1e-' || (length(unit_parts.block_count) - 1 + CASE lower(unit_parts.block_multiple)
                 WHEN 'k' THEN 3 WHEN 'm' THEN 6 WHEN 'million' THEN 6 WHEN 'b' THEN 9 ELSE 0 END) AS DECIMAL(38, 9))
        END AS block_fraction,
        list_has_any(words, ['inp', 'inpt', 'input', 'in', 'prompt']) AS says_input,
        list_has_any(words, ['outp', 'outpt', 'opt', 'output', 'out', 'completion']) AS says_output,
        list_has_any(words, ['cached', 'cache', 'cd', 'cchd', 'ccchd']) AS says_cached,
        list_has_any(words, ['wr', 'wrt', 'write']) AS says_write,
        list_has_any(words, ['aud', 'audio']) AS says_audio,
        list_has_any(words, ['ptu', 'ptus', 'provisioned']) AS says_provisioned,
        list_has_any(words, ['hosting', 'hosted', 'training', 'train']) AS says_hosting_or_training,
        CASE WHEN list_has_any(words, ['pp', 'priority']) THEN 'priority'
             WHEN list_contains(words, 'batch') THEN 'batch'
             ELSE 'standard' END AS service_tier,
        CASE WHEN list_has_any(words, ['dzone', 'dz', 'datazone']) OR list_has_all(words, ['data', 'zone'])
                 THEN 'data_zone'
             WHEN list_has_any(words, ['regnl', 'regional', 'rg', 'rgnl', 'reg']) THEN 'regional'
             WHEN list_has_any(words, ['glbl', 'gl', 'global']) THEN 'global'
        END AS deployment_type,
        list_contains(words, 'longco') AS long_context,
        array_to_string(list_filter(words, lambda word: NOT list_contains([
            'inp', 'inpt', 'input', 'in', 'prompt', 'outp', 'outpt', 'opt', 'output', 'out', 'completion',
            'cached', 'cache', 'cd', 'cchd', 'ccchd', 'wr', 'wrt', 'write', 'aud', 'audio', 'txt',
            'glbl', 'gl', 'global', 'dzone', 'dz', 'datazone', 'data', 'zone', 'regnl', 'regional', 'rg', 'rgnl',
            'reg', 'batch', 'pp', 'priority', 'ptu', 'ptus', 'provisioned', 'shortco', 'longco', 'std', 'standard',
            'tokens', 'token', '1k', '1m'], word)), '-') AS model_words,
        contains(lower(coalesce(meter_name, '') || ' ' || coalesce(product_name, '')), 'claude')
            OR lower(coalesce(publisher_name, '')) LIKE 'anthropic%' AS is_claude
    FROM parsed
),
classified AS (
    SELECT
        *,
        -- Azure OpenAI / Foundry Models, by name: not every Cognitive Services line is one (Speech, Vision, ...)
        (starts_with(product_key, 'azure openai')
         OR lower(coalesce(meter_category, '')) = 'foundry models'
         OR contains(lower(coalesce(meter_subcategory, '')), 'openai')
         OR (lower(coalesce(meter_category, '')) = 'cognitive services' AND list_contains(words, 'tokens')
             AND (says_input OR says_output OR says_cached))
         OR is_claude) AS is_ai_line,
        CASE WHEN contains(product_key, 'openai') AND regexp_matches(model_words, '^[0-9]')
             THEN 'gpt-' || model_words ELSE model_words END AS model_text,
        -- Bounds far above any real row keep the DECIMAL arithmetic below from overflowing (an error would stop the
        -- whole file): blocks up to 10^10 tokens, quantities below 10^12, prices below 10^6, costs below 10^12.
        CASE WHEN unit_block <= 10000000000 THEN unit_block END AS block_size,
        CASE WHEN abs(quantity) < 1000000000000 THEN quantity END AS bounded_quantity,
        list_transform([effective_price, unit_price, payg_price],
                       lambda price: CASE WHEN abs(price) < 1000000 THEN price END) AS bounded_prices,
        list_transform([cost, pricing_cost], lambda amount: CASE WHEN abs(amount) < 1000000000000 THEN amount END)
            AS bounded_costs
    FROM worded
),
typed AS (
    SELECT
        *,
        -- a meter of tokens: a direction or cache word, or an embedding model (whose meters name no direction)
        NOT is_claude AND model_text <> ''
            AND (says_input OR says_output OR says_cached OR contains(model_text, 'embedding')) AS is_token_meter
    FROM classified
),
lined AS (
    SELECT
        *,
        is_ai_line AND is_token_meter AND NOT says_provisioned AND NOT says_hosting_or_training
            AND block_size IS NOT NULL AS is_token_line,
        CASE WHEN says_cached AND says_write THEN 'cache_write'
             WHEN says_cached THEN 'cache_read'
             WHEN says_output THEN CASE WHEN says_audio THEN 'output_audio' ELSE 'output' END
             ELSE CASE WHEN says_audio THEN 'input_audio' ELSE 'input' END
        END AS token_class,
        CASE WHEN contains(model_text, 'embedding') THEN 'embedding'
             WHEN says_audio OR contains(model_text, 'transcribe') OR contains(model_text, 'tts') THEN 'audio'
             WHEN contains(model_text, 'image') OR contains(model_text, 'dall') THEN 'image'
             ELSE 'chat'
        END AS operation,
        -- Each (price, cost) pair the row offers, compared in DECIMAL(38, 9) so products cannot overflow.
        list_transform(
            list_filter([
                {'price': bounded_prices[1], 'cost': bounded_costs[1]},
                {'price': bounded_prices[2], 'cost': bounded_costs[1]},
                {'price': bounded_prices[1], 'cost': bounded_costs[2]},
                {'price': bounded_prices[2], 'cost': bounded_costs[2]}
            ], lambda pair: pair.price IS NOT NULL AND pair.cost IS NOT NULL),
            lambda pair: {
                'as_blocks': CAST(CAST(bounded_quantity AS DECIMAL(38, 9)) * CAST(pair.price AS DECIMAL(38, 9))
                                  AS DECIMAL(38, 9)),
                'cost': CAST(pair.cost AS DECIMAL(38, 9)),
                'tolerance': greatest(CAST(0.05 AS DECIMAL(38, 9)), abs(CAST(pair.cost AS DECIMAL(38, 9))) * 0.01)
            }) AS readings
    FROM typed
),
checked_scale AS (
    SELECT
        *,
        is_token_line AND block_size > 1 AND cost IS NOT NULL AND cost <> 0 AND bounded_quantity IS NOT NULL
            AND len(readings) > 0 AS scale_checkable,
        -- quantity x price = cost: blocks; quantity x price = cost x block size: tokens
        list_bool_or(list_transform(readings, lambda reading: abs(reading.as_blocks - reading.cost)
            <= reading.tolerance)) AS blocks_hold,
        list_bool_or(list_transform(readings, lambda reading: abs(reading.as_blocks - reading.cost * block_size)
            <= reading.tolerance * block_size)) AS tokens_hold,
        list_min(list_transform(readings, lambda reading: abs(reading.as_blocks - reading.cost) * block_size))
            AS blocks_distance,
        list_min(list_transform(readings, lambda reading: abs(reading.as_blocks - reading.cost * block_size)))
            AS tokens_distance
    FROM lined
),
proven AS (
    SELECT
        *,
        CASE WHEN NOT scale_checkable THEN NULL
             WHEN blocks_hold AND tokens_hold THEN CASE WHEN blocks_distance < tokens_distance THEN 'blocks'
                                                        WHEN tokens_distance < blocks_distance THEN 'tokens' END
             WHEN blocks_hold THEN 'blocks'
             WHEN tokens_hold THEN 'tokens'
        END AS proven_scale,
        scale_checkable AND NOT blocks_hold AND NOT tokens_hold AS scale_fails
    FROM checked_scale
),
scaled AS (
    SELECT
        *,
        CASE WHEN block_size = 1 THEN 'tokens'
             WHEN proven_scale IS NOT NULL THEN proven_scale
             -- a row that cannot be checked (cost 0) reads as the file's checked rows of the same unit read
             WHEN count(*) FILTER (WHERE proven_scale = 'tokens')
                      OVER (PARTITION BY lower(unit_of_measure))
                  > count(*) FILTER (WHERE proven_scale = 'blocks') OVER (PARTITION BY lower(unit_of_measure))
                 THEN 'tokens'
             ELSE 'blocks'
        END AS quantity_scale,
        CASE WHEN block_size = 1 OR proven_scale IS NOT NULL THEN ''
             WHEN count(*) FILTER (WHERE proven_scale IS NOT NULL) OVER (PARTITION BY lower(unit_of_measure)) > 0
                 THEN ' (cost 0: as the file''s other ' || unit_of_measure || ' rows)'
             ELSE ' (cost 0: assumed, no row of the file shows the scale)'
        END AS scale_basis
    FROM proven
),
measured AS (
    SELECT
        *,
        CASE WHEN is_token_line THEN
            CASE WHEN quantity_scale = 'blocks' THEN CAST(bounded_quantity * block_size AS DECIMAL(38, 12))
                 ELSE bounded_quantity END
        END AS token_quantity,
        CASE WHEN is_token_line THEN
            CASE WHEN quantity_scale = 'blocks' THEN bounded_quantity
                 ELSE CAST(bounded_quantity * block_fraction AS DECIMAL(38, 12)) END
        END AS blocks_billed,
        -- the two readings of quantity x price, for the message of a row neither explains
        list_transform([
            CAST(bounded_quantity AS DECIMAL(38, 9)) * CAST(coalesce(bounded_prices[1], bounded_prices[2])
                                                             AS DECIMAL(38, 9)),
            CAST(CAST(bounded_quantity AS DECIMAL(38, 9)) * CAST(coalesce(bounded_prices[1], bounded_prices[2])
                                                                  AS DECIMAL(38, 9)) AS DECIMAL(38, 9)) * block_fraction
        ], lambda amount: regexp_replace(regexp_replace(CAST(CAST(amount AS DECIMAL(38, 9)) AS VARCHAR),
                                                        '(\.[0-9]*?)0+$', '\1'), '\.$', '')) AS readings_text,
        CASE WHEN resource_id IS NOT NULL
             THEN nullif(coalesce(nullif(regexp_extract(lower(resource_id), '/accounts/([^/]+)', 1), ''),
                                  regexp_extract(lower(resource_id), '([^/]+)/*$', 1)), '')
        END AS account_name
    FROM scaled
),
checked AS (
    SELECT
        *,
        CASE
            WHEN NOT is_ai_line THEN NULL
            WHEN date_text IS NULL THEN {'field': 'Date', 'reason': 'missing'}
            WHEN usage_date IS NULL
                THEN {'field': 'Date', 'reason': '''' || date_text || ''' is not a MM/dd/yyyy or yyyy-MM-dd date'}
            WHEN cost_text IS NULL THEN {'field': cost_field, 'reason': 'missing'}
            WHEN cost IS NULL THEN {'field': cost_field, 'reason': '''' || cost_text || ''' is not a decimal amount'}
            WHEN currency IS NULL THEN {'field': 'BillingCurrencyCode', 'reason': 'missing'}
            WHEN NOT regexp_full_match(currency, '[A-Z]{3}')
                THEN {'field': 'BillingCurrencyCode', 'reason': '''' || currency || ''' is not a currency code'}
            WHEN charge_type IS NULL THEN {'field': 'ChargeType', 'reason': 'missing'}
            WHEN charge_type_key NOT IN ('usage', 'purchase', 'tax', 'refund', 'roundingadjustment',
                                         'unusedreservation', 'unusedsavingsplan')
                THEN {'field': 'ChargeType', 'reason': '''' || charge_type
                      || ''' is not a known charge type (Usage, Purchase, Refund, Tax, RoundingAdjustment, '
                      || 'UnusedReservation, UnusedSavingsPlan)'}
            WHEN quantity_text IS NOT NULL AND quantity IS NULL
                THEN {'field': 'Quantity', 'reason': '''' || quantity_text || ''' is not a decimal number'}
            WHEN effective_price_text IS NOT NULL AND effective_price IS NULL
                THEN {'field': 'EffectivePrice', 'reason': '''' || effective_price_text || ''' is not a decimal number'}
            WHEN unit_price_text IS NOT NULL AND unit_price IS NULL
                THEN {'field': 'UnitPrice', 'reason': '''' || unit_price_text || ''' is not a decimal number'}
            WHEN payg_price_text IS NOT NULL AND payg_price IS NULL
                THEN {'field': 'PayGPrice', 'reason': '''' || payg_price_text || ''' is not a decimal number'}
            WHEN pricing_cost_text IS NOT NULL AND pricing_cost IS NULL
                THEN {'field': 'CostInPricingCurrency',
                      'reason': '''' || pricing_cost_text || ''' is not a decimal amount'}
            WHEN usd_cost_text IS NOT NULL AND usd_cost IS NULL
                THEN {'field': 'CostInUsd', 'reason': '''' || usd_cost_text || ''' is not a decimal amount'}
            WHEN payg_cost_text IS NOT NULL AND payg_cost IS NULL
                THEN {'field': 'PaygCostInBillingCurrency',
                      'reason': '''' || payg_cost_text || ''' is not a decimal amount'}
            WHEN period_start_text IS NOT NULL AND billing_start_date IS NULL
                THEN {'field': 'BillingPeriodStartDate',
                      'reason': '''' || period_start_text || ''' is not a MM/dd/yyyy or yyyy-MM-dd date'}
            WHEN period_end_text IS NOT NULL AND billing_end_date IS NULL
                THEN {'field': 'BillingPeriodEndDate',
                      'reason': '''' || period_end_text || ''' is not a MM/dd/yyyy or yyyy-MM-dd date'}
            WHEN billing_end_date < billing_start_date
                THEN {'field': 'BillingPeriodEndDate', 'reason': 'before BillingPeriodStartDate'}
            WHEN tags_text IS NOT NULL AND resource_tags IS NULL
                THEN {'field': 'Tags', 'reason': 'not tag names and values ({"name": "value", ...})'}
            WHEN is_token_meter AND unit_of_measure IS NULL
                THEN {'field': 'UnitOfMeasure', 'reason': 'missing on a token meter'}
            WHEN is_token_line AND quantity IS NULL THEN {'field': 'Quantity', 'reason': 'missing on a token meter'}
            WHEN is_token_line AND bounded_quantity IS NULL
                THEN {'field': 'Quantity', 'reason': '''' || quantity_text || ''' is too large for a day of one meter'}
            WHEN is_token_line AND charge_type_key = 'usage' AND quantity < 0
                THEN {'field': 'Quantity', 'reason': '''' || quantity_text || ''' is negative on a usage line'}
            WHEN scale_fails
                THEN {'field': 'Quantity', 'reason': 'neither reading of a ' || unit_of_measure
                      || ' meter gives the cost: as blocks ' || quantity_text || ' x ' || coalesce(effective_price_text,
                      unit_price_text) || ' = ' || readings_text[1] || ', as tokens ' || quantity_text || ' / '
                      || CAST(block_size AS VARCHAR) || ' x ' || coalesce(effective_price_text, unit_price_text)
                      || ' = ' || coalesce(readings_text[2], '?') || '; ' || cost_field || ' is ' || cost_text
                      || ' (tolerance 5 cents or 1%)'}
        END AS rejection,
        -- the resource's own tags win over the two added keys
        map_concat(
            map_from_entries(list_filter([
                {'key': 'azure_subscription_id', 'value': lower(subscription_id)},
                {'key': 'azure_deployment_type', 'value': deployment_type}
            ], lambda entry: entry.value IS NOT NULL)),
            coalesce(resource_tags, MAP {})) AS row_tags
    FROM measured
)
SELECT
    -- No row id in the export: one row per day, subscription, resource, product, meter, charge type, pricing model,
    -- benefit and tags (a resource retagged during a day can have two rows). The same row of an overlapping export
    -- gets the same key (actual and amortized files too; tags compared as parsed, whichever form they were in).
    'azure_cost:' || coalesce(strftime(usage_date, '%Y-%m-%d'), date_text, '') || ':'
        || coalesce(lower(subscription_id), '') || ':' || coalesce(lower(resource_id), '') || ':'
        || coalesce(lower(product_name), '') || ':' || coalesce(lower(meter_name), '') || ':'
        || coalesce(charge_type_key, '') || ':' || coalesce(lower(replace(pricing_model, ' ', '')), '') || ':'
        || coalesce(lower(benefit_id), '') || ':' || coalesce(CAST(resource_tags AS VARCHAR), '') AS natural_key,
    CAST(NULL AS VARCHAR) AS request_id,
    'bucket' AS grain,
    'provider' AS origin,
    CAST(usage_date AS TIMESTAMP) AS ts,
    'azure' AS provider,
    CASE WHEN is_token_meter THEN model_text END AS model,
    CASE WHEN is_token_meter THEN meter_name END AS model_raw,
    operation,
    service_tier,
    -- one token class per row; audio meters count in input / output and in their audio subset
    CASE WHEN token_class IN ('input', 'input_audio') THEN CAST(round(token_quantity) AS BIGINT) ELSE 0 END
        AS input_tokens,
    CASE WHEN token_class = 'cache_read' THEN CAST(round(token_quantity) AS BIGINT) ELSE 0 END AS cache_read_tokens,
    CASE WHEN token_class = 'cache_write' THEN CAST(round(token_quantity) AS BIGINT) ELSE 0 END AS cache_write_tokens,
    CASE WHEN token_class IN ('output', 'output_audio') THEN CAST(round(token_quantity) AS BIGINT) ELSE 0 END
        AS output_tokens,
    0 AS reasoning_tokens,
    0 AS cache_write_1h_tokens,
    CASE WHEN token_class = 'input_audio' THEN CAST(round(token_quantity) AS BIGINT) ELSE 0 END AS input_audio_tokens,
    CASE WHEN token_class = 'output_audio' THEN CAST(round(token_quantity) AS BIGINT) ELSE 0 END AS output_audio_tokens,
    0 AS image_count,
    0 AS web_search_count,
    0 AS request_count,
    'success' AS status,
    CAST(NULL AS VARCHAR) AS api_key_id,
    CAST(NULL AS VARCHAR) AS api_key_alias,
    account_name AS project_id,
    lower(resource_group) AS workspace_id,
    CAST(NULL AS VARCHAR) AS user_id,
    CAST(NULL AS VARCHAR) AS end_user,
    CAST(NULL AS VARCHAR) AS team_id,
    CAST(NULL AS VARCHAR) AS team_alias,
    CAST(NULL AS VARCHAR) AS feature,
    CAST(NULL AS VARCHAR) AS environment,
    row_tags AS tags,
    -- usage costs are USD: the billing currency's cost when that is USD, else MCA's costInUsd
    CASE WHEN currency = 'USD' THEN cost ELSE usd_cost END AS reported_cost,
    'azure_cost: quantity in ' || CASE
        WHEN block_size = 1 THEN 'tokens (unit ' || unit_of_measure || ')'
        WHEN quantity_scale = 'blocks' THEN unit_of_measure || ' blocks'
        ELSE 'tokens'
    END || scale_basis AS token_convention,
    long_context,
    billing_account_id,
    subscription_id AS sub_account_id,
    invoice_id,
    coalesce(billing_start_date, CAST(date_trunc('month', usage_date) AS DATE)) AS billing_period_start,
    coalesce(CAST(billing_end_date + INTERVAL 1 DAY AS DATE),
             CAST(date_trunc('month', usage_date) + INTERVAL 1 MONTH AS DATE)) AS billing_period_end,
    CAST(usage_date AS TIMESTAMP) AS charge_period_start,
    CAST(usage_date AS TIMESTAMP) + INTERVAL 1 DAY AS charge_period_end,
    -- Microsoft's FOCUS conversion (finops-toolkit docs/_docs/focus/convert.md and mapping.md)
    CASE charge_type_key
        WHEN 'usage' THEN 'Usage'
        WHEN 'unusedreservation' THEN 'Usage'
        WHEN 'unusedsavingsplan' THEN 'Usage'
        WHEN 'purchase' THEN 'Purchase'
        WHEN 'tax' THEN 'Tax'
        ELSE 'Adjustment'
    END AS charge_category,
    CASE WHEN charge_type_key = 'refund' THEN 'Correction' END AS charge_class,
    coalesce(meter_category, product_name) AS service_name,
    meter_id AS sku_id,
    coalesce(meter_name, product_name) AS sku_description,
    CASE WHEN is_token_meter THEN token_class END AS token_class,
    CASE WHEN is_token_line THEN token_quantity ELSE quantity END AS consumed_quantity,
    CASE WHEN is_token_line THEN 'tokens' ELSE unit_of_measure END AS consumed_unit,
    cost AS billed_cost,
    coalesce(payg_cost, CASE WHEN is_token_line AND invoice_id IS NULL
                             THEN CAST(CAST(bounded_prices[3] AS DECIMAL(38, 9)) * CAST(blocks_billed AS DECIMAL(38, 9))
                                  AS DECIMAL(38, 12)) END) AS list_cost,
    CAST(NULL AS DECIMAL(38, 12)) AS effective_cost,
    currency AS billing_currency,
    true AS is_ai,
    is_token_line AND charge_type_key = 'usage' AS to_usage,
    true AS to_billing,
    CASE WHEN NOT is_ai_line
         THEN 'not Azure OpenAI or Foundry Models (' || coalesce(meter_category, product_name, 'no MeterCategory')
              || ')'
    END AS skip_reason,
    CAST(usage_date AS TIMESTAMP) AS period_start,
    CAST(usage_date AS TIMESTAMP) + INTERVAL 1 DAY AS period_end,
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM checked;
