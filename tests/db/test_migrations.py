"""Schema migrations: fresh files, re-opening, and read-only connections on old files (acceptance criterion 15)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from llmfinops.db.connection import connect
from llmfinops.db.migrations import MIGRATIONS, SCHEMA_VERSION, current_version, migrate, require_current
from llmfinops.errors import WorkspaceError
from llmfinops.store import open_store
from llmfinops.workspace import Workspace


def test_fresh_database_is_at_the_current_version(tmp_path: Path) -> None:
    with connect(tmp_path / "fresh.duckdb") as database:
        applied = migrate(database)

        assert [migration.version for migration in applied] == [migration.version for migration in MIGRATIONS]
        assert current_version(database) == SCHEMA_VERSION
        assert database.fetchall("SELECT version, name FROM schema_migrations ORDER BY version") == [
            (migration.version, migration.name) for migration in MIGRATIONS
        ]


def test_opening_twice_applies_nothing_the_second_time(tmp_path: Path) -> None:
    path = tmp_path / "twice.duckdb"
    with connect(path) as database:
        migrate(database)
    with connect(path) as database:
        assert migrate(database) == []
        assert database.scalar("SELECT count(*) FROM schema_migrations") == len(MIGRATIONS)


def test_open_store_migrates_and_keeps_data(workspace: Workspace) -> None:
    with open_store(workspace) as database:
        database.execute(
            "INSERT INTO runs (run_id, command, arguments, started_at, outcome) "
            "VALUES (99, 'test', '{}', now()::TIMESTAMP, 'ok')"
        )
    with open_store(workspace) as database:
        assert current_version(database) == SCHEMA_VERSION
        assert database.scalar("SELECT count(*) FROM runs WHERE run_id = 99") == 1


def test_read_only_connection_on_an_old_file_says_how_to_fix_it(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path)).close()  # a valid DuckDB file with no llmfinops schema (version 0)

    with connect(path, read_only=True) as reader, pytest.raises(WorkspaceError) as caught:
        require_current(reader)

    assert caught.value.message == f"{path}: schema version 0, this llmfinops needs {SCHEMA_VERSION}."
    assert "`llmfinops sources`" in (caught.value.hint or "")


def test_read_only_connection_on_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no database yet"):
        connect(tmp_path / "missing.duckdb", read_only=True)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.duckdb"
    with connect(path) as database:
        migrate(database)
        database.execute(
            "INSERT INTO schema_migrations VALUES (?, 'from the future', now()::TIMESTAMP)", [SCHEMA_VERSION + 1]
        )
    with connect(path) as database, pytest.raises(WorkspaceError, match="newer than this llmfinops knows"):
        migrate(database)


def test_query_on_a_version_0_workspace_migrates_first(cli, make_workspace) -> None:
    workspace = make_workspace()
    duckdb.connect(str(workspace.database_path)).close()

    result = cli("-w", workspace.root, "query", "SELECT max(version) AS v FROM schema_migrations", "--format", "csv")

    assert result.exit_code == 0
    assert result.stdout == f"v\n{SCHEMA_VERSION}\n"
