-- Schema version 3: the stored allocation of a month (`llmfinops allocate --month`), one row per cost center,
-- provider (or shared pool, or seat vendor), category and pool. A month is replaced whole on every run.
CREATE TABLE allocation (
    month           VARCHAR NOT NULL,           -- YYYY-MM
    cost_center     VARCHAR NOT NULL,           -- a cost center code, or 'unallocated'
    provider        VARCHAR NOT NULL,           -- the spend's provider; a fixed pool's name; a seat vendor
    category        VARCHAR NOT NULL,           -- direct | shared | seats
    pool            VARCHAR,                    -- the shared pool or seat plan of the line
    requests        BIGINT NOT NULL,
    allocated_cost  DECIMAL(38, 12) NOT NULL,   -- exact
    chargeback_cost DECIMAL(38, 2) NOT NULL,    -- cents; per month and provider the lines add up to the total
    basis           VARCHAR NOT NULL,           -- estimate (invoice once invoices are reconciled)
    run_id          BIGINT NOT NULL
);
