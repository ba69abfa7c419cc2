"""Showback and chargeback: invariants between the report and usage_priced (acceptance criteria 4 and 8)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.config import load_config
from llmfinops.db.connection import Database
from llmfinops.ingest.load import ingest_files
from llmfinops.money import to_cents
from llmfinops.periods import parse_month
from llmfinops.reports.build import build_chargeback, build_showback
from llmfinops.workspace import Workspace
from tests.allocate.test_rules import team_row
from tests.builders import canonical_row, write_canonical_jsonl, write_litellm_csv
from tests.conftest import CASES

TEAMS = ["search", "eng-platform", "eng-data", None, "search", None]


@pytest.fixture
def month_of_usage(store: Database, tmp_path: Path) -> Database:
    """Costs with many decimals in October (and a row either side of the month)."""
    rows = [
        team_row(
            number,
            TEAMS[number % len(TEAMS)],
            ["feature:chatbot"] if number % 7 == 0 else [],
            prompt_tokens=1_000 + number * 37,
            completion_tokens=number * 13,
            startTime=f"2026-10-{1 + number % 31:02d} {number % 24:02d}:00:00",
        )
        for number in range(1, 200)
    ]
    rows.append(team_row(900, "search", startTime="2026-09-30 23:59:59.999"))
    rows.append(team_row(901, "search", startTime="2026-11-01 00:00:00"))
    write_litellm_csv(tmp_path / "october.csv", rows)
    write_canonical_jsonl(tmp_path / "unpriced.jsonl", [canonical_row(50, provider="openai", model="gpt-9-turbo")])
    ingest_files(store, [tmp_path / "october.csv", tmp_path / "unpriced.jsonl", CASES / "canonical" / "batch.jsonl"])
    return store


def test_showback_total_equals_the_sum_of_estimated_cost_for_the_month(
    month_of_usage: Database, workspace: Workspace
) -> None:
    exact = month_of_usage.scalar(
        "SELECT sum(estimated_cost) FROM usage_priced WHERE ts >= '2026-10-01' AND ts < '2026-11-01' AND priced"
    )

    report = build_showback(month_of_usage, load_config(workspace.config_path), parse_month("2026-10"))

    assert report.exact_estimated_cost == exact
    assert report.total_estimated_cost == to_cents(exact)
    assert sum((line.estimated_cost for line in report.lines), Decimal(0)) == report.total_estimated_cost
    assert report.total_requests == 199 + 1 + 2
    assert sum(line.unpriced_requests for line in report.lines) == 1


def test_chargeback_lines_sum_to_the_total_to_the_cent(month_of_usage: Database, workspace: Workspace) -> None:
    report = build_chargeback(month_of_usage, load_config(workspace.config_path), parse_month("2026-10"))

    assert [line.cost_center for line in report.lines] == ["CC-ENG", "CC-SEARCH", "CC-BOT", "unallocated"]
    assert all(line.chargeback == line.chargeback.quantize(Decimal("0.01")) for line in report.lines)
    assert sum((line.chargeback for line in report.lines), Decimal(0)) == report.total_chargeback
    assert report.total_chargeback == report.total_actual
    assert report.total_budget == Decimal("150.00")
    engineering = report.lines[0]
    assert engineering.variance == Decimal("100.00") - engineering.actual
    assert engineering.utilisation_percent == (engineering.actual * 100 / Decimal("100")).quantize(Decimal("0.1"))
    assert report.lines[2].monthly_budget is None and report.lines[2].variance is None


def test_unallocated_line_is_present_even_when_empty(store: Database, workspace: Workspace) -> None:
    report = build_chargeback(store, load_config(workspace.config_path), parse_month("2026-10"))

    assert [(line.cost_center, line.name, line.actual) for line in report.lines][-1] == (
        "unallocated",
        "Unallocated",
        Decimal("0"),
    )
    assert report.total_chargeback == 0


def test_report_json_money_fields_are_strings(cli: Callable, workspace: Workspace) -> None:
    cli("-w", workspace.root, "ingest", CASES / "litellm" / "spend_logs_api.json")

    result = cli("-w", workspace.root, "report", "chargeback", "--month", "2026-10", "--format", "json")

    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert isinstance(report["total_chargeback"], str)
    assert Decimal(report["total_chargeback"]) == Decimal(report["total_actual"])
    for line in report["lines"]:
        for field in ("actual", "chargeback"):
            assert isinstance(line[field], str)
            assert Decimal(line[field]) == Decimal(line[field]).quantize(Decimal("0.01"))
        assert line["monthly_budget"] is None or isinstance(line["monthly_budget"], str)
