"""finops.yaml validation: every error names the file, the line and the field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from llmfinops.config import load_config
from llmfinops.errors import ConfigError
from tests.conftest import DEFAULT_CONFIG


def _load(tmp_path: Path, text: str):
    path = tmp_path / "finops.yaml"
    path.write_text(text)
    return path, load_config(path)


def test_default_config_is_parsed(tmp_path: Path) -> None:
    _, config = _load(tmp_path, DEFAULT_CONFIG)

    assert [center.code for center in config.cost_centers] == ["CC-ENG", "CC-SEARCH", "CC-BOT"]
    assert config.cost_centers[0].monthly_budget == Decimal("100.00")
    assert [(rule.position, rule.cost_center, rule.line) for rule in config.rules] == [
        (1, "CC-BOT", 14),
        (2, "CC-SEARCH", 17),
        (3, "CC-ENG", 20),
    ]


def test_empty_file_is_an_empty_config(tmp_path: Path) -> None:
    _, config = _load(tmp_path, "")

    assert (config.currency, config.cost_centers, config.rules) == ("USD", (), ())


@pytest.mark.parametrize(
    ("old", "new", "where", "message"),
    [
        ('code: "CC-BOT"', 'code: "CC-ENG"', 11, "code: 'CC-ENG' is used twice or reserved."),
        ('code: "CC-BOT"', "code: unallocated", 11, "code: 'unallocated' is used twice or reserved."),
        ("currency: USD", "currency: EUR", 1, "currency: EUR is not supported yet."),
        ('monthly_budget: "50.00"', 'monthly_budget: "-1"', 10, "monthly_budget: '-1' must be a non-negative decimal."),
        (
            "    name: Chatbot\n",
            "    name: Chatbot\n    parent: CC-NONE\n",
            13,
            "parent: 'CC-NONE' is not a cost center",
        ),
        ('      tag: "feature:chatbot"\n', "", 15, "match: expected a mapping, got NoneType."),
    ],
)
def test_config_errors_name_file_and_line(tmp_path: Path, old: str, new: str, where: int, message: str) -> None:
    assert old in DEFAULT_CONFIG
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, DEFAULT_CONFIG.replace(old, new))

    assert caught.value.message.startswith(f"{tmp_path / 'finops.yaml'}:{where}: ")
    assert message in caught.value.message
