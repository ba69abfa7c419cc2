"""`report showback|chargeback --format md|html|csv|xlsx` through the runner, on a workspace with no usage."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from llmfinops.workspace import Workspace

EMPTY_CHARGEBACK_CSV = (
    "month,currency,cost_center,name,owner,monthly_budget,actual,variance,utilisation_percent,threshold_reached,"
    "shared,seats,"
    "true_up,adjustments,chargeback,unpriced_requests\n"
    "2026-10,USD,CC-ENG,Engineering,eng@corp.example,100.00,0.00,100.00,0.0,,0.00,0.00,0.00,0.00,0.00,0\n"
    "2026-10,USD,CC-SEARCH,Search,search@corp.example,50.00,0.00,50.00,0.0,,0.00,0.00,0.00,0.00,0.00,0\n"
    "2026-10,USD,CC-BOT,Chatbot,,,0.00,,,,0.00,0.00,0.00,0.00,0.00,0\n"
    "2026-10,USD,unallocated,Unallocated,,,0.00,,,,0.00,0.00,0.00,0.00,0.00,0\n"
)
EMPTY_SHOWBACK_CSV = (
    "month,currency,cost_center,name,requests,failed_requests,input_tokens,cache_read_tokens,cache_write_tokens,"
    "output_tokens,estimated_cost,unpriced_requests\n"
    "2026-10,USD,CC-ENG,Engineering,0,0,0,0,0,0,0.00,0\n"
    "2026-10,USD,CC-SEARCH,Search,0,0,0,0,0,0,0.00,0\n"
    "2026-10,USD,CC-BOT,Chatbot,0,0,0,0,0,0,0.00,0\n"
    "2026-10,USD,unallocated,Unallocated,0,0,0,0,0,0,0.00,0\n"
)


def test_chargeback_csv_to_stdout(cli: Callable, workspace: Workspace) -> None:
    result = cli("-w", workspace.root, "report", "chargeback", "--month", "2026-10", "--format", "csv")

    assert (result.exit_code, result.stdout, result.stderr) == (0, EMPTY_CHARGEBACK_CSV, "")


def test_showback_csv_to_stdout(cli: Callable, workspace: Workspace) -> None:
    result = cli("-w", workspace.root, "report", "showback", "--month", "2026-10", "--format", "csv")

    assert (result.exit_code, result.stdout, result.stderr) == (0, EMPTY_SHOWBACK_CSV, "")


@pytest.mark.parametrize("command", ["showback", "chargeback"])
def test_markdown_to_stdout(cli: Callable, workspace: Workspace, command: str) -> None:
    result = cli("-w", workspace.root, "report", command, "--month", "2026-10", "--format", "md")

    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.startswith(f"# {command.capitalize()} 2026-10\n\n")
    assert "| Chatbot | CC-BOT |" in result.stdout


@pytest.mark.parametrize("command", ["showback", "chargeback"])
def test_html_to_stdout(cli: Callable, workspace: Workspace, command: str) -> None:
    result = cli("-w", workspace.root, "report", command, "--month", "2026-10", "--format", "html")

    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.startswith("<!DOCTYPE html>\n")
    assert f"<h1>{command.capitalize()} 2026-10</h1>" in result.stdout
    assert result.stdout.endswith("</html>\n")


@pytest.mark.parametrize(("command", "first_sheet"), [("showback", "By cost center"), ("chargeback", "Chargeback")])
def test_xlsx_to_a_file(cli: Callable, workspace: Workspace, tmp_path: Path, command: str, first_sheet: str) -> None:
    target = tmp_path / f"{command}.xlsx"

    result = cli("-w", workspace.root, "report", command, "--month", "2026-10", "--format", "xlsx", "-o", target)

    assert (result.exit_code, result.stdout, result.stderr) == (0, "", f"Wrote {target}\n")
    sheet = load_workbook(io.BytesIO(target.read_bytes())).worksheets[0]
    assert sheet.title == first_sheet
    assert [sheet.cell(row=row, column=1).value for row in range(2, 6)] == [
        "Engineering",
        "Search",
        "Chatbot",
        "Unallocated",
    ]


@pytest.mark.parametrize("command", ["showback", "chargeback"])
def test_xlsx_without_a_file_is_a_usage_error(cli: Callable, workspace: Workspace, command: str) -> None:
    result = cli("-w", workspace.root, "report", command, "--month", "2026-10", "--format", "xlsx")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: --format xlsx writes a binary file, which cannot go to stdout.\n"
        f"Give a file with -o, for example -o {command}-2026-10.xlsx.\n"
    )


def test_markdown_to_a_file(cli: Callable, workspace: Workspace, tmp_path: Path) -> None:
    target = tmp_path / "chargeback.md"

    result = cli("-w", workspace.root, "report", "chargeback", "--month", "2026-10", "--format", "md", "-o", target)
    stdout = cli("-w", workspace.root, "report", "chargeback", "--month", "2026-10", "--format", "md").stdout

    assert (result.exit_code, result.stdout, result.stderr) == (0, "", f"Wrote {target}\n")
    assert target.read_text(encoding="utf-8") == stdout
