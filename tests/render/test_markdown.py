"""Markdown reports: golden files, escaping of table cells, an empty month."""

from __future__ import annotations

import dataclasses

import pytest

from llmfinops.render.markdown import render_chargeback_md, render_showback_md
from tests.render.golden import assert_matches_golden
from tests.render.records import CHARGEBACK, SHOWBACK


def test_chargeback_md_matches_golden() -> None:
    assert_matches_golden("chargeback.md", render_chargeback_md(CHARGEBACK))


def test_showback_md_matches_golden() -> None:
    assert_matches_golden("showback.md", render_showback_md(SHOWBACK))


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ("R&D | Labs", "R&D \\| Labs"),
        ("ends in \\", "ends in \\\\"),
        ("two\nlines", "two lines"),
        ("<b>bold</b>", "&lt;b>bold&lt;/b>"),
    ],
)
def test_user_text_cannot_break_the_table(name: str, cell: str) -> None:
    line = dataclasses.replace(CHARGEBACK.lines[0], name=name)
    report = dataclasses.replace(CHARGEBACK, lines=(line,))

    rendered = render_chargeback_md(report)

    row = next(row for row in rendered.splitlines() if row.endswith("| 14,991.34 | 3 |"))
    assert row.startswith(f"| {cell} | CC-ENG |")


def test_showback_md_without_usage_says_so() -> None:
    report = dataclasses.replace(SHOWBACK, models=(), unpriced=())

    rendered = render_showback_md(report)

    assert "## By model\n\nNo usage in the month.\n" in rendered
    assert "Unpriced usage" not in rendered
