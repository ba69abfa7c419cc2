"""Stable JSON for reports and queries: money and other decimals as strings ("1234.56"), keys in record order."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, float):
        # Only query results can hold floats (an analyst's own arithmetic); money never does.
        return value
    return value


def render_json(value: Any) -> str:
    """A report record (or a list of row dicts) as indented JSON, ending in a newline."""
    return json.dumps(_plain(value), indent=2, ensure_ascii=False) + "\n"
