-- Schema version 2: the pricing engine. Price windows with tiered rates, more usage units, contract discounts, and
-- materialised costs, so that a priced month stays as priced (auditable) until `reprice` recomputes it.

DROP TABLE prices;
DROP TABLE prices_state;

-- One row per price window of a model, from pricing/*.yaml.
CREATE TABLE price_windows (
    window_id      VARCHAR PRIMARY KEY,  -- provider/model@effective_from
    provider       VARCHAR NOT NULL,
    model          VARCHAR NOT NULL,
    effective_from TIMESTAMP NOT NULL,
    effective_to   TIMESTAMP,
    currency       VARCHAR NOT NULL,
    source_url     VARCHAR NOT NULL,
    captured       DATE,
    price_file     VARCHAR NOT NULL
);

-- The rates of a window for each service tier and context tier, already combined (tier rates and multipliers
-- applied), in USD per million tokens or per unit.
CREATE TABLE price_rates (
    window_id               VARCHAR NOT NULL,
    service_tier            VARCHAR NOT NULL,  -- standard | batch | flex | priority
    context_tier            VARCHAR NOT NULL,  -- base | long
    min_prompt_tokens       BIGINT NOT NULL,   -- 0 for base; the long-context threshold + 1
    input_per_mtok          DECIMAL(38, 9),
    cache_read_per_mtok     DECIMAL(38, 9),
    cache_write_per_mtok    DECIMAL(38, 9),
    cache_write_1h_per_mtok DECIMAL(38, 9),
    output_per_mtok         DECIMAL(38, 9),
    reasoning_per_mtok      DECIMAL(38, 9),
    input_audio_per_mtok    DECIMAL(38, 9),
    output_audio_per_mtok   DECIMAL(38, 9),
    per_request             DECIMAL(38, 9),
    per_image               DECIMAL(38, 9),
    per_web_search          DECIMAL(38, 9),
    PRIMARY KEY (window_id, service_tier, context_tier)
);

ALTER TABLE price_model_names ADD COLUMN origin VARCHAR DEFAULT 'price table';

-- Negotiated discounts from finops.yaml `contracts`, effective-dated; the first matching one applies.
CREATE TABLE contract_discounts (
    position         INTEGER NOT NULL,
    provider         VARCHAR NOT NULL,
    model_pattern    VARCHAR NOT NULL,  -- glob over the priced model id; '*' for every model
    discount_percent DECIMAL(38, 4) NOT NULL,
    effective_from   DATE NOT NULL,
    effective_to     DATE
);

-- What the price tables, model aliases and contracts were when they were last loaded.
CREATE TABLE pricing_state (
    pricing_hash VARCHAR NOT NULL,
    tables_hash  VARCHAR NOT NULL,
    loaded_at    TIMESTAMP NOT NULL
);

ALTER TABLE usage ADD COLUMN cache_write_1h_tokens BIGINT DEFAULT 0;  -- part of cache_write_tokens
ALTER TABLE usage ADD COLUMN input_audio_tokens BIGINT DEFAULT 0;     -- part of input_tokens
ALTER TABLE usage ADD COLUMN output_audio_tokens BIGINT DEFAULT 0;    -- part of output_tokens
ALTER TABLE usage ADD COLUMN image_count BIGINT DEFAULT 0;            -- images generated
ALTER TABLE usage ADD COLUMN web_search_count BIGINT DEFAULT 0;       -- web searches performed

-- The cost of each usage row as priced by the last pricing run that covered it.
CREATE TABLE usage_costs (
    usage_id          BIGINT PRIMARY KEY,
    price_model       VARCHAR,
    window_id         VARCHAR,
    context_tier      VARCHAR,
    input_cost        DECIMAL(38, 12),
    cache_read_cost   DECIMAL(38, 12),
    cache_write_cost  DECIMAL(38, 12),
    output_cost       DECIMAL(38, 12),
    unit_cost         DECIMAL(38, 12),
    list_cost         DECIMAL(38, 12),
    discount_percent  DECIMAL(38, 4),
    estimated_cost    DECIMAL(38, 12),
    priced            BOOLEAN NOT NULL,
    unpriced_reason   VARCHAR,
    pricing_hash      VARCHAR NOT NULL,
    priced_at         TIMESTAMP NOT NULL
);
