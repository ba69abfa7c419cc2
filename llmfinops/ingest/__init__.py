"""Ingest: detect a file's format, read it into DuckDB, normalise, quarantine bad rows, load what is new."""
