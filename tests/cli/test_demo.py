"""The demo workspace from the bundled sample data (acceptance criterion 13). Built once per session."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from llmfinops.allocate.explain import EXPLAINED_COLUMNS, explain_values
from llmfinops.allocate.rules import compile_rules
from llmfinops.cli import app
from llmfinops.config import load_config
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.render.golden import assert_matches_golden

DEPARTMENTS = ("Engineering", "Marketing", "Support", "Sales", "Product", "Unallocated")


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("demo") / "acme"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    return out, result


def test_demo_prints_the_chargeback_of_every_department(demo: tuple[Path, Result]) -> None:
    out, result = demo

    assert result.exit_code == 0, result.output
    # the sample has October invoices for every provider but Mistral, whose one model has no price
    assert result.stdout.startswith("Chargeback 2026-10 (USD, basis: invoice and estimate)")
    rows = {line.split("│")[1].strip() for line in result.stdout.splitlines() if line.startswith("│")}
    assert set(DEPARTMENTS) <= rows
    assert "Total" in result.stdout
    assert f"Demo workspace: {out}" in result.stderr
    assert "litellm_spendlogs_2026-08.csv.gz: litellm_spend_logs:" in result.stderr


def test_demo_workspace_works_with_sources(demo: tuple[Path, Result]) -> None:
    out, _ = demo

    result = CliRunner().invoke(app, ["-w", str(out), "sources", "--format", "json"])

    assert result.exit_code == 0
    sources = json.loads(result.stdout)
    assert sorted((Path(source["path"]).name, source["format"]) for source in sources) == [
        ("anthropic_usage_report_2026-10.json", "anthropic_usage_api"),
        ("batch_jobs_2026-08_10.jsonl.gz", "canonical"),
        ("invoices_2026-10.csv", "invoice_lines"),
        ("litellm_spend_logs_2026-10.json.gz", "litellm_spend_logs"),
        ("litellm_spendlogs_2026-08.csv.gz", "litellm_spend_logs"),
        ("litellm_spendlogs_2026-09.csv.gz", "litellm_spend_logs"),
    ]
    for source in sources:
        assert source["rows_read"] == (
            source["rows_loaded"] + source["rows_quarantined"] + source["rows_duplicate"] + source["rows_skipped"]
        )
        assert source["rows_loaded"] > 20


def test_demo_reconciliation_finds_the_planted_bypass_traffic(demo: tuple[Path, Result]) -> None:
    """The sample's Anthropic usage report has 3 % more traffic than the gateway logged (a notebook with its own
    key), and its invoice bills it: the reconciliation finds it to the cent and fails the 2 % tolerance."""
    out, _ = demo

    result = CliRunner().invoke(app, ["-w", str(out), "reconcile", "--month", "2026-10", "--format", "json"])

    assert result.exit_code == 3
    providers = {provider["provider"]: provider for provider in json.loads(result.stdout)["providers"]}
    anthropic = providers["anthropic"]
    assert anthropic["status"] == "outside"
    gateway = json_decimal(anthropic["gateway_estimate"])
    causes = {cause["cause"]: json_decimal(cause["amount"]) for cause in anthropic["causes"]}
    assert abs(causes["missing_traffic"] - gateway * json_decimal("0.03")) <= json_decimal("0.01")
    assert abs(causes["residual"]) < json_decimal("0.01")
    # OpenAI's invoice carries a promotional credit and sales tax, itemised; its usage matches the estimate
    openai = providers["openai"]
    assert (openai["status"], openai["credits"]) == ("within", "-200.000000000000")
    assert {cause["cause"] for cause in openai["causes"]} >= {"credits", "taxes"}


def test_demo_workspace_showback_json(demo: tuple[Path, Result]) -> None:
    out, _ = demo

    result = CliRunner().invoke(app, ["-w", str(out), "report", "showback", "--month", "2026-10", "--format", "json"])

    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["month"] == "2026-10"
    assert [line["name"] for line in report["lines"]] == list(DEPARTMENTS)
    assert all(isinstance(line["estimated_cost"], str) for line in report["lines"])
    assert sum(json_decimal(line["estimated_cost"]) for line in report["lines"]) == json_decimal(
        report["total_estimated_cost"]
    )
    assert json_decimal(report["lines"][-1]["estimated_cost"]) > 0  # the team-less playground key


def json_decimal(text: str):
    from decimal import Decimal

    return Decimal(text)


def test_demo_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")

    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path)])

    assert result.exit_code == 1
    assert result.stderr == f"Error: {tmp_path}: not empty.\nGive --out a new or empty folder.\n"


def test_demo_chargeback_shows_the_pool_split_seats_and_the_allocated_share(demo: tuple[Path, Result]) -> None:
    out, _ = demo

    result = CliRunner().invoke(app, ["-w", str(out), "report", "chargeback", "--month", "2026-10", "--format", "json"])

    report = json.loads(result.stdout)
    lines = {line["name"]: line for line in report["lines"]}
    assert set(DEPARTMENTS) == set(lines)
    # The fixed platform pool is split line by line and adds up to the pool; seats are apart from tokens.
    assert sum(Decimal(line["shared"]) for line in lines.values()) == Decimal("1500.00")
    assert Decimal(lines["Engineering"]["seats"]) == 120 * Decimal("19.00")
    for line in lines.values():
        assert Decimal(line["chargeback"]) == sum(
            Decimal(line[part]) for part in ("actual", "shared", "seats", "true_up")
        )
    assert Decimal(lines["Marketing"]["variance"]) < 0  # over budget in the sample month
    assert Decimal(report["allocated_percent"]) >= 90
    assert Decimal(lines["Unallocated"]["actual"]) > 0


def test_sql_allocation_and_explain_agree_on_every_sample_request(demo: tuple[Path, Result]) -> None:
    """The rules run as one SQL CASE for reports and in Python for `allocate explain`: both must agree."""
    out, _ = demo
    workspace = Workspace(out)
    config = load_config(workspace.config_path)
    compiled = compile_rules(config.rules)
    centers = {rule.position: rule.cost_center for rule in config.rules}
    with open_store(workspace, read_only=True) as database:
        cursor = database.execute(
            f"SELECT {compiled.position_sql} AS position, ts, tags, {', '.join(EXPLAINED_COLUMNS)} "
            "FROM usage_priced WHERE ts >= TIMESTAMP '2026-10-01'",
            compiled.parameters,
        )
        names = [description[0] for description in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    assert len(rows) > 5000
    for row in rows:
        position, moment = row.pop("position"), row.pop("ts")
        expected = centers.get(position, "unallocated")
        assert explain_values(config, row, moment.date(), "row").cost_center == expected


def test_demo_chargeback_of_each_invoiced_provider_equals_its_invoice_to_the_cent(demo: tuple[Path, Result]) -> None:
    """ARCHITECTURE.md invariant 3, on the sample: per provider the cost centers' chargeback adds up to the
    invoiced total (credits and tax included), whatever the true-up policy spreads where."""
    out, _ = demo
    runner = CliRunner()
    assert runner.invoke(app, ["-w", str(out), "allocate", "--month", "2026-10"]).exit_code == 0
    query = """
        SELECT allocation.provider, sum(chargeback_cost) AS charged, any_value(invoiced.total) AS invoiced
        FROM allocation
        JOIN (SELECT provider, sum(billed_cost) AS total FROM billing
              WHERE billing_period_start = DATE '2026-10-01' GROUP BY provider) AS invoiced USING (provider)
        WHERE month = '2026-10' GROUP BY ALL ORDER BY 1
    """
    result = runner.invoke(app, ["-w", str(out), "query", query, "--format", "json"])
    rows = json.loads(result.stdout)
    assert [row["provider"] for row in rows] == ["anthropic", "bedrock", "openai", "vertex_ai"]
    for row in rows:
        assert json_decimal(row["charged"]) == json_decimal(row["invoiced"]).quantize(json_decimal("0.01")), row


def test_run_month_of_each_sample_month_writes_every_report_and_a_second_run_is_identical(
    demo: tuple[Path, Result],
) -> None:
    out, _ = demo
    runner = CliRunner()
    for month in ("2026-08", "2026-09", "2026-10"):
        first = runner.invoke(app, ["-w", str(out), "run-month", "--month", month])
        # October fails its reconciliation on purpose (the planted bypass traffic); the months without invoices
        # have nothing to reconcile
        assert first.exit_code == (3 if month == "2026-10" else 0), first.output
        assert f"Reports: {out.resolve()}/reports/{month}/" in first.stdout
        folder = out / "reports" / month
        written = {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
        assert len(written) == 17
        second = runner.invoke(app, ["-w", str(out), "run-month", "--month", month])
        assert "0 new file(s) ingested, 6 already ingested" in second.stdout
        assert {path.name: path.read_bytes() for path in sorted(folder.iterdir())} == written


def test_check_finds_the_planted_cases_and_nothing_else(demo: tuple[Path, Result]) -> None:
    out, _ = demo

    result = CliRunner().invoke(app, ["-w", str(out), "check", "--month", "2026-10", "--format", "json"])

    assert result.exit_code == 3
    findings = [(item["severity"], item["policy"], item["subject"]) for item in json.loads(result.stdout)["findings"]]
    assert findings == [
        ("critical", "budget", "Marketing (CC-2100)"),  # over budget
        ("critical", "key_cap", "key sandbox-eng-agents"),  # the sandbox key over its 100.00 cap
        ("critical", "spike", "key sandbox-eng-agents"),  # its runaway day
        ("warning", "approval", "use case email drafter"),  # over 2,000 without approval
        ("warning", "premium", "Marketing (CC-2100)"),  # premium models without access
        ("warning", "registration", "key shared-playground"),  # a key in no use case
    ]
    by_policy = {item["policy"]: item for item in json.loads(result.stdout)["findings"]}
    assert by_policy["spike"]["message"].startswith("2026-10-23: spent 400.38")
    assert by_policy["premium"]["causes"][0].startswith("model gpt-5-pro:")


def test_forecast_error_on_past_months_matches_an_independent_computation(demo: tuple[Path, Result]) -> None:
    """The run-rate forecast on day 15 of August and September against their actual spend, computed here from the
    daily totals with plain Decimals."""
    out, _ = demo
    runner = CliRunner()
    daily = json.loads(
        runner.invoke(
            app,
            [
                "-w",
                str(out),
                "query",
                "SELECT strftime(ts, '%Y-%m') AS month, day(ts) AS day, sum(estimated_cost) AS cost "
                "FROM usage_for_totals WHERE priced AND ts < '2026-10-01' GROUP BY ALL",
                "--format",
                "json",
            ],
        ).stdout
    )
    expected = {}
    for month, days_in_month in (("2026-08", 31), ("2026-09", 30)):
        rows = [row for row in daily if row["month"] == month]
        actual = sum(Decimal(row["cost"]) for row in rows).quantize(Decimal("0.01"))
        first_half = sum(Decimal(row["cost"]) for row in rows if row["day"] <= 15)
        expected[month] = ((first_half * days_in_month / 15).quantize(Decimal("0.01")), actual)
    check = json.loads(runner.invoke(app, ["-w", str(out), "check", "--month", "2026-10", "--format", "json"]).stdout)
    measured = {
        error["month"]: (Decimal(error["forecast"]), Decimal(error["actual"])) for error in check["forecast_errors"]
    }
    assert measured == expected
    human = runner.invoke(app, ["-w", str(out), "check", "--month", "2026-10"]).stdout
    assert "Its error on past months, forecast on day 15: 2026-08 " in human


SAMPLE_GOLDEN = Path(__file__).resolve().parent / "golden_sample"
SAMPLE_REPORTS = [
    (["report", "chargeback", "--month", "2026-10"], "chargeback_2026-10"),
    (["report", "showback", "--month", "2026-10"], "showback_2026-10"),
    (["report", "cfo-weekly", "--week", "2026-W43"], "cfo_weekly_2026-W43"),
    (["report", "chargeback", "--month", "2026-10", "--cost-center", "CC-1100"], "chargeback_2026-10_CC-1100"),
]


@pytest.mark.parametrize(("command", "name"), SAMPLE_REPORTS)
@pytest.mark.parametrize("output_format", ["md", "csv", "json"])
def test_sample_reports_match_their_golden_files(
    demo: tuple[Path, Result], command: list[str], name: str, output_format: str
) -> None:
    """The reports of the sample workspace, byte for byte (LLMFINOPS_UPDATE_GOLDEN=1 rewrites them for review)."""
    out, _ = demo
    result = CliRunner().invoke(app, ["-w", str(out), *command, "--format", output_format])
    assert result.exit_code == 0, result.output
    assert_matches_golden(f"{name}.{output_format}", result.stdout, SAMPLE_GOLDEN)


def test_cfo_weekly_workbook_has_every_sheet_a_chart_and_live_totals(demo: tuple[Path, Result], tmp_path: Path) -> None:
    out, _ = demo
    path = tmp_path / "cfo.xlsx"
    result = CliRunner().invoke(
        app, ["-w", str(out), "report", "cfo-weekly", "--week", "2026-W43", "--format", "xlsx", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Summary", "Movers", "Daily", "Assumptions"]
    daily = workbook["Daily"]
    assert len(daily._charts) == 1
    rows = list(daily.iter_rows(min_row=2, max_row=15, values_only=True))
    assert daily.cell(row=17, column=2).value == "=SUM(B2:B15)"
    report = json.loads(
        CliRunner()
        .invoke(app, ["-w", str(out), "report", "cfo-weekly", "--week", "2026-W43", "--format", "json"])
        .stdout
    )
    assert sum(Decimal(str(row[1])) for row in rows) == sum(Decimal(day["cost"]) for day in report["daily"])
    assert daily["B2"].number_format == "#,##0.00"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_workbooks_open_cleanly_in_libreoffice(demo: tuple[Path, Result], tmp_path: Path) -> None:
    """Converted to PDF by LibreOffice headless without errors: what a finance analyst's spreadsheet will do."""
    out, _ = demo
    runner = CliRunner()
    runner.invoke(
        app,
        [
            "-w",
            str(out),
            "report",
            "chargeback",
            "--month",
            "2026-10",
            "--format",
            "xlsx",
            "-o",
            str(tmp_path / "chargeback.xlsx"),
        ],
    )
    runner.invoke(
        app,
        [
            "-w",
            str(out),
            "report",
            "cfo-weekly",
            "--week",
            "2026-W43",
            "--format",
            "xlsx",
            "-o",
            str(tmp_path / "cfo.xlsx"),
        ],
    )
    converted = subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), "chargeback.xlsx", "cfo.xlsx"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert converted.returncode == 0, converted.stderr
    assert (tmp_path / "chargeback.pdf").stat().st_size > 10_000
    assert (tmp_path / "cfo.pdf").stat().st_size > 10_000


@pytest.mark.parametrize("week", ["2026-W54", "2026-43", "W43"])
def test_cfo_weekly_refuses_a_bad_week(demo: tuple[Path, Result], week: str) -> None:
    out, _ = demo
    result = CliRunner().invoke(app, ["-w", str(out), "report", "cfo-weekly", "--week", week])
    assert result.exit_code == 2
    assert "not an ISO week" in result.stderr


def test_cfo_weekly_of_one_cost_center_keeps_its_own_findings(demo: tuple[Path, Result]) -> None:
    out, _ = demo
    command = ["-w", str(out), "report", "cfo-weekly", "--week", "2026-W43", "--cost-center", "CC-2100"]
    report = json.loads(CliRunner().invoke(app, [*command, "--format", "json"]).stdout)
    assert report["scope"] == "cost center CC-2100 and below"
    assert [finding["subject"] for finding in report["critical_findings"]] == ["Marketing (CC-2100)"]
    assert report["anomalies"] == []  # the sandbox spike belongs to Engineering's key, not to Marketing
    assert Decimal(report["monthly_budget"]) == Decimal("8000.00")


def test_as_of_cuts_the_month_to_date(demo: tuple[Path, Result]) -> None:
    out, _ = demo
    runner = CliRunner()
    command = ["-w", str(out), "report", "chargeback", "--month", "2026-10", "--format", "json"]
    whole = json.loads(runner.invoke(app, command).stdout)
    to_date = json.loads(runner.invoke(app, [*command, "--as-of", "2026-10-15"]).stdout)
    assert to_date["basis_note"].startswith("Month to date, to 2026-10-15.")
    assert Decimal(to_date["total_actual"]) < Decimal(whole["total_actual"])
    showback = json.loads(
        runner.invoke(
            app,
            ["-w", str(out), "report", "showback", "--month", "2026-10", "--as-of", "2026-10-15", "--format", "json"],
        ).stdout
    )
    assert showback["as_of"] == "2026-10-15"
    assert max(day["day"] for day in showback["daily"]) == "2026-10-15"
    refused = runner.invoke(app, [*command, "--as-of", "2026-11-02"])
    assert refused.exit_code == 2
    assert "--as-of 2026-11-02: not a day of 2026-10." in refused.stderr
