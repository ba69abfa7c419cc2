"""The audit trail: one `runs` row per command that changed the database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from llmfinops.db.connection import Database


@contextmanager
def recorded_run(database: Database, command: str, arguments: dict[str, object]) -> Iterator[int]:
    """Run a command inside one transaction and record it; a failure rolls back the record with the rest."""
    with database.transaction():
        run_id = int(database.scalar("SELECT nextval('run_id_seq')"))
        database.execute(
            "INSERT INTO runs (run_id, command, arguments, started_at, outcome) VALUES (?, ?, ?, ?, 'running')",
            [run_id, command, json.dumps(arguments, sort_keys=True, default=str), utc_now()],
        )
        yield run_id
        database.execute("UPDATE runs SET finished_at = ?, outcome = 'ok' WHERE run_id = ?", [utc_now(), run_id])


def utc_now() -> datetime:
    # DuckDB's now() is the transaction's start, so the clock is read here.
    return datetime.now(UTC).replace(tzinfo=None)


def record_inputs(database: Database, run_id: int, inputs: dict[str, object]) -> None:
    """What the run read: the config's sha256, the price tables' hash, the sha256 of every input file."""
    database.execute(
        "UPDATE runs SET inputs = ?, config_hash = ? WHERE run_id = ?",
        [json.dumps(inputs, sort_keys=True, default=str), inputs.get("config_sha256"), run_id],
    )
