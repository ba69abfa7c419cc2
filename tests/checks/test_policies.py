"""Governance policies: each one just below, at and just above its threshold; malformed policies fail with file,
line and reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.checks.evaluate import CheckReport, evaluate_policies
from llmfinops.config import load_config
from llmfinops.errors import ConfigError
from llmfinops.ingest.load import ingest_files
from llmfinops.periods import parse_month
from llmfinops.store import open_store
from llmfinops.workspace import Workspace

BASE = """\
currency: USD
cost_centers:
  - {code: "CC-A", name: A, owner: a@corp.example, monthly_budget: "100.00"}
  - {code: "CC-B", name: B}
use_cases:
  - {name: bot, owner: bot@corp.example, cost_center: "CC-A", key_aliases: [bot-key]}
rules:
  - cost_center: "CC-B"
    match: {key_alias: "b-*"}
"""
#: gpt-4o uncached input is 2.50 per million tokens: 400,000 tokens cost exactly 1.00
TOKENS_PER_DOLLAR = 400_000


def _report(
    make_workspace: Callable[..., Workspace], tmp_path: Path, policies: str, spend: list[tuple[date, str, str]]
) -> CheckReport:
    """Spend as (day, key alias, amount in dollars) rows of gpt-4o input tokens, checked for October 2026."""
    workspace = make_workspace(BASE + policies)
    lines = ["request_id,ts,provider,model,input_tokens,output_tokens,api_key_alias"]
    for number, (day, key, amount) in enumerate(spend):
        tokens = int(Decimal(amount) * TOKENS_PER_DOLLAR)
        lines.append(f"r{number},{day.isoformat()}T12:00:00Z,openai,gpt-4o,{tokens},0,{key}")
    (tmp_path / "spend.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    database = open_store(workspace)
    with database:
        ingest_files(database, [tmp_path / "spend.csv"])
        return evaluate_policies(database, load_config(workspace.config_path), parse_month("2026-10"))


def _policies(report: CheckReport, policy: str) -> list[tuple[str, str]]:
    return [(finding.severity, finding.subject) for finding in report.findings if finding.policy == policy]


OCT = date(2026, 10, 10)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("79.99", [("info", "A (CC-A)")]),
        ("80.00", [("warning", "A (CC-A)")]),
        ("80.01", [("warning", "A (CC-A)")]),
        ("99.99", [("warning", "A (CC-A)")]),
        ("100.00", [("critical", "A (CC-A)")]),
    ],
)
def test_budget_thresholds(make_workspace, tmp_path: Path, amount: str, expected: list) -> None:
    report = _report(make_workspace, tmp_path, "", [(OCT, "bot-key", amount)])
    assert _policies(report, "budget") == expected
    assert report.budgets[0].thresholds[-1].crossed_on == (OCT if amount == "100.00" else None)


@pytest.mark.parametrize(("amount", "found"), [("99.99", False), ("100.00", False), ("100.01", True)])
def test_approval_threshold(make_workspace, tmp_path: Path, amount: str, found: bool) -> None:
    report = _report(make_workspace, tmp_path, 'policies:\n  approval_above: "100.00"\n', [(OCT, "bot-key", amount)])
    assert _policies(report, "approval") == ([("warning", "use case bot")] if found else [])


def test_an_approved_use_case_is_not_flagged(make_workspace, tmp_path: Path) -> None:
    config = 'policies:\n  approval_above: "100.00"\n'
    workspace_config = BASE.replace("key_aliases: [bot-key]}", "key_aliases: [bot-key], approved: true}")
    report = _report(lambda text: make_workspace(workspace_config + config), tmp_path, "", [(OCT, "bot-key", "150.00")])
    assert _policies(report, "approval") == []


@pytest.mark.parametrize(("amount", "found"), [("29.99", False), ("30.00", False), ("30.01", True)])
def test_spike_rule(make_workspace, tmp_path: Path, amount: str, found: bool) -> None:
    # ten dollars a day for a week, then the day under test: the trailing average is 10.00, the limit 3 x 10.00
    history = [(OCT - timedelta(days=offset), "b-key", "10.00") for offset in range(1, 8)]
    spikes = 'policies:\n  spikes: {factor: "3", trailing_days: 7, min_daily_cost: "5.00"}\n'
    report = _report(make_workspace, tmp_path, spikes, [*history, (OCT, "b-key", amount)])
    expected = [("critical", "cost center CC-B"), ("critical", "key b-key")] if found else []
    assert sorted(_policies(report, "spike"), key=lambda item: item[1]) == expected
    if found:
        finding = next(finding for finding in report.findings if finding.subject == "key b-key")
        assert finding.message == f"2026-10-10: spent {amount}, 3.0x the 7-day average of 10.00"
        assert finding.causes == (f"model gpt-4o: +{Decimal(amount) - 10:.2f} over its daily average",)


@pytest.mark.parametrize(("amount", "found"), [("49.99", False), ("50.00", True), ("50.01", True)])
def test_spike_rule_ignores_days_below_the_minimum(make_workspace, tmp_path: Path, amount: str, found: bool) -> None:
    spikes = 'policies:\n  spikes: {factor: "3", trailing_days: 7, min_daily_cost: "50.00"}\n'
    history = [(OCT - timedelta(days=offset), "b-key", "1.00") for offset in range(1, 8)]
    report = _report(make_workspace, tmp_path, spikes, [*history, (OCT, "b-key", amount)])
    assert bool(_policies(report, "spike")) is found


@pytest.mark.parametrize(("amount", "found"), [("49.99", False), ("50.00", False), ("50.01", True)])
def test_key_cap(make_workspace, tmp_path: Path, amount: str, found: bool) -> None:
    caps = 'policies:\n  key_caps: [{keys: "b-*", monthly_cap: "50.00"}]\n'
    report = _report(make_workspace, tmp_path, caps, [(OCT, "b-sandbox", amount)])
    assert _policies(report, "key_cap") == ([("critical", "key b-sandbox")] if found else [])


def test_premium_models_only_for_allowed_cost_centers(make_workspace, tmp_path: Path) -> None:
    premium = 'policies:\n  premium: {models: ["gpt-4*"], allowed: ["CC-A"]}\n'
    report = _report(make_workspace, tmp_path, premium, [(OCT, "bot-key", "5.00"), (OCT, "b-key", "7.00")])
    assert _policies(report, "premium") == [("warning", "B (CC-B)")]
    (finding,) = [finding for finding in report.findings if finding.policy == "premium"]
    assert finding.message == "used premium models without access: 1 requests, 7.00"


def test_registration_flags_keys_outside_every_use_case(make_workspace, tmp_path: Path) -> None:
    report = _report(
        make_workspace,
        tmp_path,
        "policies:\n  registration: required\n",
        [(OCT, "bot-key", "5.00"), (OCT, "b-key", "7.00")],
    )
    assert _policies(report, "registration") == [("warning", "key b-key")]


@pytest.mark.parametrize(
    ("policies", "line", "message"),
    [
        (
            'policies:\n  premium: {models: [o3], allowed: ["CC-X"]}\n',
            11,
            "premium.allowed: 'CC-X' is not a cost center code.",
        ),
        (
            'policies:\n  key_caps: [{keys: {regex: "sandbox-("}, monthly_cap: "5"}]\n',
            11,
            "keys: regex 'sandbox-(' is not valid",
        ),
        ('policies:\n  spikes: {factor: "0.5"}\n', 11, "spikes.factor: 0.5 is not above 1."),
        ("policies:\n  budget_alerts: [50]\n", 11, "policies.budget_alerts: unknown policy."),
    ],
)
def test_malformed_policies_name_file_line_and_reason(make_workspace, policies: str, line: int, message: str) -> None:
    workspace = make_workspace(BASE + policies)
    with pytest.raises(ConfigError) as raised:
        load_config(workspace.config_path)
    assert f"finops.yaml:{line}" in str(raised.value)
    assert message in str(raised.value)


def test_an_alert_threshold_above_100_or_a_fraction_is_refused(make_workspace) -> None:
    for thresholds in ("[50, 80, 150]", "[0.5, 0.8]"):
        workspace = make_workspace(
            BASE.replace('monthly_budget: "100.00"}', f'monthly_budget: "100.00", alert_thresholds: {thresholds}}}')
        )
        with pytest.raises(
            ConfigError, match="alert_thresholds: a list of whole percentages of the budget from 1 to 100"
        ):
            load_config(workspace.config_path)
