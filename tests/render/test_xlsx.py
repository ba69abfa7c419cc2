"""Excel workbooks, compared by cells, number formats and formulas (not bytes): sheets, frozen bold headers,
amounts as exact numbers, `=SUM` totals, the formula guard and identical bytes on every run."""

from __future__ import annotations

import dataclasses
import io
import re
import time
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from llmfinops.render.xlsx import render_chargeback_xlsx, render_showback_xlsx
from tests.render.records import CHARGEBACK, SHOWBACK


def _sheets(workbook_bytes: bytes) -> dict[str, Worksheet]:
    workbook = load_workbook(io.BytesIO(workbook_bytes))
    return {sheet.title: sheet for sheet in workbook.worksheets}


def _row(sheet: Worksheet, row: int) -> list[object]:
    return [cell.value for cell in sheet[row]]


def test_chargeback_workbook_cells_formats_and_formulas() -> None:
    sheets = _sheets(render_chargeback_xlsx(CHARGEBACK))
    sheet = sheets["Chargeback"]

    assert list(sheets) == ["Chargeback", "Providers", "Findings", "Drill-down", "Data", "Unpriced", "Notes"]
    assert len(sheet._charts) == 1  # chargeback by cost center
    assert _row(sheet, 1) == [
        "Department",
        "Code",
        "Owner",
        "Monthly budget",
        "Actual",
        "Variance",
        "Used",
        "Reached",
        "Shared",
        "Seats",
        "Invoice true-up",
        "Adjustments",
        "Chargeback",
        "Unpriced requests",
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N5"
    assert _row(sheet, 2)[:3] == ["Engineering", "CC-ENG", "eng@corp.example"]
    # openpyxl reads numbers back as float or int; str() of those is the shortest exact decimal for cent amounts.
    assert [Decimal(str(value)) for value in _row(sheet, 2)[3:6]] == [
        Decimal("12000.00"),
        Decimal("13456.78"),
        Decimal("-1456.78"),
    ]
    assert Decimal(str(sheet["E3"].value)) == Decimal("1234567.89")
    assert sheet["D3"].value is None  # no budget: an empty cell, not zero
    assert {sheet.cell(row=2, column=column).number_format for column in (4, 5, 6, 9, 10, 11, 12, 13)} == {"#,##0.00"}
    assert (sheet["G2"].number_format, Decimal(str(sheet["G2"].value))) == ("0.0%", Decimal("1.121"))
    assert sheet["N2"].number_format == "#,##0"
    assert _row(sheet, 6) == [None] * 14
    assert _row(sheet, 7) == [
        "Total",
        None,
        None,
        "=SUM(D2:D5)",
        "=SUM(E2:E5)",
        None,
        None,
        None,
        "=SUM(I2:I5)",
        "=SUM(J2:J5)",
        "=SUM(K2:K5)",
        "=SUM(L2:L5)",
        "=SUM(M2:M5)",
        "=SUM(N2:N5)",
    ]
    assert sheet["M7"].number_format == "#,##0.00"
    assert sheet["M7"].font.bold
    assert Decimal(str(sheet["K5"].value)) == Decimal("94.95")  # the unallocated line's invoice true-up
    assert Decimal(str(sheet["L3"].value)) == Decimal("-12.34")  # a correction of a closed month
    assert sheet.column_dimensions["A"].width == len("<script>alert(1)</script>") + 2  # longest name, padded
    assert all(
        sheet.column_dimensions[letter].width >= len(header)
        for letter, header in zip("ABCDEFGHIJKLMN", _row(sheet, 1), strict=True)
    )
    assert _row(sheets["Unpriced"], 2) == [
        "mistral",
        "mistral-large-latest",
        12,
        34567,
        "no price for mistral/mistral-large-latest",
    ]
    assert ["Basis", "invoice and estimate"] in [_row(sheets["Notes"], row) for row in range(2, 8)]


def test_amounts_are_written_exactly_as_the_report_has_them() -> None:
    with zipfile.ZipFile(io.BytesIO(render_chargeback_xlsx(CHARGEBACK))) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")

    written = dict(re.findall(r'<c r="([A-Z]+[0-9]+)" s="\d+" t="n"><v>([^<]+)</v>', sheet_xml))
    assert Decimal(written["E3"]) == Decimal("1234567.89")
    assert Decimal(written["M2"]) == Decimal("14991.34")
    assert Decimal(written["I4"]) == Decimal("0.10")


def test_showback_workbook_sheets_and_totals() -> None:
    sheets = _sheets(render_showback_xlsx(SHOWBACK))

    assert list(sheets) == ["By cost center", "By model", "By dimension", "Daily", "Unpriced", "Notes"]
    centers, models = sheets["By cost center"], sheets["By model"]
    assert centers.freeze_panes == models.freeze_panes == "A2"
    assert _row(centers, 2)[:5] == ["Engineering", "CC-ENG", 120345, 17, 98765432]
    assert Decimal(str(centers["I5"].value)) == Decimal("1234567.89")
    assert centers["I5"].number_format == "#,##0.00"
    assert _row(centers, 7)[8] == "=SUM(I2:I5)"
    assert models["H4"].value is None  # an unpriced model's estimate is blank, never 0
    assert _row(models, 7) == ["Total", None, *[f"=SUM({letter}2:{letter}5)" for letter in "CDEFGH"]]


def test_a_month_without_usage_has_no_totals_row_on_empty_sheets() -> None:
    report = dataclasses.replace(SHOWBACK, models=(), unpriced=())

    models = _sheets(render_showback_xlsx(report))["By model"]

    assert models.max_row == 1
    assert models.freeze_panes == "A2"


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+1+2", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"])
def test_text_that_looks_like_a_formula_stays_text(text: str) -> None:
    line = dataclasses.replace(CHARGEBACK.lines[0], name=text, owner=text)
    report = dataclasses.replace(CHARGEBACK, lines=(line,))

    sheet = _sheets(render_chargeback_xlsx(report))["Chargeback"]

    for cell in (sheet["A2"], sheet["C2"]):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert sheet["B2"].quotePrefix is False


def test_control_characters_are_replaced_not_fatal() -> None:
    line = dataclasses.replace(CHARGEBACK.lines[0], name="bell\x07here")
    report = dataclasses.replace(CHARGEBACK, lines=(line,))

    sheet = _sheets(render_chargeback_xlsx(report))["Chargeback"]

    assert sheet["A2"].value == "bell\ufffdhere"


@pytest.mark.parametrize(
    ("render", "report"),
    [(render_chargeback_xlsx, CHARGEBACK), (render_showback_xlsx, SHOWBACK)],
    ids=["chargeback", "showback"],
)
def test_two_renders_give_identical_bytes(render, report, monkeypatch: pytest.MonkeyPatch) -> None:
    first = render(report)
    # A day later by the clock: zip entry times and document properties must not follow it.
    later = time.time() + 86_400
    monkeypatch.setattr(time, "time", lambda: later)
    second = render(report)

    assert first == second
    properties = load_workbook(io.BytesIO(first)).properties
    assert properties.created == properties.modified == datetime(2026, 10, 1)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(2026, 10, 1, 0, 0, 0)}
