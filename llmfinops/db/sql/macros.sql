-- SQL macros shared by the views and the ingest SQL. Recreated on every write open, with the views.

-- Cost of a token count at a per-million price; exact DECIMAL arithmetic, never DOUBLE (DuckDB divides decimals as
-- DOUBLE, so the per-token price is a multiplication by 0.000001). Rates carry 9 decimals, so the product is exact
-- before it is rounded to the 12 decimals of a cost.
CREATE OR REPLACE MACRO token_cost(tokens, per_mtok) AS
    CAST(CAST(tokens AS DECIMAL(38, 0)) * (CAST(per_mtok AS DECIMAL(38, 9)) * CAST(0.000001 AS DECIMAL(38, 6)))
         AS DECIMAL(38, 12));

-- Cost of a count of units (requests, images, searches) at a per-unit price.
CREATE OR REPLACE MACRO unit_cost(units, per_unit) AS
    CAST(CAST(units AS DECIMAL(38, 0)) * CAST(per_unit AS DECIMAL(38, 9)) AS DECIMAL(38, 12));

-- A whole number written as text, or NULL: TRY_CAST would round '3.5' to 4 and read '1e3' as 1000, and a token
-- count that is not a whole number is a defect to quarantine, not a value to guess.
CREATE OR REPLACE MACRO whole_number(text) AS
    CASE WHEN regexp_full_match(trim(text), '[+-]?[0-9]+') THEN TRY_CAST(trim(text) AS BIGINT) END;

-- Gateways write a prompt count whose relation to the cache counts changed across versions: it includes cache
-- reads and writes (current), cache reads only (older), or neither (Anthropic's own input_tokens). Read the
-- first convention that leaves a non-negative uncached count, newest first; prompt_convention names it for
-- usage.token_convention, so the choice is visible per row.
CREATE OR REPLACE MACRO uncached_prompt(prompt, cache_read, cache_write) AS
    CASE
        WHEN prompt - cache_read - cache_write >= 0 THEN prompt - cache_read - cache_write
        WHEN prompt - cache_read >= 0 THEN prompt - cache_read
        ELSE prompt
    END;

CREATE OR REPLACE MACRO prompt_convention(prompt, cache_read, cache_write) AS
    CASE
        WHEN prompt - cache_read - cache_write >= 0 THEN 'includes cache reads and writes'
        WHEN prompt - cache_read >= 0 THEN 'includes cache reads only'
        ELSE 'excludes cached tokens (anthropic convention)'
    END;

-- The provider behind an upstream base URL (LiteLLM's api_base), for exports that do not name it otherwise; an
-- unknown host gives NULL, so callers fall back to 'unknown' rather than a guess.
CREATE OR REPLACE MACRO provider_from_base_url(base_url) AS
    CASE
        WHEN contains(lower(base_url), 'openai.azure.com') THEN 'azure'
        WHEN contains(lower(base_url), 'api.openai.com') THEN 'openai'
        WHEN contains(lower(base_url), 'api.anthropic.com') THEN 'anthropic'
        WHEN contains(lower(base_url), 'generativelanguage.googleapis.com') THEN 'gemini'
        WHEN contains(lower(base_url), 'aiplatform.googleapis.com') THEN 'vertex_ai'
        WHEN contains(lower(base_url), 'bedrock-runtime') THEN 'bedrock'
        WHEN contains(lower(base_url), 'api.mistral.ai') THEN 'mistral'
        WHEN contains(lower(base_url), 'api.groq.com') THEN 'groq'
        WHEN contains(lower(base_url), 'api.deepseek.com') THEN 'deepseek'
        WHEN contains(lower(base_url), 'openrouter.ai') THEN 'openrouter'
    END;
