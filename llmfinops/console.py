"""The only rich consoles: stdout carries data, stderr carries progress, warnings and errors."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def write_data(text: str) -> None:
    """Data goes to stdout unchanged, so `--format json|csv` pipes cleanly."""
    sys.stdout.write(text)
    sys.stdout.flush()


def say(message: str) -> None:
    stderr.print(message, markup=False)


def error(message: str, hint: str | None) -> None:
    stderr.print(f"Error: {message}" + (f"\n{hint}" if hint else ""), markup=False, style="red")


class FileProgress:
    """A progress bar over the files of an ingest; drawn only on a terminal, so logs and tests stay clean."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} steps"),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
            disable=not stderr.is_terminal,
        )
        self._task: TaskID | None = None
        self._name = ""

    def __enter__(self) -> FileProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.__exit__(None, None, None)

    def start_file(self, path: Path, steps: int) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._name = path.name
        self._task = self._progress.add_task(self._name, total=steps)

    def step(self, description: str) -> None:
        if self._task is not None:
            self._progress.update(self._task, advance=1, description=f"{self._name}: {description}")
