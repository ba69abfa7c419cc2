"""The error types of the core library and the process exit codes they map to.

Errors are values until the CLI edge: the core raises one of these with a message that names the file, the
row or line and the field, and a hint that names the fix; the CLI prints both and exits with `exit_code`.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes are a contract with schedulers (ARCHITECTURE.md §7)."""

    OK = 0
    BAD_INPUT = 1
    USAGE = 2
    CHECK_FAILED = 3


class LlmfinopsError(Exception):
    """Base of every error a user can cause; never shown as a traceback."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} {self.hint}"


class ConfigError(LlmfinopsError):
    """finops.yaml or a price table is invalid."""


class InputError(LlmfinopsError):
    """An input file cannot be read or understood."""


class WorkspaceError(LlmfinopsError):
    """The workspace or its database cannot be found, opened or migrated."""


class WorkspaceBusyError(WorkspaceError):
    """Another process holds the database for writing."""


class UsageError(LlmfinopsError):
    """A command was called with a value that cannot be right (bad month, unknown format name)."""

    exit_code = ExitCode.USAGE


class QueryError(LlmfinopsError):
    """A read-only query failed or tried to write."""
