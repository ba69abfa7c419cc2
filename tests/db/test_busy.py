"""A second process writing the database makes commands fail fast and clearly (acceptance criterion 16)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable

from llmfinops.workspace import Workspace
from tests.conftest import CASES


def test_ingest_while_another_process_holds_the_database(cli: Callable, workspace: Workspace) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time, duckdb
                connection = duckdb.connect({str(workspace.database_path)!r})
                print("open", flush=True)
                sys.stdin.readline()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"

        result = cli("-w", workspace.root, "ingest", CASES / "litellm" / "spend_logs_api.json")

        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            f"Error: {workspace.database_path}: workspace is busy: another llmfinops process is writing to it.\n"
            "Wait for it to finish and run the command again.\n"
        )
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
