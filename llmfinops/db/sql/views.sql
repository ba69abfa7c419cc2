-- Public views (docs/schema.md). Recreated on every write open, so they always match the code; they use the
-- macros of macros.sql.

-- Each (provider, model name) seen in usage resolved once to a priced model: exact ids first, then the longest glob.
CREATE OR REPLACE VIEW usage_model_resolution AS
WITH names AS (SELECT DISTINCT provider, model FROM usage)
SELECT names.provider, names.model, candidates.model AS price_model
FROM names
JOIN price_model_names AS candidates
  ON candidates.provider = names.provider
 AND (names.model = candidates.match_text
      OR (candidates.match_kind = 'glob' AND names.model GLOB candidates.match_text))
QUALIFY row_number() OVER (
    PARTITION BY names.provider, names.model
    ORDER BY (candidates.match_kind = 'exact') DESC, length(candidates.match_text) DESC, candidates.match_text,
             candidates.model
) = 1;

CREATE OR REPLACE VIEW usage_priced AS
WITH joined AS (
    SELECT
        usage.*,
        resolution.price_model,
        prices.effective_from AS price_effective_from,
        prices.input_per_mtok, prices.cache_read_per_mtok, prices.cache_write_per_mtok, prices.output_per_mtok,
        prices.batch_multiplier, prices.source_url AS price_source_url,
        -- flex and priority have no price yet: such rows are unpriced rather than costed at the standard rate
        CASE usage.service_tier
            WHEN 'standard' THEN CAST(1 AS DECIMAL(38, 6))
            WHEN 'batch' THEN prices.batch_multiplier
        END AS tier_multiplier
    FROM usage
    LEFT JOIN usage_model_resolution AS resolution
           ON resolution.provider = usage.provider AND resolution.model = usage.model
    LEFT JOIN prices
           ON prices.provider = usage.provider AND prices.model = resolution.price_model
          AND usage.ts >= prices.effective_from
          AND (prices.effective_to IS NULL OR usage.ts < prices.effective_to)
),
checked AS (
    SELECT
        *,
        CASE
            WHEN price_model IS NULL
                THEN 'no price table entry for model ' || model || ' of provider ' || provider
            WHEN price_effective_from IS NULL
                THEN 'no price for ' || price_model || ' in effect at ' || strftime(ts, '%Y-%m-%d %H:%M:%S')
            WHEN tier_multiplier IS NULL
                THEN 'no ' || service_tier || ' price for ' || price_model
            WHEN cache_read_tokens > 0 AND cache_read_per_mtok IS NULL
                THEN 'no cache read price for ' || price_model
            WHEN cache_write_tokens > 0 AND cache_write_per_mtok IS NULL
                THEN 'no cache write price for ' || price_model
            WHEN output_tokens > 0 AND output_per_mtok IS NULL
                THEN 'no output price for ' || price_model
        END AS unpriced_reason
    FROM joined
),
costed AS (
    SELECT
        *,
        CASE WHEN unpriced_reason IS NULL THEN token_cost(input_tokens, input_per_mtok, tier_multiplier) END
            AS input_cost,
        CASE WHEN unpriced_reason IS NULL
             THEN token_cost(cache_read_tokens, coalesce(cache_read_per_mtok, 0), tier_multiplier) END
            AS cache_read_cost,
        CASE WHEN unpriced_reason IS NULL
             THEN token_cost(cache_write_tokens, coalesce(cache_write_per_mtok, 0), tier_multiplier) END
            AS cache_write_cost,
        CASE WHEN unpriced_reason IS NULL
             THEN token_cost(output_tokens, coalesce(output_per_mtok, 0), tier_multiplier) END
            AS output_cost
    FROM checked
)
SELECT
    usage_id, request_id, natural_key, grain, origin, ts, provider,
    coalesce(price_model, model) AS model, model_raw, operation, service_tier,
    input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, reasoning_tokens, request_count, status,
    api_key_id, api_key_alias, project_id, workspace_id, user_id, end_user, team_id, team_alias, feature, environment,
    tags, reported_cost,
    input_cost, cache_read_cost, cache_write_cost, output_cost,
    CAST(input_cost + cache_read_cost + cache_write_cost + output_cost AS DECIMAL(38, 12)) AS estimated_cost,
    unpriced_reason IS NULL AS priced,
    unpriced_reason,
    price_effective_from, price_source_url,
    token_convention, source_id, source_row
FROM costed;
