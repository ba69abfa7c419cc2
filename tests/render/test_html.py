"""HTML reports: golden files, every value escaped, nothing loaded from elsewhere."""

from __future__ import annotations

import pytest

from llmfinops.render.html import render_chargeback_html, render_showback_html
from tests.render.golden import assert_matches_golden
from tests.render.records import CHARGEBACK, SHOWBACK


def test_chargeback_html_matches_golden() -> None:
    assert_matches_golden("chargeback.html", render_chargeback_html(CHARGEBACK))


def test_showback_html_matches_golden() -> None:
    assert_matches_golden("showback.html", render_showback_html(SHOWBACK))


@pytest.mark.parametrize(
    "rendered",
    [render_chargeback_html(CHARGEBACK), render_showback_html(SHOWBACK)],
    ids=["chargeback", "showback"],
)
def test_a_cost_center_named_like_a_script_is_escaped(rendered: str) -> None:
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in rendered
    assert "<script" not in rendered


@pytest.mark.parametrize(
    "rendered",
    [render_chargeback_html(CHARGEBACK), render_showback_html(SHOWBACK)],
    ids=["chargeback", "showback"],
)
def test_html_is_self_contained(rendered: str) -> None:
    assert rendered.startswith("<!DOCTYPE html>\n")
    assert "<style>" in rendered
    for external in ("http:", "https:", "<link", "src=", "url(", "@import"):
        assert external not in rendered
