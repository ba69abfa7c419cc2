-- Schema version 1: the foundation tables. Money is DECIMAL(38, 12); timestamps are TIMESTAMP in UTC.

CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE run_id_seq START 1;
CREATE SEQUENCE source_id_seq START 1;
CREATE SEQUENCE usage_id_seq START 1;

-- One row per command that changed the database.
CREATE TABLE runs (
    run_id      BIGINT PRIMARY KEY,
    command     VARCHAR NOT NULL,
    arguments   VARCHAR NOT NULL,
    config_hash VARCHAR,
    started_at  TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    outcome     VARCHAR NOT NULL
);

-- One row per ingested file; sha256 makes re-ingesting the same content a no-op.
CREATE TABLE sources (
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
    ingested_at      TIMESTAMP NOT NULL,
    run_id           BIGINT NOT NULL,
    CHECK (rows_read = rows_loaded + rows_quarantined + rows_duplicate)
);

-- Every row that was read and not loaded: where it was, which field, why, and the row itself (never prompt text).
CREATE TABLE quarantine (
    source_id     BIGINT NOT NULL,
    record_number BIGINT NOT NULL,
    location      VARCHAR NOT NULL,
    field         VARCHAR,
    reason        VARCHAR NOT NULL,
    raw_record    VARCHAR
);

-- One row per request or usage bucket. Token counts are disjoint and additive:
-- input_tokens (uncached) + cache_read_tokens + cache_write_tokens + output_tokens; reasoning_tokens is part of
-- output_tokens.
CREATE TABLE usage (
    usage_id           BIGINT PRIMARY KEY DEFAULT nextval('usage_id_seq'),
    natural_key        VARCHAR NOT NULL,
    request_id         VARCHAR,
    grain              VARCHAR NOT NULL,
    origin             VARCHAR NOT NULL,
    ts                 TIMESTAMP NOT NULL,
    provider           VARCHAR NOT NULL,
    model              VARCHAR NOT NULL,
    model_raw          VARCHAR NOT NULL,
    operation          VARCHAR NOT NULL,
    service_tier       VARCHAR NOT NULL,
    input_tokens       BIGINT NOT NULL,
    cache_read_tokens  BIGINT NOT NULL,
    cache_write_tokens BIGINT NOT NULL,
    output_tokens      BIGINT NOT NULL,
    reasoning_tokens   BIGINT NOT NULL,
    request_count      BIGINT NOT NULL,
    status             VARCHAR NOT NULL,
    api_key_id         VARCHAR,
    api_key_alias      VARCHAR,
    project_id         VARCHAR,
    workspace_id       VARCHAR,
    user_id            VARCHAR,
    end_user           VARCHAR,
    team_id            VARCHAR,
    team_alias         VARCHAR,
    feature            VARCHAR,
    environment        VARCHAR,
    tags               MAP(VARCHAR, VARCHAR),
    reported_cost      DECIMAL(38, 12),
    token_convention   VARCHAR NOT NULL,
    source_id          BIGINT NOT NULL,
    source_row         BIGINT NOT NULL
);

-- The price tables of pricing/*.yaml, reloaded whole when the files change (see prices_state).
CREATE TABLE prices (
    provider             VARCHAR NOT NULL,
    model                VARCHAR NOT NULL,
    effective_from       TIMESTAMP NOT NULL,
    effective_to         TIMESTAMP,
    input_per_mtok       DECIMAL(38, 6) NOT NULL,
    cache_read_per_mtok  DECIMAL(38, 6),
    cache_write_per_mtok DECIMAL(38, 6),
    output_per_mtok      DECIMAL(38, 6),
    batch_multiplier     DECIMAL(38, 6),
    currency             VARCHAR NOT NULL,
    source_url           VARCHAR NOT NULL,
    captured             DATE,
    price_file           VARCHAR NOT NULL
);

-- How model names written by sources map to a priced model: exact ids first, then the longest glob.
CREATE TABLE price_model_names (
    provider   VARCHAR NOT NULL,
    match_kind VARCHAR NOT NULL,  -- 'exact' | 'glob'
    match_text VARCHAR NOT NULL,
    model      VARCHAR NOT NULL
);

CREATE TABLE prices_state (
    tables_hash VARCHAR NOT NULL,
    loaded_at   TIMESTAMP NOT NULL
);
