-- Schema version 7: a month's reconciliation per provider (estimate vs provider usage vs cost report vs invoice),
-- and the causes that explain its variance. Recomputed whole for a month (and provider) by `reconcile`.
CREATE TABLE reconciliation (
    month                   VARCHAR NOT NULL,  -- YYYY-MM
    provider                VARCHAR NOT NULL,
    currency                VARCHAR NOT NULL,  -- the workspace currency every amount is in
    basis                   VARCHAR NOT NULL,  -- gateway | provider | none: the usage the estimate comes from
    gateway_estimate        DECIMAL(38, 12),
    gateway_unpriced_rows   BIGINT NOT NULL,
    provider_usage_estimate DECIMAL(38, 12),
    provider_unpriced_rows  BIGINT NOT NULL,
    provider_reported_cost  DECIMAL(38, 12),
    invoiced_usage          DECIMAL(38, 12),
    credits                 DECIMAL(38, 12) NOT NULL,
    taxes                   DECIMAL(38, 12) NOT NULL,
    adjustments             DECIMAL(38, 12) NOT NULL,
    invoiced_total          DECIMAL(38, 12),
    bill_document           VARCHAR,           -- invoice | cost_report | NULL (no bill)
    bill_currencies         VARCHAR,
    exchange_rates          VARCHAR,
    estimate                DECIMAL(38, 12),
    variance                DECIMAL(38, 12),
    variance_percent        DECIMAL(38, 2),
    usage_variance          DECIMAL(38, 12),   -- invoiced usage - estimate: what the tolerance judges
    usage_variance_percent  DECIMAL(38, 2),
    tolerance_percent       DECIMAL(38, 4) NOT NULL,
    status                  VARCHAR NOT NULL,  -- within | outside | no bill | no usage | no rate
    warnings                VARCHAR,
    run_id                  BIGINT NOT NULL,
    PRIMARY KEY (month, provider)
);

CREATE TABLE reconciliation_causes (
    month    VARCHAR NOT NULL,
    provider VARCHAR NOT NULL,
    position INTEGER NOT NULL,  -- largest first; the residual last
    cause    VARCHAR NOT NULL,
    label    VARCHAR NOT NULL,
    amount   DECIMAL(38, 12) NOT NULL,
    detail   VARCHAR NOT NULL,
    PRIMARY KEY (month, provider, position)
);
