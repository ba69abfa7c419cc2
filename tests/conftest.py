"""Shared fixtures: small workspaces in tmp_path, their database, the CLI runner and database dumps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner, Result

from llmfinops.cli import app
from llmfinops.db.connection import Database
from llmfinops.store import open_store
from llmfinops.workspace import Workspace, create_workspace

REPO_ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "ingest" / "cases"

#: Three cost centers and rules on a tag, an exact team and a team glob (the tests' own small company).
DEFAULT_CONFIG = """\
currency: USD
cost_centers:
  - code: "CC-ENG"
    name: Engineering
    owner: eng@corp.example
    monthly_budget: "100.00"
  - code: "CC-SEARCH"
    name: Search
    owner: search@corp.example
    monthly_budget: "50.00"
  - code: "CC-BOT"
    name: Chatbot
rules:
  - cost_center: "CC-BOT"
    match:
      tag: "feature:chatbot"
  - cost_center: "CC-SEARCH"
    match:
      team: search
  - cost_center: "CC-ENG"
    match:
      team: "eng-*"
"""


@pytest.fixture
def make_workspace(tmp_path: Path) -> Callable[..., Workspace]:
    """Create a workspace folder with this finops.yaml (and optional local price files) under tmp_path."""
    counter = iter(range(1, 1000))

    def make(config_text: str = DEFAULT_CONFIG, *, name: str | None = None, prices: dict[str, str] | None = None):
        workspace = create_workspace(tmp_path / (name or f"ws{next(counter)}"), config_text)
        for file_name, text in (prices or {}).items():
            (workspace.pricing_dir / file_name).write_text(text, encoding="utf-8")
        return workspace

    return make


@pytest.fixture
def workspace(make_workspace: Callable[..., Workspace]) -> Workspace:
    return make_workspace(name="ws")


@pytest.fixture
def store(workspace: Workspace) -> Iterator[Database]:
    """The migrated database of `workspace`, closed after the test."""
    database = open_store(workspace)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., Result]:
    """Invoke the CLI; an unexpected exception (a traceback a user would see) fails the test."""
    monkeypatch.delenv("LLMFINOPS_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str | Path) -> Result:
        result = runner.invoke(app, [str(arg) for arg in args])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return invoke


DUMPED_TABLES = ("usage", "sources", "quarantine", "runs")


def dump_database(path: Path, tables: tuple[str, ...] = DUMPED_TABLES) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the given tables, in a stable order, read through a separate read-only connection."""
    connection = duckdb.connect(str(path), read_only=True)
    try:
        return {
            table: sorted(
                (tuple(str(value) for value in row) for row in connection.execute(f"SELECT * FROM {table}").fetchall()),
            )
            for table in tables
        }
    finally:
        connection.close()


def table_counts(database: Database) -> dict[str, int]:
    return {
        table: int(database.scalar(f"SELECT count(*) FROM {table}")) for table in ("usage", "quarantine", "sources")
    }
