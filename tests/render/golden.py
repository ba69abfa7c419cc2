"""Golden files: rendered reports compared byte for byte with `golden/<name>`.

A golden file is rewritten only when LLMFINOPS_UPDATE_GOLDEN=1 is set; review the diff before keeping it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
UPDATE_VARIABLE = "LLMFINOPS_UPDATE_GOLDEN"


def assert_matches_golden(name: str, rendered: str, folder: Path = GOLDEN_DIR) -> None:
    path = folder / name
    if os.environ.get(UPDATE_VARIABLE) == "1":
        path.write_bytes(rendered.encode("utf-8"))
        return
    if not path.is_file():
        pytest.fail(f"{path} does not exist; create it with {UPDATE_VARIABLE}=1 and review it.")
    # Decoded without newline translation, so the comparison is byte for byte and a failure shows a text diff.
    assert rendered == path.read_bytes().decode("utf-8")
