"""reconcile: estimate vs provider usage vs invoice per provider, the variance explained cause by cause."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import Result

from llmfinops.config import load_config
from llmfinops.db.connection import Database
from llmfinops.ingest.load import ingest_files
from llmfinops.periods import parse_month

# the pure core (_Bill, _explain, _UsageSums) is used directly by the property test, without a database
from llmfinops.reconcile.compute import MonthReconciliation, _Bill, _explain, _UsageSums, reconcile_month
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.reconcile import scenario

OCTOBER = parse_month("2026-10")
CENT = Decimal("0.01")


def _scenario_workspace(workspace: Workspace, tmp_path: Path, *, invoice: Path | None = None) -> Database:
    database = open_store(workspace)
    ingest_files(
        database,
        [
            scenario.write_gateway(tmp_path / "gateway.csv"),
            scenario.write_provider_usage(tmp_path / "openai_usage.json"),
            invoice or scenario.write_invoice(tmp_path / "invoice.csv"),
        ],
    )
    return database


def _reconcile(workspace: Workspace, database: Database, **options: object) -> MonthReconciliation:
    return reconcile_month(database, load_config(workspace.config_path), OCTOBER, **options)


def test_every_injected_cause_is_found_and_quantified_to_the_cent(workspace: Workspace, tmp_path: Path) -> None:
    database = _scenario_workspace(workspace, tmp_path)
    with database:
        (openai,) = _reconcile(workspace, database).providers

    assert openai.provider == "openai"
    assert openai.basis == "gateway"
    assert openai.gateway_estimate.quantize(CENT) == scenario.EXPECTED["gateway_estimate"]
    assert openai.provider_usage_estimate.quantize(CENT) == scenario.EXPECTED["provider_usage_estimate"]
    assert openai.invoiced_total == scenario.EXPECTED["invoiced_total"]
    assert openai.variance.quantize(CENT) == scenario.EXPECTED["variance"]
    causes = {cause.cause: cause.amount.quantize(CENT) for cause in openai.causes}
    for cause in ("missing_traffic", "tokens_input", "tokens_cache_read", "unpriced_usage", "credits", "taxes"):
        assert abs(causes[cause] - scenario.EXPECTED[cause]) <= CENT, cause
    # the causes add up to the variance, and what they leave is shown and small
    assert sum(cause.amount for cause in openai.causes) == openai.variance
    residual = next(cause for cause in openai.causes if cause.cause == "residual")
    assert abs(residual.amount) <= openai.invoiced_total * Decimal("0.005")
    assert openai.causes[-1].cause == "residual"
    # largest first
    amounts = [abs(cause.amount) for cause in openai.causes[:-1]]
    assert amounts == sorted(amounts, reverse=True)
    # 227.88 of 4,227.88 is 5.39 % of the total; the tolerance judges usage: 4,114.70 billed against the
    # 4,000.00 estimate is 114.70, 2.79 % of invoiced usage, outside the default 2 %
    assert openai.variance_percent == Decimal("5.39")
    assert openai.usage_variance.quantize(CENT) == Decimal("114.70")
    assert openai.usage_variance_percent == Decimal("2.79")
    assert openai.status == "outside"
    # the gateway's coverage of the provider's usage, day by day
    assert len(openai.coverage) == scenario.DAYS
    assert openai.coverage[0].coverage_percent == Decimal("100.2")


def test_tolerance_decides_the_status(workspace: Workspace, tmp_path: Path) -> None:
    database = _scenario_workspace(workspace, tmp_path)
    with database:
        assert _reconcile(workspace, database, tolerance_percent=Decimal("2.79")).providers[0].status == "within"
        assert _reconcile(workspace, database, tolerance_percent=Decimal("2.78")).providers[0].status == "outside"


def test_an_invoice_in_another_currency_is_converted_with_the_workspace_rate_or_not_compared(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    # 1 EUR = 1.25 USD: the EUR invoice carries 0.8 of each USD amount
    without_rate = make_workspace(name="no_rate")
    invoice = scenario.write_invoice(tmp_path / "invoice_eur.csv", currency="EUR", scale=Decimal("0.8"))
    database = _scenario_workspace(without_rate, tmp_path, invoice=invoice)
    with database:
        (openai,) = _reconcile(without_rate, database).providers
    assert openai.status == "no rate"
    assert openai.variance is None
    assert "no exchange rate for EUR into USD" in openai.warnings[0]

    with_rate = make_workspace(
        'currency: USD\nexchange_rates:\n  - {currency: EUR, rate: "1.25", effective_from: 2026-09-01}\n',
        name="with_rate",
    )
    database = _scenario_workspace(with_rate, tmp_path, invoice=invoice)
    with database:
        (openai,) = _reconcile(with_rate, database).providers
    assert openai.invoiced_total == scenario.EXPECTED["invoiced_total"]
    assert openai.exchange_rates == ("EUR 1.25 from 2026-09-01",)


def test_without_provider_usage_the_gap_is_not_invented(workspace: Workspace, tmp_path: Path) -> None:
    database = open_store(workspace)
    with database:
        ingest_files(database, [scenario.write_gateway(tmp_path / "g.csv"), scenario.write_invoice(tmp_path / "i.csv")])
        (openai,) = _reconcile(workspace, database).providers
    kinds = {cause.cause for cause in openai.causes}
    assert "missing_traffic" not in kinds and "tokens_input" not in kinds
    assert sum(cause.amount for cause in openai.causes) == openai.variance
    # the invoice bills gpt-4o at 3,991.25 against the gateway's 4,000.00: a price difference per model
    price = next(cause for cause in openai.causes if cause.cause == "price_difference")
    assert price.amount.quantize(CENT) == Decimal("-8.75")


def test_no_bill_and_no_usage_are_reported_not_failed(workspace: Workspace, tmp_path: Path) -> None:
    lines = "provider,invoice_id,billing_period,category,description,amount,currency\n"
    lines += "anthropic,A-1,2026-10,usage,API usage,50.00,USD\n"
    database = open_store(workspace)
    with database:
        ingest_files(database, [scenario.write_gateway(tmp_path / "g.csv")])
        (tmp_path / "anthropic.csv").write_text(lines, encoding="utf-8")
        ingest_files(database, [tmp_path / "anthropic.csv"])
        result = _reconcile(workspace, database)
    assert {provider.provider: provider.status for provider in result.providers} == {
        "anthropic": "no usage",
        "openai": "no bill",
    }
    assert result.outside_tolerance == ()


@settings(max_examples=60, deadline=None)
@given(
    gateway=st.lists(st.integers(min_value=0, max_value=10**9), min_size=5, max_size=5),
    provider=st.lists(st.integers(min_value=0, max_value=10**9), min_size=5, max_size=5),
    requests=st.tuples(st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=10**6)),
    billed=st.decimals(min_value=-(10**6), max_value=10**7, places=2),
)
def test_causes_always_add_up_to_the_variance(
    gateway: list[int], provider: list[int], requests: tuple[int, int], billed: Decimal
) -> None:
    def sums(costs: list[int], request_count: int) -> _UsageSums:
        usage = _UsageSums()
        amounts = [Decimal(cost) / 1000 for cost in costs]
        usage.add((1, request_count, 1000, sum(amounts), None, *amounts))
        return usage

    priced = {
        ("gateway", date(2026, 10, 1), "m"): sums(gateway, requests[0]),
        ("provider", date(2026, 10, 1), "m"): sums(provider, requests[1]),
    }
    bill = _Bill("invoice", ("USD",), ())
    bill.usage = billed
    bill.usage_by_model["m"] = billed
    variance = billed - priced[("gateway", date(2026, 10, 1), "m")].estimated
    causes = _explain("gateway", priced, {}, bill, variance)
    assert sum(cause.amount for cause in causes) == variance


def _run(cli: Callable[..., Result], workspace: Workspace, *args: str) -> Result:
    return cli("-w", workspace.root, "reconcile", "--month", "2026-10", *args)


def test_cli_exit_code_json_and_stored_table(cli: Callable[..., Result], workspace: Workspace, tmp_path: Path) -> None:
    _scenario_workspace(workspace, tmp_path).close()

    outside = _run(cli, workspace, "--format", "json")
    assert outside.exit_code == 3
    document = json.loads(outside.stdout)
    assert document["month"] == "2026-10"
    (openai,) = document["providers"]
    assert openai["status"] == "outside"
    assert Decimal(openai["invoiced_total"]) == scenario.EXPECTED["invoiced_total"]
    assert [cause["cause"] for cause in openai["causes"]][-1] == "residual"
    assert "Outside tolerance: openai usage +2.79%" in outside.stderr

    within = _run(cli, workspace, "--tolerance", "3%")
    assert within.exit_code == 0, within.stderr
    assert "openai" in within.stdout and "within" in within.stdout

    stored = cli(
        "-w", workspace.root, "query", "SELECT provider, status, variance FROM reconciliation", "--format", "json"
    )
    assert json.loads(stored.stdout) == [{"provider": "openai", "status": "within", "variance": "227.880000000000"}]

    markdown = _run(cli, workspace, "--tolerance", "3", "--format", "md")
    assert "| openai | gateway | 4,000.00 |" in markdown.stdout
    assert "traffic missing from the gateway" in markdown.stdout

    workbook = tmp_path / "recon.xlsx"
    assert _run(cli, workspace, "--tolerance", "3", "--format", "xlsx", "-o", str(workbook)).exit_code == 0
    assert workbook.read_bytes()[:2] == b"PK"


def test_cli_refuses_a_bad_tolerance_and_xlsx_without_a_file(cli: Callable[..., Result], workspace: Workspace) -> None:
    bad = _run(cli, workspace, "--tolerance", "two")
    assert bad.exit_code == 2
    assert "--tolerance 'two': not a percentage." in bad.stderr
    assert _run(cli, workspace, "--format", "xlsx").exit_code == 2


@pytest.mark.parametrize("month", ["2026-13", "October"])
def test_cli_refuses_a_bad_month(cli: Callable[..., Result], workspace: Workspace, month: str) -> None:
    result = cli("-w", workspace.root, "reconcile", "--month", month)
    assert result.exit_code == 2
    assert "not a month" in result.stderr


def test_refunds_and_corrections_of_earlier_months_land_in_the_billing_month(
    workspace: Workspace, tmp_path: Path
) -> None:
    # October's invoice also refunds 50.00 of usage (a negative usage line) and corrects September by 30.00
    invoice = scenario.write_invoice(tmp_path / "invoice.csv")
    header, *lines = invoice.read_text(encoding="utf-8").splitlines()
    lines = [f"{line}," for line in lines] + [
        "openai,INV-2026-10,2026-10,usage,Refund of duplicate charges,-50.00,USD,,",
        "openai,INV-2026-10,2026-10,usage,September usage restated,30.00,USD,,true",
    ]
    invoice.write_text("\n".join([f"{header},correction", *lines]) + "\n", encoding="utf-8")
    database = _scenario_workspace(workspace, tmp_path, invoice=invoice)
    with database:
        (openai,) = _reconcile(workspace, database).providers
        september = reconcile_month(database, load_config(workspace.config_path), parse_month("2026-09"))

    assert openai.invoiced_usage == Decimal("3991.25") + Decimal("123.45") - Decimal("50.00")
    assert openai.adjustments == Decimal("30.00")  # the correction, billed in October
    assert openai.invoiced_total == scenario.EXPECTED["invoiced_total"] - Decimal("20.00")
    causes = {cause.cause: cause.amount for cause in openai.causes}
    assert causes["corrections"] == Decimal("30.00")
    assert sum(cause.amount for cause in openai.causes) == openai.variance
    assert september.providers == ()  # nothing moves into the month it corrects
