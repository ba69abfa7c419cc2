"""The README and docs keep up with the code: the two commands, every command, every documented format."""

from __future__ import annotations

import re
from pathlib import Path

from llmfinops.cli import app
from llmfinops.ingest.registry import FORMATS

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _shell_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)]


def test_readme_test_command_is_exactly_what_ci_runs() -> None:
    ci_script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    ci_command = [line for line in ci_script.splitlines() if line and not line.startswith(("#", "set ", "cd "))]
    assert _shell_blocks(README)[1] == ci_command[-1].strip()


def test_readme_first_command_installs_and_runs_the_demo() -> None:
    first = _shell_blocks(README)[0]
    assert "pip install ." in first
    assert first.endswith("llmfinops demo")


def test_readme_mentions_every_command() -> None:
    commands = [command.name or command.callback.__name__ for command in app.registered_commands]
    groups = [group.name for group in app.registered_groups]
    for name in [*commands, *groups]:
        assert f"llmfinops {name}" in README or f"llmfinops -w acme {name}" in README, name


def test_every_format_is_documented() -> None:
    formats_doc = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    for input_format in FORMATS:
        assert f"`{input_format.name}`" in README
        assert input_format.name in formats_doc
