"""The Jinja2 environments of the template renderers (Markdown, HTML), loading from the bundled templates."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from llmfinops.render.table import format_money
from llmfinops.resources import templates_dir


def _count(number: int) -> str:
    return f"{number:,}"


def _percent(value: Decimal | None) -> str:
    return "" if value is None else f"{value}%"


_MARKDOWN_CELL_ESCAPES = str.maketrans({"\\": "\\\\", "|": "\\|", "<": "&lt;", "\n": " ", "\r": " "})


def _markdown_cell(text: str | None) -> str:
    """Text a Markdown table cell shows as written: a pipe or a line break would end the cell or the row, a
    trailing backslash would escape the pipe that closes the cell, and `<` would start raw HTML, which converters
    other than GitHub's pass through."""
    return "" if text is None else text.translate(_MARKDOWN_CELL_ESCAPES)


@functools.cache
def _environment(autoescape: bool) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(money=format_money, count=_count, percent=_percent, md_cell=_markdown_cell)
    return environment


def render_template(name: str, *, autoescape: bool, **context: Any) -> str:
    """Render one template of `reports/templates/`; `autoescape` is on for HTML and off for Markdown."""
    return _environment(autoescape).get_template(name).render(**context)
