"""Every report file of a month, rendered: what `run-month` and `close` write to reports/YYYY-MM/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmfinops.monthly import MonthReports
from llmfinops.render.csvout import render_chargeback_csv, render_showback_csv
from llmfinops.render.html import render_chargeback_html, render_showback_html
from llmfinops.render.jsonout import render_json
from llmfinops.render.markdown import render_chargeback_md, render_showback_md
from llmfinops.render.reconciliation import (
    render_reconciliation_md,
    render_reconciliation_table,
    render_reconciliation_xlsx,
)
from llmfinops.render.table import render_chargeback_table, render_showback_table
from llmfinops.render.xlsx import render_chargeback_xlsx, render_showback_xlsx

#: The report files of a month, by file name: (which report, renderer). `.txt` is the terminal table.
REPORT_FILES: dict[str, tuple[str, Callable[[Any], str | bytes]]] = {
    "chargeback.txt": ("chargeback", render_chargeback_table),
    "chargeback.md": ("chargeback", render_chargeback_md),
    "chargeback.html": ("chargeback", render_chargeback_html),
    "chargeback.xlsx": ("chargeback", render_chargeback_xlsx),
    "chargeback.csv": ("chargeback", render_chargeback_csv),
    "chargeback.json": ("chargeback", render_json),
    "showback.txt": ("showback", render_showback_table),
    "showback.md": ("showback", render_showback_md),
    "showback.html": ("showback", render_showback_html),
    "showback.xlsx": ("showback", render_showback_xlsx),
    "showback.csv": ("showback", render_showback_csv),
    "showback.json": ("showback", render_json),
    "reconciliation.txt": ("reconciliation", render_reconciliation_table),
    "reconciliation.md": ("reconciliation", render_reconciliation_md),
    "reconciliation.xlsx": ("reconciliation", render_reconciliation_xlsx),
    "reconciliation.json": ("reconciliation", render_json),
}


def render_month_reports(reports: MonthReports) -> dict[str, bytes]:
    rendered = {}
    for file_name, (report_name, renderer) in REPORT_FILES.items():
        output = renderer(getattr(reports, report_name))
        rendered[file_name] = output if isinstance(output, bytes) else output.encode("utf-8")
    return rendered
