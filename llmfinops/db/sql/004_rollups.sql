-- Schema version 4: rows that summarise other rows (LiteLLM's daily aggregate tables roll up its spend logs).
-- They are kept for analysis but never added to totals, which would count the same traffic twice.
ALTER TABLE usage ADD COLUMN rollup_of VARCHAR;  -- NULL: additive usage; else the source it summarises
