"""Price tables: loading and validating pricing/*.yaml, and keeping the database's copy in sync."""
