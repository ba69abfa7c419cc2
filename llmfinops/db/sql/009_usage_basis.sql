-- Schema version 9: the allocation basis per provider and month as a small table, refreshed whenever usage
-- changes (ingest), instead of a view that scanned every usage row on each read of usage_for_totals.
CREATE TABLE usage_basis_months (
    provider VARCHAR NOT NULL,
    month    DATE NOT NULL,     -- the first day of the month
    origin   VARCHAR NOT NULL,  -- gateway | provider
    PRIMARY KEY (provider, month)
);
INSERT INTO usage_basis_months
SELECT provider, CAST(date_trunc('month', ts) AS DATE),
       CASE WHEN bool_or(origin = 'gateway') THEN 'gateway' ELSE 'provider' END
FROM usage WHERE rollup_of IS NULL
GROUP BY ALL;
