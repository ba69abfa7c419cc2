"""Chargeback is the invoice distributed: per invoiced provider the cost centers' chargeback adds up to the invoice
to the cent, and the difference from the estimate goes where finops.yaml's true_up says."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.allocate.compute import allocate_month
from llmfinops.config import load_config
from llmfinops.ingest.load import ingest_files
from llmfinops.periods import parse_month
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.reconcile import scenario

CONFIG = """\
currency: USD
cost_centers:
  - {code: "CC-A", name: A}
  - {code: "CC-B", name: B}
rules:
  - cost_center: "CC-A"
    match: {model: "gpt-4o"}
  - cost_center: "CC-B"
    match: {model: "gpt-mystery-*"}
"""
INVOICE_TOTAL = scenario.EXPECTED["invoiced_total"]  # 4,227.88
ESTIMATE = scenario.EXPECTED["gateway_estimate"]  # 4,000.00: all of it gpt-4o, so CC-A; the mystery model is unpriced


def _allocate(make_workspace: Callable[..., Workspace], tmp_path: Path, true_up: str, *, invoice: bool = True):
    workspace = make_workspace(CONFIG + true_up)
    files = [scenario.write_gateway(tmp_path / "g.csv")]
    if invoice:
        files.append(scenario.write_invoice(tmp_path / "i.csv"))
    database = open_store(workspace)
    with database:
        ingest_files(database, files)
        return allocate_month(database, load_config(workspace.config_path), parse_month("2026-10"))


def _charged(allocation, category: str | None = None) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in allocation.lines:
        if category is None or line.category == category:
            totals[line.cost_center] = totals.get(line.cost_center, Decimal(0)) + line.chargeback_cost
    return totals


@pytest.mark.parametrize(
    ("true_up", "expected_true_up"),
    [
        ("", {"unallocated": INVOICE_TOTAL - ESTIMATE}),
        ("true_up: unallocated\n", {"unallocated": INVOICE_TOTAL - ESTIMATE}),
        ('true_up: {to: "CC-B"}\n', {"CC-B": INVOICE_TOTAL - ESTIMATE}),
        # in proportion to what each cost center was allocated: CC-A holds the whole estimate
        ("true_up: proportional\n", {"CC-A": INVOICE_TOTAL - ESTIMATE}),
    ],
)
def test_the_invoice_is_distributed_and_the_difference_follows_the_policy(
    make_workspace: Callable[..., Workspace], tmp_path: Path, true_up: str, expected_true_up: dict[str, Decimal]
) -> None:
    allocation = _allocate(make_workspace, tmp_path, true_up)

    assert allocation.invoiced == {"openai": INVOICE_TOTAL}
    assert sum(_charged(allocation).values()) == INVOICE_TOTAL
    assert _charged(allocation, "direct") == {"CC-A": ESTIMATE, "CC-B": Decimal("0.00")}
    assert _charged(allocation, "true_up") == expected_true_up
    assert {line.provider: allocation.basis_of(line.provider) for line in allocation.lines} == {"openai": "invoice"}


def test_without_an_invoice_the_chargeback_is_the_estimate(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    allocation = _allocate(make_workspace, tmp_path, "true_up: proportional\n", invoice=False)

    assert allocation.invoiced == {}
    assert sum(_charged(allocation).values()) == ESTIMATE
    assert _charged(allocation, "true_up") == {}
    assert allocation.basis_of("openai") == "estimate"
