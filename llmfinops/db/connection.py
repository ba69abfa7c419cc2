"""Opening the DuckDB file: migrations on open, one transaction per command, a busy error, a statement tracer."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from llmfinops.db.sqltext import quote_identifier
from llmfinops.errors import WorkspaceBusyError, WorkspaceError

log = logging.getLogger("llmfinops.sql")


class Database:
    """One open connection to the workspace database; every statement goes through `execute` (traced under --debug)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path, *, read_only: bool) -> None:
        self.connection = connection
        self.path = path
        self.read_only = read_only
        self._transaction_depth = 0

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
        started = time.perf_counter()
        try:
            return self.connection.execute(sql, parameters) if parameters is not None else self.connection.execute(sql)
        finally:
            if log.isEnabledFor(logging.DEBUG):
                elapsed_ms = (time.perf_counter() - started) * 1000
                log.debug("%.1f ms  %s  %s", elapsed_ms, " ".join(sql.split())[:400], parameters or "")

    def fetchall(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self.execute(sql, parameters).fetchall()

    def fetchone(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> tuple[Any, ...] | None:
        return self.execute(sql, parameters).fetchone()

    def scalar(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        row = self.fetchone(sql, parameters)
        return None if row is None else row[0]

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows in one statement with one parameter (a JSON array), typed by the table's own columns.

        DuckDB binds a parameter per value and executemany runs a statement per row, both slow for thousands of
        values; JSON text carries decimals and timestamps as strings, so nothing passes through a float.
        """
        if not rows:
            return
        types = dict(
            self.fetchall("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?", [table])
        )
        structure = json.dumps([{column: types[column] for column in columns}])
        payload = json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=str)
        column_list = ", ".join(quote_identifier(column) for column in columns)
        self.execute(
            f"INSERT INTO {quote_identifier(table)} ({column_list}) "
            "SELECT unnest(json_transform(?, ?), recursive := true)",
            [payload, structure],
        )

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """All or nothing: a command that fails leaves the database as it was (ARCHITECTURE.md §6.7).

        Nested uses join the outermost transaction, so a command can wrap library calls that have their own.
        """
        if self._transaction_depth:
            self._transaction_depth += 1
            try:
                yield self
            finally:
                self._transaction_depth -= 1
            return
        self.execute("BEGIN TRANSACTION")
        self._transaction_depth = 1
        try:
            yield self
        except BaseException:
            self.execute("ROLLBACK")
            raise
        else:
            self.execute("COMMIT")
        finally:
            self._transaction_depth = 0

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def connect(path: Path, *, read_only: bool = False) -> Database:
    """Open the DuckDB file (creating it unless read-only), in UTC, without migrating it."""
    if read_only and not path.exists():
        raise WorkspaceError(f"{path}: no database yet.", "Ingest a file first: `llmfinops ingest PATH`.")
    try:
        connection = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise WorkspaceBusyError(
                f"{path}: workspace is busy: another llmfinops process is writing to it.",
                "Wait for it to finish and run the command again.",
            ) from error
        raise WorkspaceError(f"{path}: cannot open the database: {error}") from error
    except duckdb.Error as error:
        raise WorkspaceError(f"{path}: cannot open the database: {error}") from error
    # Naive timestamps in sources mean UTC, and TIMESTAMPTZ values convert to UTC.
    connection.execute("SET TimeZone = 'UTC'")
    # Nothing may reach the network at run time (ARCHITECTURE.md §6.8), not even an extension download.
    if not read_only:
        connection.execute("SET autoinstall_known_extensions = false")
        connection.execute("SET autoload_known_extensions = false")
    return Database(connection, path, read_only=read_only)
