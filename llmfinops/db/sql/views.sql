-- Public views (docs/schema.md). Recreated on every write open, so they always match the code; they use the
-- macros of macros.sql.

-- Each (provider, model name) seen in usage resolved once to a priced model: exact names first (price tables and
-- the workspace's model_aliases), then the longest glob.
CREATE OR REPLACE VIEW usage_model_resolution AS
-- names from usage and from billed lines that name a model (CUR usage types, SKUs, meters, display names)
WITH names AS (
    SELECT DISTINCT provider, model FROM usage
    UNION SELECT DISTINCT provider, model FROM billing WHERE model IS NOT NULL
)
SELECT names.provider, names.model, candidates.model AS price_model
FROM names
JOIN price_model_names AS candidates
  ON candidates.provider = names.provider
 AND (names.model = candidates.match_text
      OR (candidates.match_kind = 'glob' AND names.model GLOB candidates.match_text))
QUALIFY row_number() OVER (
    PARTITION BY names.provider, names.model
    ORDER BY (candidates.match_kind = 'exact') DESC, (candidates.origin = 'workspace') DESC,
             length(candidates.match_text) DESC, candidates.match_text, candidates.model
) = 1;

-- Every usage row with its cost as last priced (usage_costs). A row that was never priced shows as unpriced.
CREATE OR REPLACE VIEW usage_priced AS
SELECT
    usage.usage_id, usage.request_id, usage.natural_key, usage.grain, usage.origin, usage.ts, usage.provider,
    coalesce(costs.price_model, usage.model) AS model, usage.model_raw, usage.operation, usage.service_tier,
    usage.input_tokens, usage.cache_read_tokens, usage.cache_write_tokens, usage.cache_write_1h_tokens,
    usage.output_tokens, usage.reasoning_tokens, usage.input_audio_tokens, usage.output_audio_tokens,
    usage.image_count, usage.web_search_count, usage.request_count, usage.status,
    usage.api_key_id, usage.api_key_alias, usage.project_id, usage.workspace_id, usage.user_id, usage.end_user,
    usage.team_id, usage.team_alias, usage.feature, usage.environment, usage.tags, usage.reported_cost,
    costs.input_cost, costs.cache_read_cost, costs.cache_write_cost, costs.output_cost, costs.unit_cost,
    costs.list_cost, costs.discount_percent, costs.estimated_cost,
    coalesce(costs.priced, false) AS priced,
    CASE WHEN costs.usage_id IS NULL THEN 'not priced yet: run llmfinops reprice' ELSE costs.unpriced_reason END
        AS unpriced_reason,
    costs.window_id AS price_window_id, costs.context_tier AS price_context_tier, windows.source_url AS price_source_url,
    costs.pricing_hash, costs.priced_at,
    usage.token_convention, usage.source_id, usage.source_row, usage.rollup_of
FROM usage
LEFT JOIN usage_costs AS costs ON costs.usage_id = usage.usage_id
LEFT JOIN price_windows AS windows ON windows.window_id = costs.window_id;

-- The price tables as loaded: one row per window, service tier and context tier, with the combined rates.
CREATE OR REPLACE VIEW prices AS
SELECT windows.provider, windows.model, windows.effective_from, windows.effective_to, rates.service_tier,
       rates.context_tier, rates.min_prompt_tokens, rates.* EXCLUDE (window_id, service_tier, context_tier,
       min_prompt_tokens), windows.currency, windows.source_url, windows.captured, windows.window_id
FROM price_windows AS windows JOIN price_rates AS rates USING (window_id);

-- Gateway logs and provider usage exports describe the same traffic and are never added together (ARCHITECTURE.md
-- §3): per provider and month the basis is the gateway where it logged anything, else the provider's export. Kept
-- in usage_basis_months, refreshed by every ingest (llmfinops.ingest.load.refresh_usage_basis).
CREATE OR REPLACE VIEW usage_basis AS
SELECT provider, month, origin FROM usage_basis_months;

-- What totals add up: every row of the month's basis except roll-ups of other rows (docs/schema.md). Reports,
-- allocation and the pricing check read this view, so the same traffic is never counted twice.
CREATE OR REPLACE VIEW usage_for_totals AS
SELECT usage_priced.*
FROM usage_priced
JOIN usage_basis_months AS basis
  ON basis.provider = usage_priced.provider AND basis.month = CAST(date_trunc('month', usage_priced.ts) AS DATE)
 AND basis.origin = usage_priced.origin
WHERE usage_priced.rollup_of IS NULL;

-- Billed lines with the priced model their model name resolves to (NULL: the line names no model, or one the price
-- tables do not know; such lines are reported by reconcile, never dropped).
CREATE OR REPLACE VIEW billing_mapped AS
SELECT billing.*, resolution.price_model
FROM billing
LEFT JOIN usage_model_resolution AS resolution
       ON resolution.provider = billing.provider AND resolution.model = billing.model;
