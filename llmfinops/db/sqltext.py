"""The one place that turns names and text into SQL tokens; values always go in as bound parameters instead."""

from __future__ import annotations


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """For the few places DuckDB takes no parameter (JSON paths inside generated column lists)."""
    return "'" + text.replace("'", "''") + "'"
