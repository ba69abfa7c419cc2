"""The pricing commands through the CLI: list, show, check, lint, import, diff and reprice."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import Result

from llmfinops.prices.tables import load_price_tables
from llmfinops.workspace import Workspace
from tests.builders import canonical_row, write_canonical_jsonl

PRICE_CASES = Path(__file__).resolve().parents[1] / "prices" / "cases"

UNKNOWN_MODEL_PRICE = """\
provider: openai
models:
  - model: gpt-9-turbo
    prices:
      - effective_from: "2026-01-01"
        input_per_mtok: "2.00"
        output_per_mtok: "8.00"
        source_url: https://example.com/gpt-9
"""


def _workspace_with_usage(make_workspace: Callable[..., Workspace], cli: Callable[..., Result], tmp_path: Path):
    workspace = make_workspace()
    rows = [
        canonical_row(1, provider="openai", model="gpt-9-turbo", input_tokens=1_000_000, output_tokens=100_000),
        canonical_row(2, input_tokens=10_000, output_tokens=1_000),
    ]
    write_canonical_jsonl(tmp_path / "usage.jsonl", rows)
    assert cli("-w", workspace.root, "ingest", tmp_path / "usage.jsonl").exit_code == 0
    return workspace


def test_check_lists_unpriced_usage_with_counts_and_exits_3(
    make_workspace: Callable[..., Workspace], cli: Callable[..., Result], tmp_path: Path
) -> None:
    workspace = _workspace_with_usage(make_workspace, cli, tmp_path)

    result = cli("-w", workspace.root, "pricing", "check", "--format", "json")

    assert result.exit_code == 3
    assert json.loads(result.stdout)["unpriced"] == [
        {
            "month": "2026-10",
            "provider": "openai",
            "model": "gpt-9-turbo",
            "requests": 1,
            "tokens": 1_100_000,
            "reason": "no price table entry for model gpt-9-turbo of provider openai",
        }
    ]


def test_after_adding_the_price_reprice_prices_it_and_reports_the_difference(
    make_workspace: Callable[..., Workspace], cli: Callable[..., Result], tmp_path: Path
) -> None:
    workspace = _workspace_with_usage(make_workspace, cli, tmp_path)
    (workspace.pricing_dir / "gpt9.yaml").write_text(UNKNOWN_MODEL_PRICE)

    stale = cli("-w", workspace.root, "pricing", "check")
    assert stale.exit_code == 3  # still unpriced: history changes only through reprice
    assert "run `llmfinops reprice --month 2026-10`" in stale.stdout

    repriced = cli("-w", workspace.root, "reprice", "--month", "2026-10", "--format", "json")
    assert repriced.exit_code == 0
    report = json.loads(repriced.stdout)
    assert report["models"] == [
        {
            "provider": "openai",
            "model": "gpt-9-turbo",
            "requests": 1,
            "estimated_before": None,
            "estimated_after": "2.800000000000",  # 1M x 2.00 + 0.1M x 8.00 per million
            "unpriced_before": 1,
            "unpriced_after": 0,
        }
    ]
    assert cli("-w", workspace.root, "pricing", "check").exit_code == 0


def test_show_finds_a_model_by_its_dated_snapshot_and_lists_every_window(
    make_workspace: Callable[..., Workspace], cli: Callable[..., Result]
) -> None:
    workspace = make_workspace()

    result = cli("-w", workspace.root, "pricing", "show", "o3-2025-04-16", "--provider", "openai", "--format", "json")

    assert result.exit_code == 0
    (o3,) = json.loads(result.stdout)
    assert (o3["provider"], o3["model"]) == ("openai", "o3")
    assert [window["rates"]["input_per_mtok"] for window in o3["windows"]][:2] == ["10.00", "2.00"]


def test_show_of_an_unknown_model_is_a_usage_error(
    make_workspace: Callable[..., Workspace], cli: Callable[..., Result]
) -> None:
    result = cli("-w", make_workspace().root, "pricing", "show", "no-such-model")

    assert result.exit_code == 2
    assert "no-such-model: no priced model of that name." in result.stderr


def test_list_shows_the_prices_in_effect_on_a_day(
    make_workspace: Callable[..., Workspace], cli: Callable[..., Result]
) -> None:
    workspace = make_workspace()

    def o3_input_price(day: str) -> str:
        result = cli("-w", workspace.root, "pricing", "list", "--provider", "openai", "--at", day, "--format", "json")
        (o3,) = [item for item in json.loads(result.stdout) if item["model"] == "o3"]
        return o3["window"]["rates"]["input_per_mtok"]

    assert (o3_input_price("2025-06-09"), o3_input_price("2025-06-10")) == ("10.00", "2.00")
    table = cli("-w", workspace.root, "pricing", "list", "--provider", "openai", "--at", "2025-06-10")
    assert table.exit_code == 0
    assert any(line.split("│")[2].strip() == "o3" for line in table.stdout.splitlines() if line.count("│") > 3)


def test_the_bundled_tables_pass_lint(make_workspace: Callable[..., Workspace], cli: Callable[..., Result]) -> None:
    result = cli("-w", make_workspace().root, "pricing", "lint", "--format", "json")

    assert result.exit_code == 0, result.stdout
    assert [finding for finding in json.loads(result.stdout) if finding["severity"] == "error"] == []


def test_import_litellm_writes_tables_that_load_lint_and_diff(
    make_workspace: Callable[..., Workspace], cli: Callable[..., Result], tmp_path: Path
) -> None:
    workspace = make_workspace()
    out = tmp_path / "reviewed"

    imported = cli(
        "-w",
        workspace.root,
        "pricing",
        "import",
        "litellm",
        PRICE_CASES / "litellm" / "model_prices_excerpt.json",
        "--out",
        out,
        "--captured",
        "2026-11-23",
    )

    assert imported.exit_code == 0, imported.stderr
    assert "Review them" in imported.stderr
    assert load_price_tables([out]).models
    assert cli("-w", workspace.root, "pricing", "lint", out).exit_code in (0, 3)
    diff = cli("-w", workspace.root, "pricing", "diff", out, "--at", "2026-11-01", "--format", "json")
    assert diff.exit_code == 0
    assert set(json.loads(diff.stdout)) == {"changed", "priced_on_one_side", "added", "missing", "unchanged"}
