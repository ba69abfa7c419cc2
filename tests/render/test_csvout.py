"""CSV cells that start like a formula are neutralised; numbers are not."""

from __future__ import annotations

from decimal import Decimal

import pytest

from llmfinops.render.csvout import render_csv, safe_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+cmd", "'+cmd"),
        ("-x", "'-x"),
        ("@import", "'@import"),
        ("\tTAB", "'\tTAB"),
        ("plain", "plain"),
        (None, ""),
        (Decimal("-1.50"), "-1.50"),
        (-3, "-3"),
        (True, "True"),
    ],
)
def test_safe_cell(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_render_csv() -> None:
    assert render_csv(["a", "=b"], [["x,y", Decimal("0.10")]]) == 'a,\'=b\n"x,y",0.10\n'
