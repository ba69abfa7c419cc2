-- Schema version 8: closed months and the audit trail's inputs.
-- A closed month is an immutable snapshot: its allocation lines, its report files (bytes and sha256) and the
-- hashes of every input file, the config and the price tables. It is never recomputed; late data and corrections
-- for it are booked as adjustment lines in the next open month. `reopen` is explicit and recorded.
CREATE TABLE closed_months (
    month         VARCHAR NOT NULL,   -- YYYY-MM
    closed_at     TIMESTAMP NOT NULL,
    close_run_id  BIGINT NOT NULL,
    config_hash   VARCHAR NOT NULL,
    pricing_hash  VARCHAR NOT NULL,
    reopened_at   TIMESTAMP,          -- NULL while the month is closed; a reopened month may be closed again
    reopen_run_id BIGINT
);

CREATE TABLE closed_allocation (
    month           VARCHAR NOT NULL,
    close_run_id    BIGINT NOT NULL,
    cost_center     VARCHAR NOT NULL,
    provider        VARCHAR NOT NULL,
    category        VARCHAR NOT NULL,
    pool            VARCHAR,
    requests        BIGINT NOT NULL,
    allocated_cost  DECIMAL(38, 12) NOT NULL,
    chargeback_cost DECIMAL(38, 2) NOT NULL,
    basis           VARCHAR NOT NULL
);

CREATE TABLE closed_reports (
    month        VARCHAR NOT NULL,
    close_run_id BIGINT NOT NULL,
    file_name    VARCHAR NOT NULL,   -- as written under reports/YYYY-MM/
    sha256       VARCHAR NOT NULL,
    content      BLOB NOT NULL
);

CREATE TABLE closed_inputs (
    month        VARCHAR NOT NULL,
    close_run_id BIGINT NOT NULL,
    source_id    BIGINT NOT NULL,
    path         VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL
);

-- What a command read: the sha256 of each input file, the config and the price tables (JSON object).
ALTER TABLE runs ADD COLUMN inputs VARCHAR;
