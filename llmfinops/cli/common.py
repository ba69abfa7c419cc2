"""What every command shares: the global options, error handling at the edge, opening the workspace."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

import duckdb
import typer

from llmfinops import console
from llmfinops.config import Config, load_config
from llmfinops.db.connection import Database
from llmfinops.errors import ExitCode, LlmfinopsError, UsageError
from llmfinops.store import open_store
from llmfinops.workspace import Workspace, locate_workspace

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class GlobalOptions:
    workspace: Path | None = None
    debug: bool = False


options = GlobalOptions()


def configure(workspace: Path | None, debug: bool) -> None:
    options.workspace = workspace
    options.debug = debug
    if debug:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
        root = logging.getLogger("llmfinops")
        root.handlers[:] = [handler]
        root.setLevel(logging.DEBUG)


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a user error into one paragraph on stderr and its exit code; `--debug` shows the traceback too."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except LlmfinopsError as failure:
            if options.debug:
                console.stderr.print_exception()
            console.error(failure.message, failure.hint)
            raise typer.Exit(int(failure.exit_code)) from None
        except (OSError, duckdb.IOException) as failure:
            # the machine, not the input: a folder that cannot be written, a full disk, a file that vanished
            if options.debug:
                console.stderr.print_exception()
            console.error(str(failure).splitlines()[0], "Check the path, its permissions and the free disk space.")
            raise typer.Exit(int(ExitCode.BAD_INPUT)) from None

    return wrapper


def current_workspace() -> Workspace:
    return locate_workspace(options.workspace)


def open_workspace(*, read_only: bool = False) -> tuple[Workspace, Database]:
    workspace = current_workspace()
    return workspace, open_store(workspace, read_only=read_only)


def workspace_config(workspace: Workspace) -> Config:
    return load_config(workspace.config_path)


def exit_with(code: ExitCode) -> None:
    raise typer.Exit(int(code))


#: Output formats whose output is bytes, which must not be written to a terminal.
BINARY_FORMATS = frozenset({"xlsx"})


def require_file_for_binary(output_format: str, output: Path | None, command: str, month: str) -> None:
    """Refuse a binary format without -o before any work is done."""
    if output_format in BINARY_FORMATS and output is None:
        raise UsageError(
            f"--format {output_format} writes a binary file, which cannot go to stdout.",
            f"Give a file with -o, for example -o {command}-{month}.{output_format}.",
        )


def emit_output(rendered: str | bytes, output: Path | None) -> None:
    if output is None:
        assert isinstance(rendered, str), "binary formats are refused without -o before the report is built"
        console.write_data(rendered)
        return
    if isinstance(rendered, bytes):
        output.write_bytes(rendered)
    else:
        output.write_text(rendered, encoding="utf-8")
    console.say(f"Wrote {output}")
