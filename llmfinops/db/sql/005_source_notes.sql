-- Schema version 5: what a file's reading assumed, for example that timestamps without a UTC offset are UTC.
ALTER TABLE sources ADD COLUMN notes VARCHAR;
