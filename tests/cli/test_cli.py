"""The command line through the runner: exit codes, stdout vs stderr, help, init, errors (acceptance criterion 12)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import typer

from llmfinops import __version__
from llmfinops.cli import app
from llmfinops.workspace import Workspace
from tests.conftest import CASES, DEFAULT_CONFIG, dump_database


def _command_paths(command: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The app, every command and every subcommand (typer ships its own click, so groups are found by duck typing)."""
    paths = [prefix]
    for name, sub in getattr(command, "commands", {}).items():
        paths += _command_paths(sub, (*prefix, name))
    return paths


COMMAND_PATHS = _command_paths(typer.main.get_command(app))


def test_version(cli: Callable) -> None:
    result = cli("--version")

    assert (result.exit_code, result.stdout, result.stderr) == (0, f"llmfinops {__version__}\n", "")


def test_every_command_is_listed() -> None:
    assert {" ".join(path) for path in COMMAND_PATHS} >= {
        "",
        "init",
        "demo",
        "query",
        "ingest",
        "sources",
        "report",
        "report showback",
        "report chargeback",
    }


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda path: " ".join(path) or "llmfinops")
def test_help_of_every_command_has_an_example(cli: Callable, path: tuple[str, ...]) -> None:
    result = cli(*path, "--help")

    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert result.stdout.startswith("Usage: ")


def test_no_arguments_shows_help_as_a_usage_error(cli: Callable) -> None:
    result = cli()

    assert result.exit_code == 2
    assert "Usage: " in result.output


def test_init_creates_the_workspace_then_refuses_to_overwrite_it(cli: Callable, tmp_path: Path) -> None:
    first = cli("init", tmp_path / "acme")
    second = cli("init", tmp_path / "acme")

    assert first.exit_code == 0
    assert first.stdout == ""
    assert first.stderr.startswith(f"Created workspace {tmp_path / 'acme'}: finops.yaml")
    assert (tmp_path / "acme" / "finops.yaml").is_file()
    assert (tmp_path / "acme" / "llmfinops.duckdb").is_file()
    assert second.exit_code == 1
    assert second.stderr == (
        f"Error: {tmp_path / 'acme' / 'finops.yaml'}: already exists; this folder is a workspace already.\n"
        "Use it as it is, or choose another folder.\n"
    )


def test_init_writes_a_config_that_loads(cli: Callable, tmp_path: Path) -> None:
    cli("init", tmp_path / "fresh")

    result = cli("-w", tmp_path / "fresh", "report", "chargeback", "--month", "2026-10")

    assert result.exit_code == 0
    assert "Engineering" in result.stdout
    assert "Unallocated" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("sources",),
        ("ingest", str(CASES / "litellm" / "spend_logs_api.json")),
        ("report", "showback", "--month", "2026-10"),
        ("report", "chargeback", "--month", "2026-10"),
        ("query", "SELECT 1"),
    ],
    ids=lambda args: args[0] if args[0] != "report" else " ".join(args[:2]),
)
def test_commands_outside_a_workspace(cli: Callable, tmp_path: Path, args: tuple[str, ...]) -> None:
    result = cli(*args)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"Error: {tmp_path}: not an llmfinops workspace (no finops.yaml; found from the current folder).\n"
    )
    assert not (tmp_path / "llmfinops.duckdb").exists()


def test_workspace_from_the_environment(cli: Callable, workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMFINOPS_WORKSPACE", str(workspace.root))

    assert cli("sources", "--format", "json").stdout == "[]\n"

    monkeypatch.setenv("LLMFINOPS_WORKSPACE", str(workspace.root / "missing"))
    result = cli("sources")
    assert result.exit_code == 1
    assert "not an llmfinops workspace" in result.stderr
    assert "found from $LLMFINOPS_WORKSPACE" in result.stderr


@pytest.mark.parametrize("command", ["showback", "chargeback"])
@pytest.mark.parametrize("month", ["2026-13", "2026-1", "October", "2026-00"])
def test_bad_month_is_a_usage_error(cli: Callable, workspace: Workspace, command: str, month: str) -> None:
    result = cli("-w", workspace.root, "report", command, "--month", month)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: --month {month!r}: not a month.\nWrite it as YYYY-MM, for example --month 2026-10.\n"
    )


@pytest.mark.parametrize(
    ("config_text", "line", "message"),
    [
        (DEFAULT_CONFIG.replace("    name: Search\n", "    name: [Search\n"), 9, "invalid YAML"),
        (
            DEFAULT_CONFIG.replace('cost_center: "CC-ENG"', 'cost_center: "CC-NOPE"'),
            20,
            "cost_center: 'CC-NOPE' is not one of the cost_centers (CC-BOT, CC-ENG, CC-SEARCH).",
        ),
        (
            DEFAULT_CONFIG.replace('"100.00"', "100.5"),
            6,
            'monthly_budget: write it as a quoted decimal string ("100.5")',
        ),
        (DEFAULT_CONFIG.replace("      team: search", "      squad: search"), 19, "match.squad: unknown dimension."),
    ],
    ids=["yaml-syntax", "unknown-cost-center", "float-budget", "unknown-dimension"],
)
def test_bad_finops_yaml_names_file_and_line(
    cli: Callable, make_workspace: Callable[..., Workspace], config_text: str, line: int, message: str
) -> None:
    workspace = make_workspace(config_text)

    result = cli("-w", workspace.root, "report", "chargeback", "--month", "2026-10")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {workspace.config_path}:{line}: ")
    assert message in result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def loaded_workspace(cli: Callable, workspace: Workspace) -> Workspace:
    assert cli("-w", workspace.root, "ingest", CASES / "litellm" / "spend_logs_api.json").exit_code == 0
    return workspace


def test_query_json_is_an_array_of_row_objects_with_money_as_strings(
    cli: Callable, loaded_workspace: Workspace
) -> None:
    result = cli(
        "-w",
        loaded_workspace.root,
        "query",
        "SELECT request_id, input_tokens, estimated_cost, priced FROM usage_priced ORDER BY request_id",
        "--format",
        "json",
    )

    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [row["request_id"] for row in rows] == [
        "c3d1e2f0-0000-4b1a-9c1d-1f2e3d4c5b6a",
        "chatcmpl-9a1f0c",
        "msg_01XyZ",
    ]
    assert rows[1] == {
        "request_id": "chatcmpl-9a1f0c",
        "input_tokens": 376,
        "estimated_cost": "0.003904000000",
        "priced": True,
    }
    assert all(isinstance(row["estimated_cost"], str) for row in rows)
    # 376 x $2.00 + 1024 x $0.50 + 330 x $8.00 per million (pricing/openai.yaml gpt-4.1).
    assert (
        Decimal(rows[1]["estimated_cost"])
        == (376 * Decimal("2.00") + 1024 * Decimal("0.50") + 330 * Decimal("8.00")) / 10**6
    )


def test_query_cannot_write(cli: Callable, loaded_workspace: Workspace) -> None:
    before = dump_database(loaded_workspace.database_path)

    result = cli("-w", loaded_workspace.root, "query", "DELETE FROM usage")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: query failed: ")
    assert "read-only" in result.stderr
    assert dump_database(loaded_workspace.database_path) == before


def test_query_with_a_sql_error_is_exit_1(cli: Callable, loaded_workspace: Workspace) -> None:
    result = cli("-w", loaded_workspace.root, "query", "SELECT nope FROM usage")

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: query failed: Binder Error")


def test_query_csv_neutralises_formulas(cli: Callable, loaded_workspace: Workspace) -> None:
    result = cli(
        "-w",
        loaded_workspace.root,
        "query",
        "SELECT '=HYPERLINK(\"http://evil.example\")' AS note, '+1' AS plus, 'plain' AS text, -3 AS number, "
        "CAST('1.50' AS DECIMAL(10, 2)) AS amount",
        "--format",
        "csv",
    )

    assert result.exit_code == 0
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["note", "plus", "text", "number", "amount"],
        ['\'=HYPERLINK("http://evil.example")', "'+1", "plain", "-3", "1.50"],
    ]


def test_sources_json_lists_counts(cli: Callable, loaded_workspace: Workspace) -> None:
    result = cli("-w", loaded_workspace.root, "sources", "--format", "json")

    assert result.exit_code == 0
    (source,) = json.loads(result.stdout)
    assert {key: source[key] for key in ("source_id", "format", "rows_read", "rows_loaded")} == {
        "source_id": 1,
        "format": "litellm_spend_logs",
        "rows_read": 3,
        "rows_loaded": 3,
    }
    assert source["path"] == str(CASES / "litellm" / "spend_logs_api.json")


def test_sources_quarantine_lists_reasons(cli: Callable, workspace: Workspace) -> None:
    cli("-w", workspace.root, "ingest", CASES / "litellm" / "three_bad_rows.csv")

    result = cli("-w", workspace.root, "sources", "--quarantine", "--format", "json")

    assert [(row["location"], row["field"]) for row in json.loads(result.stdout)] == [
        ("row 3", "prompt_tokens"),
        ("row 6", "startTime"),
        ("row 9", "request_id"),
    ]
