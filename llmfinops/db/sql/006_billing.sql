-- Schema version 6: provider exports and billed lines.
-- - `billing`: one row per billed line (provider cost reports, CUR / billing export / cost export lines, FOCUS rows,
--   invoice lines), named after FOCUS columns where one exists. Money is DECIMAL(38, 12).
-- - `sources` gains rows_skipped (rows read and deliberately not loaded, such as CUR lines of other AWS services,
--   counted by reason in source_skips) and feed (provider exports whose newer files replace older ones by period).
-- - `source_replacements`: which earlier rows a newer export of the same period replaced.
-- - `usage.long_context`: a usage bucket the provider says was above the long-context threshold (Anthropic's
--   context_window 200k-1M, Vertex "(Long)" SKUs); a bucket has no single prompt to compare with the threshold.

CREATE TABLE sources_v6 (
    source_id        BIGINT PRIMARY KEY,
    path             VARCHAR NOT NULL,
    sha256           VARCHAR NOT NULL UNIQUE,
    format           VARCHAR NOT NULL,
    container        VARCHAR NOT NULL,
    target           VARCHAR NOT NULL,
    format_version   VARCHAR,
    rows_read        BIGINT NOT NULL,
    rows_loaded      BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    rows_duplicate   BIGINT NOT NULL,
    rows_skipped     BIGINT NOT NULL DEFAULT 0,
    ingested_at      TIMESTAMP NOT NULL,
    run_id           BIGINT NOT NULL,
    notes            VARCHAR,
    feed             VARCHAR,
    CHECK (rows_read = rows_loaded + rows_quarantined + rows_duplicate + rows_skipped)
);
INSERT INTO sources_v6 (source_id, path, sha256, format, container, target, format_version, rows_read, rows_loaded,
                        rows_quarantined, rows_duplicate, rows_skipped, ingested_at, run_id, notes, feed)
SELECT source_id, path, sha256, format, container, target, format_version, rows_read, rows_loaded, rows_quarantined,
       rows_duplicate, 0, ingested_at, run_id, notes, NULL
FROM sources;
DROP TABLE sources;
ALTER TABLE sources_v6 RENAME TO sources;

-- Rows read and not loaded on purpose, by reason (never quarantined: nothing is wrong with them).
CREATE TABLE source_skips (
    source_id BIGINT NOT NULL,
    reason    VARCHAR NOT NULL,
    rows      BIGINT NOT NULL
);

CREATE TABLE source_replacements (
    source_id          BIGINT NOT NULL,  -- the newer file
    replaced_source_id BIGINT NOT NULL,  -- the earlier file whose rows for the period were removed
    target             VARCHAR NOT NULL, -- usage | billing
    rows_removed       BIGINT NOT NULL
);

ALTER TABLE usage ADD COLUMN long_context BOOLEAN DEFAULT false;

CREATE SEQUENCE billing_id_seq START 1;
CREATE TABLE billing (
    billing_id           BIGINT PRIMARY KEY DEFAULT nextval('billing_id_seq'),
    natural_key          VARCHAR NOT NULL,
    provider             VARCHAR NOT NULL,  -- openai, anthropic, bedrock, vertex_ai, gemini, azure, or a FOCUS provider
    billing_account_id   VARCHAR,
    sub_account_id       VARCHAR,           -- project, workspace, AWS usage account, GCP project, Azure subscription
    invoice_id           VARCHAR,
    billing_period_start DATE NOT NULL,     -- the invoice month the line belongs to (GCP: invoice.month)
    billing_period_end   DATE NOT NULL,     -- exclusive
    charge_period_start  TIMESTAMP NOT NULL,
    charge_period_end    TIMESTAMP NOT NULL,  -- exclusive
    charge_category      VARCHAR NOT NULL,  -- Usage | Purchase | Tax | Credit | Adjustment (FOCUS)
    charge_class         VARCHAR,           -- Correction, or NULL (FOCUS)
    service_name         VARCHAR,
    sku_id               VARCHAR,
    sku_description      VARCHAR,           -- the line as the provider names it: line item, usage type, SKU, meter
    model                VARCHAR,           -- the model the line is for, where it names one (as written, mapped later)
    model_raw            VARCHAR,
    token_class          VARCHAR,           -- input | cache_read | cache_write | cache_write_1h | output | ... or NULL
    consumed_quantity    DECIMAL(38, 12),
    consumed_unit        VARCHAR,
    billed_cost          DECIMAL(38, 12) NOT NULL,
    list_cost            DECIMAL(38, 12),
    effective_cost       DECIMAL(38, 12),
    billing_currency     VARCHAR NOT NULL,
    is_ai                BOOLEAN NOT NULL,  -- LLM / AI spend, reconciled against usage; other rows only tie out totals
    project_id           VARCHAR,
    api_key_id           VARCHAR,
    workspace_id         VARCHAR,
    tags                 MAP(VARCHAR, VARCHAR),
    -- what the source is: 'invoice' (an invoice, or a bill export that sums to it: CUR, billing export, FOCUS,
    -- invoice lines) or 'cost_report' (a provider's cost API or console cost download: close to the bill, not it)
    document             VARCHAR NOT NULL,
    source_id            BIGINT NOT NULL,
    source_row           BIGINT NOT NULL
);
