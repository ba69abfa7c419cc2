"""The CFO weekly page renders user text (keys, features, models) as harmless text in every format."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from llmfinops.checks.evaluate import Finding
from llmfinops.render.cfo import render_cfo_csv, render_cfo_html, render_cfo_md, render_cfo_xlsx
from llmfinops.reports.cfo import CfoWeeklyReport, Comparison, DaySpend, Mover

HOSTILE_KEY = '=HYPERLINK("http://x","y")'
HOSTILE_FEATURE = "<script>alert(1)</script>"

REPORT = CfoWeeklyReport(
    week="2026-W43",
    week_start=date(2026, 10, 19),
    week_end=date(2026, 10, 25),
    currency="USD",
    scope="all cost centers",
    total_spend=Comparison(Decimal("120.00"), Decimal("100.00")),
    month="2026-10",
    month_to_date=Decimal("400.00"),
    monthly_budget=Decimal("1000.00"),
    prorated_budget=Decimal("741.94"),
    top_feature=HOSTILE_FEATURE,
    top_feature_spend=Comparison(Decimal("50.00"), Decimal("10.00")),
    cache_hit_rate=Comparison(Decimal("30.0"), Decimal("25.0")),
    premium_share=Comparison(Decimal("10.0"), Decimal("12.5")),
    forecast=Decimal("551.61"),
    forecast_method="linear run rate",
    forecast_error="2026-09 +1.0%",
    daily=(
        DaySpend(date(2026, 10, 19), Decimal("20.00"), False),
        DaySpend(date(2026, 10, 20), Decimal("100.00"), True),
    ),
    anomalies=(Finding("spike", "critical", f"key {HOSTILE_KEY}", None, "2026-10-20: spent 100.00", ()),),
    movers=(Mover("key", HOSTILE_KEY, Decimal("100.00"), Decimal("1.00"), f"feature {HOSTILE_FEATURE} +99.00"),),
    critical_findings=(),
)


def test_html_escapes_user_text_and_stays_self_contained() -> None:
    page = render_cfo_html(REPORT)
    assert HOSTILE_FEATURE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<svg " in page and "<script" not in page
    assert "http://x" in page and "<a " not in page  # the key's text, never a link


def test_xlsx_keeps_formula_looking_keys_as_text() -> None:
    workbook = load_workbook(io.BytesIO(render_cfo_xlsx(REPORT)))
    cell = workbook["Movers"]["B2"]
    assert cell.value == HOSTILE_KEY
    assert cell.data_type == "s"
    assert cell.quotePrefix
    assert workbook["Daily"]["B5"].value == "=SUM(B2:B3)"


def test_markdown_and_csv_carry_the_text_harmlessly() -> None:
    markdown = render_cfo_md(REPORT)
    assert "&lt;script>alert(1)&lt;/script>" in markdown
    csv_text = render_cfo_csv(REPORT)
    assert csv_text.splitlines()[0] == "week,currency,metric,this_week,last_week"
    assert "total_spend,120.00,100.00" in csv_text
