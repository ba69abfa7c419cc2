"""Excel workbooks of the reports for finance to file, audit and pivot: a sheet per table, amounts as numbers,
totals as `=SUM` formulas, and the same bytes on every run for the same report.

Text from user data (cost center names, owners, model names, reasons) goes through one guard, `_write_text`,
so that it can never become a formula. Amounts are written from their Decimal: Excel keeps numbers as doubles and
openpyxl writes 16 significant digits, so an amount in cents below 10^13 is stored exactly as the report has it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from llmfinops.periods import parse_month
from llmfinops.render.csvout import looks_like_formula
from llmfinops.render.table import format_money
from llmfinops.reports.build import ChargebackReport, ShowbackReport, UnpricedModel

CellKind = Literal["text", "count", "money", "percent"]
CellValue = str | int | Decimal | None

NUMBER_FORMATS: dict[CellKind, str] = {"count": "#,##0", "money": "#,##0.00", "percent": "0.0%"}
_BOLD = Font(bold=True)
_MAX_COLUMN_WIDTH = 60


@dataclass(frozen=True)
class Column:
    header: str
    kind: CellKind
    summed: bool = False


def _write_text(cell: Cell, text: str) -> None:
    """User text stays text: openpyxl would store "=..." as a formula, and Excel would turn "+1" or "@x" into
    one when the cell is edited. The value is kept as written (for audit), as a string cell with the quote prefix
    Excel itself sets when someone types a leading apostrophe."""
    # Control characters are not allowed in the file format; U+FFFD shows where one was.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if looks_like_formula(text):
        cell.data_type = "s"
        cell.quotePrefix = True


def _display_width(kind: CellKind, value: CellValue) -> int:
    if value is None:
        return 0
    if kind == "money":
        return len(format_money(value))
    if kind == "count":
        return len(f"{value:,}")
    if kind == "percent":
        return len(f"{value * 100:.1f}%")
    return len(str(value))


def write_table(workbook: Workbook, title: str, columns: Sequence[Column], rows: Sequence[Sequence[CellValue]]) -> None:
    """One table on its own sheet: a bold, frozen, filtered header in row 1 and the data from row 2."""
    sheet = workbook.create_sheet(title)
    for column_number, column in enumerate(columns, start=1):
        sheet.cell(row=1, column=column_number, value=column.header).font = _BOLD
    for row_number, values in enumerate(rows, start=2):
        for column_number, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = sheet.cell(row=row_number, column=column_number)
            if value is None:
                continue
            if column.kind == "text":
                _write_text(cell, value)
            else:
                cell.value = value
                cell.number_format = NUMBER_FORMATS[column.kind]
    last_data_row = len(rows) + 1
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last_data_row}"
    if rows and any(column.summed for column in columns):
        # One empty row between data and totals: a pivot table or filter over the data region then leaves the
        # totals out instead of counting every amount twice.
        totals_row = last_data_row + 2
        sheet.cell(row=totals_row, column=1, value="Total").font = _BOLD
        for column_number, column in enumerate(columns, start=1):
            if column.summed:
                letter = get_column_letter(column_number)
                cell = sheet.cell(
                    row=totals_row, column=column_number, value=f"=SUM({letter}2:{letter}{last_data_row})"
                )
                cell.number_format = NUMBER_FORMATS[column.kind]
                cell.font = _BOLD
    for column_number, column in enumerate(columns, start=1):
        widest = max([len(column.header), *(_display_width(column.kind, row[column_number - 1]) for row in rows)])
        sheet.column_dimensions[get_column_letter(column_number)].width = min(widest + 2, _MAX_COLUMN_WIDTH)


UNPRICED_COLUMNS = (
    Column("Provider", "text"),
    Column("Model", "text"),
    Column("Requests", "count", summed=True),
    Column("Tokens", "count", summed=True),
    Column("Why", "text"),
)


def _unpriced_rows(unpriced: Sequence[UnpricedModel]) -> list[tuple[CellValue, ...]]:
    return [(item.provider, item.model, item.requests, item.tokens, item.reason) for item in unpriced]


NOTES_COLUMNS = (Column("Field", "text"), Column("Value", "text"))


def workbook_bytes(workbook: Workbook, month_label: str, title: str) -> bytes:
    """The workbook as .xlsx bytes, stamped with the first instant of the report month instead of the clock."""
    stamp = parse_month(month_label).start
    workbook.properties.title = title
    workbook.properties.creator = "llmfinops"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    # ExcelWriter rather than Workbook.save, which sets `modified` to now.
    archive = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED)).save()
    return _with_fixed_timestamps(archive.getvalue(), stamp.timetuple()[:6])


def _with_fixed_timestamps(archive: bytes, date_time: tuple[int, ...]) -> bytes:
    """The same zip entries, each stamped `date_time`: zipfile would stamp them with the current time."""
    rewritten = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive)) as source,
        zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            target.writestr(zipfile.ZipInfo(entry.filename, date_time), source.read(entry), zipfile.ZIP_DEFLATED)
    return rewritten.getvalue()


def empty_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


CHARGEBACK_COLUMNS = (
    Column("Department", "text"),
    Column("Code", "text"),
    Column("Owner", "text"),
    Column("Monthly budget", "money", summed=True),
    Column("Actual", "money", summed=True),
    Column("Variance", "money"),
    Column("Used", "percent"),
    Column("Reached", "percent"),
    Column("Shared", "money", summed=True),
    Column("Seats", "money", summed=True),
    Column("Invoice true-up", "money", summed=True),
    Column("Adjustments", "money", summed=True),
    Column("Chargeback", "money", summed=True),
    Column("Unpriced requests", "count", summed=True),
)


def render_chargeback_xlsx(report: ChargebackReport) -> bytes:
    """Sheets Chargeback (a line per cost center, with a chart), Providers (basis and reconciliation), Findings,
    Drill-down (each cost center's usage by feature, model and provider), Data (the allocation lines the chargeback
    adds up), Unpriced and Notes (month, currency, basis, price tables hash, tolerance, sources)."""
    workbook = empty_workbook()
    rows = [
        (
            line.name,
            line.cost_center,
            line.owner,
            line.monthly_budget,
            line.actual,
            line.variance,
            None if line.utilisation_percent is None else line.utilisation_percent / 100,
            None if line.threshold_reached is None else line.threshold_reached / 100,
            line.shared,
            line.seats,
            line.true_up,
            line.adjustments,
            line.chargeback,
            line.unpriced_requests,
        )
        for line in report.lines
    ]
    write_table(workbook, "Chargeback", CHARGEBACK_COLUMNS, rows)
    sheet = workbook["Chargeback"]
    chart = BarChart()
    chart.title = f"Chargeback by cost center, {report.month}"
    chart.y_axis.title = report.currency
    chargeback_column = next(
        index for index, column in enumerate(CHARGEBACK_COLUMNS, 1) if column.header == "Chargeback"
    )
    chart.add_data(Reference(sheet, min_col=chargeback_column, min_row=1, max_row=len(rows) + 1), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(rows) + 1))
    sheet.add_chart(chart, f"A{len(rows) + 5}")
    write_table(
        workbook,
        "Providers",
        (
            Column("Provider", "text"),
            Column("Charged on", "text"),
            Column("Estimate", "money", summed=True),
            Column("Invoiced", "money", summed=True),
            Column("Reconciliation", "text"),
        ),
        [(item.provider, item.basis, item.estimate, item.invoiced_total, item.status) for item in report.providers],
    )
    write_table(
        workbook,
        "Findings",
        (
            Column("Severity", "text"),
            Column("Policy", "text"),
            Column("Who", "text"),
            Column("Owner", "text"),
            Column("What", "text"),
            Column("Caused by", "text"),
        ),
        [
            (item.severity, item.policy, item.subject, item.owner, item.message, "; ".join(item.causes))
            for item in report.findings
        ],
    )
    write_table(
        workbook,
        "Drill-down",
        (
            Column("Cost center", "text"),
            Column("By", "text"),
            Column("Name", "text"),
            Column("Requests", "count", summed=True),
            Column("Estimated", "money"),
        ),
        [
            (item.cost_center, item.dimension, item.name, item.requests, item.estimated_cost)
            for item in report.drilldown
        ],
    )
    write_table(
        workbook,
        "Data",
        (
            Column("Cost center", "text"),
            Column("Provider", "text"),
            Column("Category", "text"),
            Column("Pool / plan / month corrected", "text"),
            Column("Requests", "count", summed=True),
            Column("Allocated (exact)", "text"),
            Column("Chargeback", "money", summed=True),
        ),
        [
            (
                line.cost_center,
                line.provider,
                line.category,
                line.pool,
                line.requests,
                str(line.allocated_cost),
                line.chargeback_cost,
            )
            for line in report.allocation
        ],
    )
    write_table(workbook, "Unpriced", UNPRICED_COLUMNS, _unpriced_rows(report.unpriced))
    notes = [
        ("Report", "Chargeback"),
        ("Month", report.month),
        ("Currency", report.currency),
        ("Basis", report.basis),
        ("Basis note", report.basis_note),
        ("Allocated by rules", f"{report.allocated_percent}% of the month's usage spend (target at least 90%)"),
        ("Price tables hash", report.pricing_hash or ""),
        ("Reconciliation tolerance", "" if report.tolerance_percent is None else f"{report.tolerance_percent}%"),
        ("Sources", ", ".join(report.sources)),
    ]
    write_table(workbook, "Notes", NOTES_COLUMNS, notes)
    return workbook_bytes(workbook, report.month, f"Chargeback {report.month} ({report.currency})")


SHOWBACK_CENTER_COLUMNS = (
    Column("Cost center", "text"),
    Column("Code", "text"),
    Column("Requests", "count", summed=True),
    Column("Failed", "count", summed=True),
    Column("Input tokens", "count", summed=True),
    Column("Cache read tokens", "count", summed=True),
    Column("Cache write tokens", "count", summed=True),
    Column("Output tokens", "count", summed=True),
    Column("Estimated", "money", summed=True),
    Column("Unpriced requests", "count", summed=True),
)
SHOWBACK_MODEL_COLUMNS = (
    Column("Provider", "text"),
    Column("Model", "text"),
    Column("Requests", "count", summed=True),
    Column("Input tokens", "count", summed=True),
    Column("Cache read tokens", "count", summed=True),
    Column("Cache write tokens", "count", summed=True),
    Column("Output tokens", "count", summed=True),
    Column("Estimated", "money", summed=True),
)


def render_showback_xlsx(report: ShowbackReport) -> bytes:
    """Sheets By cost center, By model (an unpriced model's estimate left blank), By dimension (feature, user, key,
    provider, environment), Daily (with a chart), Unpriced and Notes."""
    workbook = empty_workbook()
    center_rows = [
        (
            line.name,
            line.cost_center,
            line.requests,
            line.failed_requests,
            line.input_tokens,
            line.cache_read_tokens,
            line.cache_write_tokens,
            line.output_tokens,
            line.estimated_cost,
            line.unpriced_requests,
        )
        for line in report.lines
    ]
    model_rows = [
        (
            model.provider,
            model.model,
            model.requests,
            model.input_tokens,
            model.cache_read_tokens,
            model.cache_write_tokens,
            model.output_tokens,
            model.estimated_cost,
        )
        for model in report.models
    ]
    write_table(workbook, "By cost center", SHOWBACK_CENTER_COLUMNS, center_rows)
    write_table(workbook, "By model", SHOWBACK_MODEL_COLUMNS, model_rows)
    write_table(
        workbook,
        "By dimension",
        (
            Column("By", "text"),
            Column("Name", "text"),
            Column("Requests", "count"),
            Column("Estimated", "money"),
            Column("Per request", "money"),
        ),
        [
            (row.dimension, row.name, row.requests, row.estimated_cost, row.cost_per_request)
            for row in report.dimensions
        ],
    )
    write_table(
        workbook,
        "Daily",
        (Column("Day", "text"), Column("Requests", "count", summed=True), Column("Estimated", "money", summed=True)),
        [(day.day.isoformat(), day.requests, day.estimated_cost) for day in report.daily],
    )
    if report.daily:
        daily = workbook["Daily"]
        chart = BarChart()
        chart.title = f"Estimated spend per day, {report.month}"
        chart.y_axis.title = report.currency
        chart.add_data(Reference(daily, min_col=3, min_row=1, max_row=len(report.daily) + 1), titles_from_data=True)
        chart.set_categories(Reference(daily, min_col=1, min_row=2, max_row=len(report.daily) + 1))
        daily.add_chart(chart, "E2")
    write_table(workbook, "Unpriced", UNPRICED_COLUMNS, _unpriced_rows(report.unpriced))
    notes = [
        ("Report", "Showback"),
        ("Month", report.month),
        ("Currency", report.currency),
        ("Basis", "Estimated cost (tokens x published prices): informational, not what is charged."),
        ("Cost per request", str(report.cost_per_request)),
        ("Cache hit ratio", f"{report.cache_hit_percent}% of prompt tokens read from cache"),
    ]
    write_table(workbook, "Notes", NOTES_COLUMNS, notes)
    return workbook_bytes(workbook, report.month, f"Showback {report.month} ({report.currency})")
