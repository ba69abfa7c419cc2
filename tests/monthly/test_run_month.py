"""run-month, close, reopen, adjustments of closed months, and runs: the monthly chargeback run (issue 9)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner, Result

from llmfinops.cli import app
from tests.builders import litellm_row, write_litellm_json
from tests.reconcile import scenario

CONFIG = """\
currency: USD
cost_centers:
  - {code: "CC-A", name: A, monthly_budget: "5000"}
rules:
  - cost_center: "CC-A"
    match: {provider: openai}
run_month:
  max_unpriced_percent: "60"
"""


def _invoke(*args: object) -> Result:
    result = CliRunner().invoke(app, [str(arg) for arg in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture
def small_workspace(tmp_path: Path) -> Path:
    """The reconciliation scenario (October: gateway, OpenAI usage report, invoice) waiting in the inbox."""
    root = tmp_path / "ws"
    assert _invoke("init", root).exit_code == 0
    (root / "finops.yaml").write_text(CONFIG, encoding="utf-8")
    scenario.write_gateway(root / "inbox" / "gateway.csv")
    scenario.write_provider_usage(root / "inbox" / "openai_usage.json")
    scenario.write_invoice(root / "inbox" / "invoice.csv")
    return root


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_run_month_ingests_the_inbox_writes_every_report_and_a_second_run_changes_nothing(
    small_workspace: Path,
) -> None:
    first = _invoke("-w", small_workspace, "run-month", "--month", "2026-10")
    # the scenario's OpenAI usage variance (2.79 %) is outside the 2 % tolerance: a failed check, exit 3
    assert first.exit_code == 3, first.output
    assert "Inbox: 3 new file(s) ingested" in first.stdout
    assert "CHECK FAILED: reconciliation: openai usage variance +2.79% is outside ±2%" in first.stdout
    reports = small_workspace / "reports" / "2026-10"
    written = _files(reports)
    assert set(written) == {
        f"{name}.{extension}"
        for name, extensions in {
            "chargeback": ("txt", "md", "html", "xlsx", "csv", "json"),
            "showback": ("txt", "md", "html", "xlsx", "csv", "json"),
            "reconciliation": ("txt", "md", "xlsx", "json"),
        }.items()
        for extension in extensions
    } | {"manifest.json"}
    chargeback = json.loads(written["chargeback.json"])
    assert Decimal(chargeback["total_chargeback"]) == scenario.EXPECTED["invoiced_total"]
    manifest = json.loads(written["manifest.json"])
    assert sorted(file["name"] for file in manifest["files"]) == ["gateway.csv", "invoice.csv", "openai_usage.json"]

    second = _invoke("-w", small_workspace, "run-month", "--month", "2026-10")
    assert "Inbox: 0 new file(s) ingested, 3 already ingested" in second.stdout
    assert _files(reports) == written  # byte-identical


def test_close_freezes_the_month_and_late_data_is_an_adjustment_of_the_next_open_month(
    small_workspace: Path, tmp_path: Path
) -> None:
    _invoke("-w", small_workspace, "run-month", "--month", "2026-10")
    closed = _invoke("-w", small_workspace, "close", "--month", "2026-10")
    assert closed.exit_code == 3  # the same failed check, reported at close too
    assert "Closed 2026-10" in closed.stdout
    before = _invoke("-w", small_workspace, "report", "chargeback", "--month", "2026-10", "--format", "json").stdout

    # a late LiteLLM export for October: two gpt-4o requests of 4M prompt and 1M completion tokens, 20.00 each
    late = write_litellm_json(
        tmp_path / "late_spend_logs.json",
        [
            litellm_row(
                number,
                request_id=f"late-{number}",
                model="gpt-4o-2024-08-06",
                prompt_tokens=4_000_000,
                completion_tokens=1_000_000,
                total_tokens=5_000_000,
                startTime=f"2026-10-2{number} 10:00:00",
                endTime=f"2026-10-2{number} 10:00:05",
                metadata={
                    "status": "success",
                    "usage_object": {"prompt_tokens": 4_000_000, "completion_tokens": 1_000_000},
                },
            )
            for number in (1, 2)
        ],
    )
    assert _invoke("-w", small_workspace, "ingest", late).exit_code == 0

    after = _invoke("-w", small_workspace, "report", "chargeback", "--month", "2026-10", "--format", "json")
    assert after.stdout == before  # the closed month never changes
    assert "2026-10 is closed" in after.stderr
    refused = _invoke("-w", small_workspace, "allocate", "--month", "2026-10")
    assert refused.exit_code == 2
    assert "2026-10 is closed" in refused.stderr

    november = _invoke("-w", small_workspace, "run-month", "--month", "2026-11")
    assert november.exit_code == 0, november.output
    report = json.loads((small_workspace / "reports" / "2026-11" / "chargeback.json").read_text(encoding="utf-8"))
    lines = {line["cost_center"]: line for line in report["lines"]}
    # October's invoice is fixed, so with the default true-up (unallocated) the late usage moves 40.00 from the
    # unallocated true-up to CC-A: +40.00 for CC-A, -40.00 for unallocated, and nothing else changes
    assert Decimal(lines["CC-A"]["adjustments"]) == Decimal("40.00")
    assert Decimal(lines["unallocated"]["adjustments"]) == Decimal("-40.00")
    assert "Adjustments: late data and corrections of closed months (2026-10)" in report["basis_note"]


def test_reopen_is_explicit_recorded_and_ordered(small_workspace: Path) -> None:
    _invoke("-w", small_workspace, "run-month", "--month", "2026-10")
    _invoke("-w", small_workspace, "close", "--month", "2026-10")
    assert _invoke("-w", small_workspace, "close", "--month", "2026-10").exit_code == 2  # closed already
    assert _invoke("-w", small_workspace, "close", "--month", "2026-09").exit_code == 2  # a later month is closed
    assert _invoke("-w", small_workspace, "reopen", "--month", "2026-09").exit_code == 2  # not closed
    assert _invoke("-w", small_workspace, "reopen", "--month", "2026-10").exit_code == 0
    assert _invoke("-w", small_workspace, "allocate", "--month", "2026-10").exit_code == 0

    runs = json.loads(_invoke("-w", small_workspace, "runs", "--format", "json").stdout)
    assert [run["command"] for run in runs][:3] == ["allocate", "reopen", "close"]
    close = next(run for run in runs if run["command"] == "close" and run["outcome"] == "ok")
    assert close["config_hash"] and close["inputs"]["pricing_hash"]
    assert {file["name"] for file in close["inputs"]["files"]} == {"gateway.csv", "openai_usage.json", "invoice.csv"}
    shown = json.loads(_invoke("-w", small_workspace, "runs", "show", close["run_id"]).stdout)
    assert shown == json.loads(json.dumps(close))
    assert _invoke("-w", small_workspace, "runs", "show", 9999).exit_code == 2


KILL_POINTS_SECONDS = (0.4, 0.9, 1.6)  # the full 20 random points: scripts/kill_run_month.py


def test_a_run_killed_at_any_point_leaves_a_database_the_next_run_completes_on(
    small_workspace: Path, tmp_path: Path
) -> None:
    reference = tmp_path / "reference"
    os.system(f"cp -r {small_workspace} {reference}")
    _invoke("-w", reference, "run-month", "--month", "2026-10")
    expected = _files(reference / "reports" / "2026-10")
    command = [sys.executable, "-m", "llmfinops", "-w", str(small_workspace), "run-month", "--month", "2026-10"]
    for delay in KILL_POINTS_SECONDS:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
    final = subprocess.run(command, capture_output=True, text=True, check=False)
    assert final.returncode == 3, final.stderr  # completes, with the scenario's planted failed check
    assert _files(small_workspace / "reports" / "2026-10") == {name: content for name, content in expected.items()}


def test_export_parquet_writes_hive_partitions_that_duckdb_reads_back_exactly(small_workspace: Path) -> None:
    assert _invoke("-w", small_workspace, "export", "parquet", "--month", "2026-10").exit_code == 2  # nothing yet
    _invoke("-w", small_workspace, "run-month", "--month", "2026-10")
    for _ in range(2):  # a second export replaces the month's partitions, never adds to them
        result = _invoke("-w", small_workspace, "export", "parquet", "--month", "2026-10")
        assert result.exit_code == 0, result.output
    exports = small_workspace / "exports"
    assert sorted(str(path.relative_to(exports)) for path in exports.rglob("*.parquet")) == [
        "allocation/month=2026-10/data_0.parquet",
        "usage/month=2026-10/provider=openai/data_0.parquet",
    ]
    connection = duckdb.connect()
    charged, money_type = connection.execute(
        f"""
        SELECT sum(chargeback_cost), typeof(any_value(chargeback_cost))
        FROM read_parquet('{exports}/allocation/*/*.parquet', hive_partitioning = true) WHERE month = '2026-10'
        """
    ).fetchone()
    assert (charged, money_type) == (scenario.EXPECTED["invoiced_total"], "DECIMAL(38,2)")
    usage_files = f"{exports}/usage/*/*/*.parquet"
    rows, estimated = connection.execute(
        f"SELECT count(*), sum(estimated_cost) FROM read_parquet('{usage_files}', hive_partitioning = true)"
    ).fetchone()
    assert rows == 20  # ten days of gpt-4o and of the unpriced model, gateway rows (the month's basis)
    assert estimated == scenario.EXPECTED["gateway_estimate"]
