-- Price the usage rows listed in the temp table pricing_selection(usage_id) and write their usage_costs rows.
-- Parameters: $pricing_hash, $priced_at. Set-based: one range join to the window in effect at ts, equi-joins to
-- the rates of the row's service tier (base, and long context when the prompt crosses the threshold).
INSERT INTO usage_costs
WITH selected AS (
    SELECT usage.*,
           -- long-context thresholds apply to one request's prompt; a bucket has none, so it is priced at the
           -- long-context rates only where its source says its requests were above the threshold
           CASE WHEN grain = 'request' THEN input_tokens + cache_read_tokens + cache_write_tokens
                WHEN long_context THEN 9223372036854775807 ELSE 0 END AS prompt_tokens
    FROM usage JOIN pricing_selection USING (usage_id)
),
windowed AS (
    SELECT selected.*, resolution.price_model, windows.window_id, windows.effective_from AS window_from
    FROM selected
    LEFT JOIN usage_model_resolution AS resolution
           ON resolution.provider = selected.provider AND resolution.model = selected.model
    LEFT JOIN price_windows AS windows
           ON windows.provider = selected.provider AND windows.model = resolution.price_model
          AND selected.ts >= windows.effective_from
          AND (windows.effective_to IS NULL OR selected.ts < windows.effective_to)
),
rated AS (
    SELECT
        windowed.*,
        coalesce(long_rates.context_tier, base_rates.context_tier) AS context_tier,
        -- a long-context rate the tier leaves unset falls back to nothing: the request is unpriced, not cheap
        CASE WHEN long_rates.window_id IS NOT NULL THEN long_rates.input_per_mtok ELSE base_rates.input_per_mtok END
            AS input_rate,
        CASE WHEN long_rates.window_id IS NOT NULL THEN long_rates.cache_read_per_mtok
             ELSE base_rates.cache_read_per_mtok END AS cache_read_rate,
        CASE WHEN long_rates.window_id IS NOT NULL THEN long_rates.cache_write_per_mtok
             ELSE base_rates.cache_write_per_mtok END AS cache_write_rate,
        CASE WHEN long_rates.window_id IS NOT NULL THEN long_rates.cache_write_1h_per_mtok
             ELSE base_rates.cache_write_1h_per_mtok END AS cache_write_1h_rate,
        CASE WHEN long_rates.window_id IS NOT NULL THEN long_rates.output_per_mtok
             ELSE base_rates.output_per_mtok END AS output_rate,
        CASE WHEN long_rates.window_id IS NOT NULL THEN long_rates.reasoning_per_mtok
             ELSE base_rates.reasoning_per_mtok END AS reasoning_rate,
        CASE WHEN long_rates.window_id IS NOT NULL THEN long_rates.input_audio_per_mtok
             ELSE base_rates.input_audio_per_mtok END AS input_audio_rate,
        CASE WHEN long_rates.window_id IS NOT NULL THEN long_rates.output_audio_per_mtok
             ELSE base_rates.output_audio_per_mtok END AS output_audio_rate,
        base_rates.per_request AS request_rate,
        base_rates.per_image AS image_rate,
        base_rates.per_web_search AS web_search_rate,
        base_rates.window_id IS NOT NULL AS tier_has_rates
    FROM windowed
    LEFT JOIN price_rates AS base_rates
           ON base_rates.window_id = windowed.window_id AND base_rates.service_tier = windowed.service_tier
          AND base_rates.context_tier = 'base'
    LEFT JOIN price_rates AS long_rates
           ON long_rates.window_id = windowed.window_id AND long_rates.service_tier = windowed.service_tier
          AND long_rates.context_tier = 'long' AND windowed.prompt_tokens >= long_rates.min_prompt_tokens
),
checked AS (
    SELECT
        *,
        CASE
            WHEN price_model IS NULL
                THEN 'no price table entry for model ' || model || ' of provider ' || provider
            WHEN window_id IS NULL
                THEN 'no price for ' || price_model || ' in effect at ' || strftime(ts, '%Y-%m-%d %H:%M:%S')
            WHEN NOT tier_has_rates
                THEN 'no ' || service_tier || ' price for ' || price_model
            WHEN input_tokens - input_audio_tokens > 0 AND input_rate IS NULL
                THEN 'no input price for ' || price_model
            WHEN input_audio_tokens > 0 AND input_audio_rate IS NULL
                THEN 'no audio input price for ' || price_model
            WHEN cache_read_tokens > 0 AND cache_read_rate IS NULL
                THEN 'no cache read price for ' || price_model
            WHEN cache_write_tokens - cache_write_1h_tokens > 0 AND cache_write_rate IS NULL
                THEN 'no cache write price for ' || price_model
            WHEN cache_write_1h_tokens > 0 AND cache_write_1h_rate IS NULL
                THEN 'no 1-hour cache write price for ' || price_model
            WHEN output_tokens - output_audio_tokens > 0 AND output_rate IS NULL
                THEN 'no output price for ' || price_model
            WHEN output_audio_tokens > 0 AND output_audio_rate IS NULL
                THEN 'no audio output price for ' || price_model
            WHEN image_count > 0 AND image_rate IS NULL
                THEN 'no per-image price for ' || price_model
            WHEN web_search_count > 0 AND web_search_rate IS NULL
                THEN 'no web search price for ' || price_model
        END AS unpriced_reason
    FROM rated
),
costed AS (
    SELECT
        *,
        token_cost(input_tokens - input_audio_tokens, coalesce(input_rate, 0))
            + token_cost(input_audio_tokens, coalesce(input_audio_rate, 0)) AS input_cost,
        token_cost(cache_read_tokens, coalesce(cache_read_rate, 0)) AS cache_read_cost,
        token_cost(cache_write_tokens - cache_write_1h_tokens, coalesce(cache_write_rate, 0))
            + token_cost(cache_write_1h_tokens, coalesce(cache_write_1h_rate, 0)) AS cache_write_cost,
        -- reasoning is part of output; it has a price of its own only where the table gives one
        token_cost(output_tokens - output_audio_tokens - CASE WHEN reasoning_rate IS NULL THEN 0
                                                              ELSE reasoning_tokens END, coalesce(output_rate, 0))
            + token_cost(CASE WHEN reasoning_rate IS NULL THEN 0 ELSE reasoning_tokens END,
                         coalesce(reasoning_rate, 0))
            + token_cost(output_audio_tokens, coalesce(output_audio_rate, 0)) AS output_cost,
        unit_cost(request_count, coalesce(request_rate, 0)) + unit_cost(image_count, coalesce(image_rate, 0))
            + unit_cost(web_search_count, coalesce(web_search_rate, 0)) AS unit_cost
    FROM checked
),
discounts AS (
    -- contracts are few and day-grained: resolve them once per (provider, model, day), not per row
    SELECT days.provider, days.price_model, days.usage_day, contracts.discount_percent
    FROM (SELECT DISTINCT provider, price_model, CAST(ts AS DATE) AS usage_day FROM costed
          WHERE unpriced_reason IS NULL) AS days
    JOIN contract_discounts AS contracts
      ON contracts.provider = days.provider AND days.price_model GLOB contracts.model_pattern
     AND days.usage_day >= contracts.effective_from
     AND (contracts.effective_to IS NULL OR days.usage_day < contracts.effective_to)
    QUALIFY row_number() OVER (PARTITION BY days.provider, days.price_model, days.usage_day
                               ORDER BY contracts.position) = 1
),
totalled AS (
    SELECT
        costed.*,
        CAST(input_cost + cache_read_cost + cache_write_cost + output_cost + unit_cost AS DECIMAL(38, 12))
            AS list_cost_value,
        coalesce(discounts.discount_percent, CAST(0 AS DECIMAL(38, 4))) AS discount
    FROM costed
    LEFT JOIN discounts
           ON discounts.provider = costed.provider AND discounts.price_model = costed.price_model
          AND discounts.usage_day = CAST(costed.ts AS DATE)
)
SELECT
    usage_id,
    price_model,
    window_id,
    context_tier,
    CASE WHEN unpriced_reason IS NULL THEN input_cost END,
    CASE WHEN unpriced_reason IS NULL THEN cache_read_cost END,
    CASE WHEN unpriced_reason IS NULL THEN cache_write_cost END,
    CASE WHEN unpriced_reason IS NULL THEN output_cost END,
    CASE WHEN unpriced_reason IS NULL THEN unit_cost END,
    CASE WHEN unpriced_reason IS NULL THEN list_cost_value END,
    CASE WHEN unpriced_reason IS NULL THEN discount END,
    -- net of the negotiated discount; a multiplication by 0.01, not a division, to stay in DECIMAL
    CASE WHEN unpriced_reason IS NULL
         THEN CAST(list_cost_value * ((CAST(100 AS DECIMAL(38, 4)) - discount) * CAST(0.01 AS DECIMAL(38, 2)))
                   AS DECIMAL(38, 12)) END,
    unpriced_reason IS NULL,
    unpriced_reason,
    $pricing_hash,
    $priced_at
FROM totalled;
