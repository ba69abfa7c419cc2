"""The command line: a thin typer layer over the core library. Parses options, calls one core function, renders,
maps errors to exit codes. No SQL and no pricing math here."""

from __future__ import annotations

from llmfinops.cli.app import app, main

__all__ = ["app", "main"]
