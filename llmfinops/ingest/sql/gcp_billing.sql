-- Google Cloud Billing export rows (raw_records: nested columns as JSON text, or the CSV download's flattened names)
-- -> usage buckets and billed lines for Vertex AI and the Gemini API. Conventions and sources: gcp_billing.py.
WITH fields AS (
    -- One value per field whatever the shape: the nested JSON object's key, else the flattened CSV column.
    SELECT
        record_number,
        nullif(trim(billing_account_id), '') AS account_text,
        nullif(trim(coalesce(TRY(json_extract_string(service, '$.id')), "service.id")), '') AS service_id,
        nullif(trim(coalesce(TRY(json_extract_string(service, '$.description')), "service.description")), '')
            AS service_description,
        nullif(trim(coalesce(TRY(json_extract_string(sku, '$.id')), "sku.id")), '') AS sku_id,
        nullif(trim(coalesce(TRY(json_extract_string(sku, '$.description')), "sku.description")), '')
            AS sku_description,
        nullif(trim(coalesce(TRY(json_extract_string(project, '$.id')), "project.id")), '') AS project_id,
        nullif(trim(coalesce(TRY(json_extract_string(location, '$.location')),
                             TRY(json_extract_string(location, '$.region')), "location.location",
                             "location.region")), '') AS location_text,
        nullif(trim(coalesce(TRY(json_extract_string(resource, '$.name')), "resource.name")), '') AS resource_name,
        nullif(trim(coalesce(TRY(json_extract_string("usage", '$.amount')), "usage.amount")), '') AS amount_text,
        nullif(trim(coalesce(TRY(json_extract_string("usage", '$.unit')), "usage.unit")), '') AS unit_text,
        nullif(trim(coalesce(TRY(json_extract_string("usage", '$.amount_in_pricing_units')),
                             "usage.amount_in_pricing_units")), '') AS pricing_amount_text,
        nullif(trim(coalesce(TRY(json_extract_string("usage", '$.pricing_unit')), "usage.pricing_unit")), '')
            AS pricing_unit_text,
        nullif(trim(coalesce(TRY(json_extract_string(invoice, '$.month')), "invoice.month")), '') AS invoice_text,
        nullif(trim(usage_start_time), '') AS start_text,
        nullif(trim(usage_end_time), '') AS end_text,
        nullif(trim(export_time), '') AS export_text,
        nullif(trim(cost), '') AS cost_text,
        nullif(trim(cost_at_list), '') AS list_text,
        upper(nullif(trim(currency), '')) AS currency_text,
        -- 'rounding error' is how the schema page words it; the column holds rounding_error
        replace(lower(nullif(trim(cost_type), '')), ' ', '_') AS cost_type_text,
        nullif(trim(labels), '') AS labels_text,
        nullif(trim(credits), '') AS credits_text
    FROM raw_records
    WHERE parse_error IS NULL
),
parsed AS (
    SELECT
        *,
        TRY_CAST(start_text AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS usage_start,
        TRY_CAST(end_text AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS usage_end,
        TRY_CAST(export_text AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS exported_at,
        CASE WHEN regexp_full_match(invoice_text, '[0-9]{4}(0[1-9]|1[0-2])')
             THEN make_date(CAST(left(invoice_text, 4) AS INTEGER), CAST(right(invoice_text, 2) AS INTEGER), 1)
        END AS invoice_month,
        -- Money and amounts as exact decimals, scientific notation (1.2e-05) included; never through DOUBLE.
        TRY_CAST(cost_text AS DECIMAL(38, 12)) AS cost_amount,
        TRY_CAST(list_text AS DECIMAL(38, 12)) AS list_amount,
        TRY_CAST(amount_text AS DECIMAL(38, 12)) AS usage_amount,
        TRY_CAST(pricing_amount_text AS DECIMAL(38, 12)) AS pricing_amount,
        lower(unit_text) AS unit,
        lower(pricing_unit_text) AS pricing_unit,
        CASE WHEN labels_text IS NULL THEN CAST([] AS JSON[]) ELSE TRY_CAST(labels_text AS JSON[]) END AS label_list,
        CASE WHEN credits_text IS NULL THEN CAST([] AS JSON[]) ELSE TRY_CAST(credits_text AS JSON[]) END
            AS credit_list,
        CASE service_description
            WHEN 'Vertex AI' THEN 'vertex_ai'
            WHEN 'Gemini API' THEN 'gemini'
            WHEN 'Generative Language API' THEN 'gemini'
        END AS provider_name,
        -- The Gemini API grammar: "Generate content input token count gemini 2.5 flash lite",
        -- "GenerateContent text output token count for Gemini 2.0 Flash", "EmbedContent input token count for ..."
        regexp_extract(sku_description,
                       '^(generate[ _]?content|embed[ _]?content)[ ]+(.*?)[ ]*token count[ ]+(?:for[ ]+)?(.+)$',
                       ['verb', 'class_words', 'rest'], 'i') AS api_sku
    FROM fields
),
models AS (
    SELECT
        *,
        api_sku.verb <> '' AS api_grammar,
        -- Vertex SKUs start with the model ("Gemini 2.5 Flash GA Text Input - Predictions"); Gemini API SKUs name it
        -- after "token count". The model is the words up to the first word that is not part of a model name.
        nullif(regexp_extract(
            CASE WHEN api_sku.verb <> '' THEN api_sku.rest ELSE sku_description END,
            '^gemini(?:[- ](?:[0-9]+b|[0-9][0-9.]*|flash|pro|lite|ultra|nano|preview|exp|live|embedding)\b)+',
            0, 'i'), '') AS model_written
    FROM parsed
),
sku_words AS (
    SELECT
        *,
        -- the words naming the token class: before "token count" (Gemini API), or after the model (Vertex)
        lower(CASE WHEN api_grammar THEN api_sku.class_words
                   ELSE substr(sku_description, length(model_written) + 1) END) AS class_words,
        -- every qualifier after the model: tier, context length, modality, thinking, caching
        lower(CASE WHEN api_grammar THEN api_sku.class_words || ' ' || substr(api_sku.rest, length(model_written) + 1)
                   ELSE substr(sku_description, length(model_written) + 1) END) AS qualifiers
    FROM models
),
classified AS (
    SELECT
        *,
        CASE
            WHEN model_written IS NULL THEN NULL
            -- context-cache storage is billed per token-hour: a billed line, not tokens
            WHEN regexp_matches(qualifiers, '\bstorage\b') THEN NULL
            WHEN regexp_matches(class_words, '\bcached\b|\bcaching\b') OR regexp_matches(qualifiers, '\bcaching\b')
                THEN 'cache_read'
            WHEN regexp_matches(class_words, '\binput\b') THEN 'input'
            WHEN regexp_matches(class_words, '\boutput\b') THEN 'output'
        END AS token_class,
        CASE
            WHEN regexp_matches(qualifiers, '\baudio\b') THEN 'audio'
            WHEN regexp_matches(qualifiers, '\bimage\b') THEN 'image'
            WHEN regexp_matches(qualifiers, '\bvideo\b') THEN 'video'
            ELSE 'text'
        END AS modality,
        CASE
            WHEN regexp_matches(qualifiers, '\bbatch\b') THEN 'batch'
            WHEN regexp_matches(qualifiers, '\bflex\b') THEN 'flex'
            WHEN regexp_matches(qualifiers, '\bpriority\b') THEN 'priority'
            ELSE 'standard'
        END AS tier,
        -- Vertex "(Long)", Gemini API "long input text": the tier above the long-context threshold
        regexp_matches(qualifiers, '\(long\)|\blong\b') AS long_context_sku,
        regexp_matches(qualifiers, '\bthinking\b') AND NOT regexp_matches(qualifiers, 'non-thinking|thinking off')
            AS thinking,
        regexp_matches(coalesce(api_sku.verb, ''), '(?i)embed') OR regexp_matches(lower(model_written), 'embedding')
            AS is_embedding
    FROM sku_words
),
amounts AS (
    SELECT
        *,
        provider_name IS NOT NULL AND cost_type_text = 'regular' AND token_class IS NOT NULL AS is_token_row,
        -- Tokens are a count: usage.amount in the base unit 'count', else the amount in pricing units 'count'.
        CASE WHEN unit = 'count' THEN usage_amount WHEN pricing_unit = 'count' THEN pricing_amount END
            AS token_amount,
        CASE WHEN unit = 'count' THEN amount_text WHEN pricing_unit = 'count' THEN pricing_amount_text END
            AS token_text,
        CASE WHEN unit = 'count' THEN 'usage.amount' ELSE 'usage.amount_in_pricing_units' END AS token_field,
        list_filter(credit_list, lambda credit: TRY_CAST(trim(credit ->> 'amount') AS DECIMAL(38, 12)) IS NULL)
            AS bad_credits,
        coalesce(list_sum(list_transform(credit_list,
            lambda credit: TRY_CAST(trim(credit ->> 'amount') AS DECIMAL(38, 12)))), 0) AS credit_total
    FROM classified
),
checked AS (
    SELECT
        *,
        CASE
            WHEN service_description IS NULL THEN {'field': 'service.description', 'reason': 'missing'}
            -- rows of other services are not read any further: they are skipped below
            WHEN provider_name IS NULL THEN NULL
            WHEN sku_description IS NULL THEN {'field': 'sku.description', 'reason': 'missing'}
            WHEN start_text IS NULL THEN {'field': 'usage_start_time', 'reason': 'missing'}
            WHEN usage_start IS NULL
                THEN {'field': 'usage_start_time', 'reason': '''' || start_text || ''' is not a timestamp'}
            WHEN end_text IS NULL THEN {'field': 'usage_end_time', 'reason': 'missing'}
            WHEN usage_end IS NULL
                THEN {'field': 'usage_end_time', 'reason': '''' || end_text || ''' is not a timestamp'}
            WHEN usage_end < usage_start
                THEN {'field': 'usage_end_time', 'reason': 'before usage_start_time'}
            WHEN export_text IS NOT NULL AND exported_at IS NULL
                THEN {'field': 'export_time', 'reason': '''' || export_text || ''' is not a timestamp'}
            WHEN invoice_text IS NULL
                THEN {'field': 'invoice.month', 'reason': 'missing; the invoice month (YYYYMM) is the billing period'}
            WHEN invoice_month IS NULL
                THEN {'field': 'invoice.month', 'reason': '''' || invoice_text || ''' is not a YYYYMM month'}
            WHEN cost_type_text IS NULL
                THEN {'field': 'cost_type', 'reason': 'missing (regular, tax, adjustment or rounding_error)'}
            WHEN cost_type_text NOT IN ('regular', 'tax', 'adjustment', 'rounding_error')
                THEN {'field': 'cost_type',
                      'reason': '''' || cost_type_text || ''' is not regular, tax, adjustment or rounding_error'}
            WHEN cost_text IS NULL THEN {'field': 'cost', 'reason': 'missing'}
            WHEN cost_amount IS NULL THEN {'field': 'cost', 'reason': '''' || cost_text || ''' is not a decimal amount'}
            WHEN list_text IS NOT NULL AND list_amount IS NULL
                THEN {'field': 'cost_at_list', 'reason': '''' || list_text || ''' is not a decimal amount'}
            WHEN currency_text IS NULL THEN {'field': 'currency', 'reason': 'missing'}
            WHEN NOT regexp_full_match(currency_text, '[A-Z]{3}')
                THEN {'field': 'currency', 'reason': '''' || currency_text || ''' is not a currency code'}
            WHEN credit_list IS NULL OR list_filter(credit_list, lambda credit: json_type(credit) <> 'OBJECT') <> []
                THEN {'field': 'credits', 'reason': 'not a JSON array of credit objects'}
            WHEN bad_credits <> []
                THEN {'field': 'credits',
                      'reason': 'amount ''' || coalesce(bad_credits[1] ->> 'amount', '') || ''' of credit '''
                                || coalesce(bad_credits[1] ->> 'name', '') || ''' is not a decimal amount'}
            WHEN label_list IS NULL OR list_filter(label_list, lambda label: json_type(label) <> 'OBJECT'
                                                       OR (label ->> 'key') IS NULL) <> []
                THEN {'field': 'labels', 'reason': 'not a JSON array of {key, value} objects'}
            WHEN amount_text IS NOT NULL AND usage_amount IS NULL
                THEN {'field': 'usage.amount', 'reason': '''' || amount_text || ''' is not a number'}
            WHEN pricing_amount_text IS NOT NULL AND pricing_amount IS NULL
                THEN {'field': 'usage.amount_in_pricing_units',
                      'reason': '''' || pricing_amount_text || ''' is not a number'}
            WHEN is_token_row AND token_amount IS NULL AND unit IS NULL AND pricing_unit IS NULL
                THEN {'field': 'usage.unit', 'reason': 'missing on a token SKU (''count'' expected)'}
            WHEN is_token_row AND token_amount IS NULL AND token_text IS NULL AND coalesce(unit, pricing_unit) = 'count'
                THEN {'field': 'usage.amount', 'reason': 'missing on a token SKU'}
            WHEN is_token_row AND token_amount IS NULL
                THEN {'field': 'usage.unit',
                      'reason': '''' || coalesce(unit_text, pricing_unit_text)
                                || ''' is not a token count (''count'' expected), so the tokens cannot be read'}
            WHEN is_token_row AND token_amount < 0
                THEN {'field': token_field, 'reason': '''' || token_text || ''' is a negative token count'}
            WHEN is_token_row AND token_amount <> trunc(token_amount)
                THEN {'field': token_field, 'reason': '''' || token_text || ''' is not a whole number of tokens'}
            WHEN is_token_row AND TRY_CAST(token_amount AS BIGINT) IS NULL
                THEN {'field': token_field, 'reason': '''' || token_text || ''' is too large a token count'}
        END AS rejection,
        CASE
            WHEN provider_name IS NULL THEN 'not Vertex AI or Gemini API (' || service_description || ')'
            WHEN cost_amount = 0 AND coalesce(usage_amount, 0) = 0 AND coalesce(pricing_amount, 0) = 0
                 AND coalesce(len(credit_list), 0) = 0
                THEN 'no usage and no cost'
        END AS skip_reason,
        -- a late row: usage in an earlier month, invoiced in this one
        date_trunc('month', usage_start) <> invoice_month AS late
    FROM amounts
),
keyed AS (
    SELECT
        *,
        list_transform(label_list, lambda label: {'key': label ->> 'key', 'value': label ->> 'value'}) AS label_pairs,
        -- No row id exists: the key is the row's normalised fields (the same in the JSON and the CSV shape) plus
        -- its occurrence among rows with the same fields, so two identical charges in one file both load.
        'gcp_billing_export:' || strftime(usage_start, '%Y-%m-%dT%H:%M:%S') || ':' || coalesce(project_id, '') || ':'
            || coalesce(sku_id, sku_description) || ':'
            || left(md5(concat_ws('|', coalesce(account_text, ''), coalesce(service_id, ''), service_description,
                                  sku_description, coalesce(location_text, ''), coalesce(resource_name, ''),
                                  strftime(usage_end, '%Y-%m-%dT%H:%M:%S'), invoice_text, cost_type_text,
                                  coalesce(strftime(exported_at, '%Y-%m-%dT%H:%M:%S.%f'), ''),
                                  array_to_string(list_sort(list_transform(label_list, lambda label:
                                      (label ->> 'key') || '=' || coalesce(label ->> 'value', ''))), ','))), 16)
            AS key_base
    FROM checked
),
numbered AS (
    SELECT
        *,
        key_base || ':' || row_number() OVER (PARTITION BY key_base, rejection IS NULL ORDER BY record_number)
            AS row_key,
        lower(regexp_replace(model_written, '[ -]+', '-', 'g'))
            -- image OUTPUT tokens are the image-generation models' (priced apart from text output)
            || CASE WHEN token_class = 'output' AND modality = 'image'
                         AND NOT ends_with(lower(model_written), 'image') THEN '-image' ELSE '' END AS model_name,
        CASE WHEN is_token_row THEN TRY_CAST(token_amount AS BIGINT) ELSE 0 END AS tokens
    FROM keyed
),
lines AS (
    -- the charge itself, and one Credit line per entry of credits[] of a row that loads
    SELECT *, 'charge' AS line_kind, CAST(NULL AS BIGINT) AS credit_index, CAST(NULL AS JSON) AS credit
    FROM numbered
    UNION ALL BY NAME
    SELECT *, 'credit' AS line_kind, generate_subscripts(credit_list, 1) AS credit_index,
           unnest(credit_list) AS credit
    FROM numbered
    WHERE rejection IS NULL AND skip_reason IS NULL AND len(credit_list) > 0
),
tagged AS (
    SELECT
        *,
        -- user labels first (a label wins over our own keys), then the export's dimensions; first key wins
        list_concat(label_pairs, list_filter([
            {'key': 'gcp.service', 'value': service_description},
            {'key': 'gcp.sku', 'value': sku_description},
            {'key': 'gcp.sku_id', 'value': sku_id},
            {'key': 'gcp.location', 'value': location_text},
            {'key': 'gcp.billing_account_id', 'value': account_text},
            {'key': 'gcp.modality', 'value': CASE WHEN is_token_row THEN modality END},
            -- a cost in another currency is not a USD reported_cost: it is kept here, and on the billed line
            {'key': 'gcp.cost', 'value': CASE WHEN currency_text <> 'USD'
                                              THEN CAST(cost_amount + credit_total AS VARCHAR) || ' ' || currency_text
                                         END}
        ], lambda entry: entry.value IS NOT NULL)) AS charge_entries,
        list_concat(label_pairs, list_filter([
            {'key': 'gcp.credit_name', 'value': credit ->> 'name'},
            {'key': 'gcp.credit_full_name', 'value': credit ->> 'full_name'},
            {'key': 'gcp.credit_type', 'value': credit ->> 'type'},
            {'key': 'gcp.credit_id', 'value': credit ->> 'id'}
        ], lambda entry: entry.value IS NOT NULL)) AS credit_entries
    FROM lines
)
SELECT
    CASE WHEN line_kind = 'credit' THEN row_key || ':credit:' || credit_index ELSE row_key END AS natural_key,
    CAST(NULL AS VARCHAR) AS request_id,
    'bucket' AS grain,
    'provider' AS origin,
    usage_start AS ts,
    provider_name AS provider,
    CASE WHEN model_written IS NOT NULL THEN model_name END AS model,
    model_written AS model_raw,
    CASE WHEN is_embedding THEN 'embedding' ELSE 'chat' END AS operation,
    tier AS service_tier,
    -- one token class per SKU row: the counts are disjoint as they stand
    CASE WHEN token_class = 'input' THEN tokens ELSE 0 END AS input_tokens,
    CASE WHEN token_class = 'cache_read' THEN tokens ELSE 0 END AS cache_read_tokens,
    0 AS cache_write_tokens,
    CASE WHEN token_class = 'output' THEN tokens ELSE 0 END AS output_tokens,
    CASE WHEN token_class = 'output' AND thinking THEN tokens ELSE 0 END AS reasoning_tokens,
    0 AS cache_write_1h_tokens,
    CASE WHEN token_class = 'input' AND modality = 'audio' THEN tokens ELSE 0 END AS input_audio_tokens,
    CASE WHEN token_class = 'output' AND modality = 'audio' THEN tokens ELSE 0 END AS output_audio_tokens,
    0 AS image_count,
    0 AS web_search_count,
    0 AS request_count,
    'success' AS status,
    CAST(NULL AS VARCHAR) AS api_key_id,
    CAST(NULL AS VARCHAR) AS api_key_alias,
    project_id,
    CAST(NULL AS VARCHAR) AS workspace_id,
    CAST(NULL AS VARCHAR) AS user_id,
    CAST(NULL AS VARCHAR) AS end_user,
    CAST(NULL AS VARCHAR) AS team_id,
    CAST(NULL AS VARCHAR) AS team_alias,
    CAST(NULL AS VARCHAR) AS feature,
    CAST(NULL AS VARCHAR) AS environment,
    map_from_entries(list_filter(entries, lambda entry, position: entry.key IS NOT NULL
        AND list_position(list_transform(entries, lambda other: other.key), entry.key) = position)) AS tags,
    -- what Google charged for the bucket after credits, in USD only (the billed lines keep other currencies)
    CASE WHEN currency_text = 'USD' THEN cost_amount + credit_total END AS reported_cost,
    'gcp billing export: one token class per SKU row (disjoint)' AS token_convention,
    -- billed line
    account_text AS billing_account_id,
    project_id AS sub_account_id,
    CAST(NULL AS VARCHAR) AS invoice_id,
    invoice_month AS billing_period_start,
    CAST(invoice_month + INTERVAL 1 MONTH AS DATE) AS billing_period_end,
    usage_start AS charge_period_start,
    usage_end AS charge_period_end,
    CASE
        WHEN line_kind = 'credit' THEN 'Credit'
        WHEN cost_type_text = 'regular' THEN 'Usage'
        WHEN cost_type_text = 'tax' THEN 'Tax'
        ELSE 'Adjustment'
    END AS charge_category,
    CASE WHEN line_kind = 'charge' AND cost_type_text = 'adjustment' THEN 'Correction' END AS charge_class,
    service_description AS service_name,
    sku_id,
    sku_description,
    CASE WHEN line_kind = 'charge' AND is_token_row THEN token_class END AS token_class,
    CASE
        WHEN line_kind = 'credit' THEN NULL
        WHEN is_token_row THEN CAST(tokens AS DECIMAL(38, 12))
        WHEN pricing_amount IS NOT NULL THEN pricing_amount
        ELSE usage_amount
    END AS consumed_quantity,
    CASE
        WHEN line_kind = 'credit' THEN NULL
        WHEN is_token_row THEN 'tokens'
        WHEN pricing_amount IS NOT NULL THEN pricing_unit_text
        ELSE unit_text
    END AS consumed_unit,
    CASE WHEN line_kind = 'credit' THEN TRY_CAST(trim(credit ->> 'amount') AS DECIMAL(38, 12)) ELSE cost_amount END
        AS billed_cost,
    CASE WHEN line_kind = 'charge' THEN list_amount END AS list_cost,
    CAST(NULL AS DECIMAL(38, 12)) AS effective_cost,
    currency_text AS billing_currency,
    true AS is_ai,
    line_kind = 'charge' AND is_token_row AS to_usage,
    provider_name IS NOT NULL AS to_billing,
    long_context_sku AND is_token_row AS long_context,
    -- the usage window; late rows (usage month before the invoice month) get none, so they never widen the range
    -- a newer export replaces
    CASE WHEN NOT late THEN usage_start END AS period_start,
    CASE WHEN NOT late THEN usage_end END AS period_end,
    skip_reason,
    record_number,
    rejection.field AS reject_field,
    rejection.reason AS reject_reason
FROM (SELECT *, CASE WHEN line_kind = 'credit' THEN credit_entries ELSE charge_entries END AS entries FROM tagged);
