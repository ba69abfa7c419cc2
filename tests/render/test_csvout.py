"""CSV cells that start like a formula are neutralised; numbers are not; the reports as a row per cost center."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from llmfinops.render.csvout import render_chargeback_csv, render_csv, render_showback_csv, safe_cell
from tests.render.golden import assert_matches_golden
from tests.render.records import CHARGEBACK, SHOWBACK


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


def test_safe_cell_writes_decimals_in_fixed_point() -> None:
    assert [safe_cell(Decimal("1E+3")), safe_cell(Decimal("0E-12"))] == ["1000", "0.000000000000"]


def test_chargeback_csv_matches_golden() -> None:
    assert_matches_golden("chargeback.csv", render_chargeback_csv(CHARGEBACK))


def test_showback_csv_matches_golden() -> None:
    assert_matches_golden("showback.csv", render_showback_csv(SHOWBACK))


def test_chargeback_csv_has_a_row_per_cost_center_and_neutralised_text() -> None:
    rows = list(csv.reader(io.StringIO(render_chargeback_csv(CHARGEBACK))))

    assert [row[2] for row in rows[1:]] == [line.cost_center for line in CHARGEBACK.lines]
    assert rows[3][4] == '\'=HYPERLINK("x")'
    assert rows[2][6] == "1234567.89"
