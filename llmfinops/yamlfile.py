"""Safe YAML loading that remembers the line of every mapping, so config errors can say `file:line: field:`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from llmfinops.errors import ConfigError


class LineDict(dict[str, Any]):
    """A YAML mapping that knows the line it starts on and the line of each key."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


# libyaml's parser when PyYAML was built with it (about 10x faster on the price tables), the pure-Python one
# otherwise; either way the safe constructor, which builds no arbitrary objects.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[valid-type, misc]
    """A safe loader whose mappings are LineDicts."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        mapping[str(key)] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[str(key)] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path) -> Any:
    """Load one YAML file safely; a missing file or a syntax error becomes a ConfigError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ConfigError(f"{path}: file not found.") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text ({error.reason}).") from error
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: invalid YAML: {error.problem}.", "Fix the syntax at that line.") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: invalid YAML: {error}.") from error


def location(path: Path, mapping: Any, key: str | None = None) -> str:
    """`file:line` of a mapping (or of one of its keys), for error messages."""
    if isinstance(mapping, LineDict):
        return f"{path}:{mapping.line_of(key) if key else mapping.line}"
    return str(path)


def decimal_field(
    path: Path, mapping: LineDict, key: str, *, required: bool, max_decimals: int | None = None
) -> Decimal | None:
    """A non-negative decimal written as a quoted string or an integer; floats are refused, never rounded."""
    value = mapping.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{location(path, mapping)}: {key}: missing.", f'Add `{key}: "<decimal>"`.')
        return None
    if isinstance(value, float):
        raise ConfigError(
            f'{location(path, mapping, key)}: {key}: write it as a quoted decimal string ("{value}"), '
            "so it is never rounded through a float."
        )
    try:
        amount = Decimal(str(value))
    except InvalidOperation as error:
        raise ConfigError(f"{location(path, mapping, key)}: {key}: {value!r} is not a decimal number.") from error
    exponent = amount.as_tuple().exponent
    too_precise = max_decimals is not None and isinstance(exponent, int) and -exponent > max_decimals
    if not amount.is_finite() or amount < 0 or too_precise:
        limit = f" with at most {max_decimals} decimals" if max_decimals is not None else ""
        raise ConfigError(f"{location(path, mapping, key)}: {key}: {value!r} must be a non-negative decimal{limit}.")
    return amount


def date_field(path: Path, mapping: LineDict, key: str, *, required: bool) -> date | None:
    """A calendar date written as YYYY-MM-DD."""
    value = mapping.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{location(path, mapping)}: {key}: missing.", f'Add `{key}: "YYYY-MM-DD"`.')
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise ConfigError(f"{location(path, mapping, key)}: {key}: {value!r} is not a date (YYYY-MM-DD).") from error


def mapping_field(path: Path, value: Any, what: str, parent: Any, key: str | None) -> LineDict:
    if not isinstance(value, LineDict):
        raise ConfigError(f"{location(path, parent, key)}: {what}: expected a mapping, got {type(value).__name__}.")
    return value


def text_field(path: Path, mapping: LineDict, key: str, *, required: bool) -> str | None:
    value = mapping.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{location(path, mapping)}: {key}: missing.", f"Add `{key}:` to this entry.")
        return None
    if isinstance(value, dict | list):
        raise ConfigError(f"{location(path, mapping, key)}: {key}: expected text, got a {type(value).__name__}.")
    return str(value)


def list_field(path: Path, document: LineDict, key: str) -> list[Any]:
    section = document.get(key) or []
    if not isinstance(section, list):
        raise ConfigError(f"{location(path, document, key)}: {key}: expected a list.")
    return section
