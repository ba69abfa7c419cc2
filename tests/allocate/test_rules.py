"""Allocation rules: first match wins, exact vs glob, tags, unallocated (acceptance criterion 8)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from llmfinops.allocate.rules import compile_rules
from llmfinops.config import load_config
from llmfinops.db.connection import Database
from llmfinops.ingest.load import ingest_files
from llmfinops.store import open_store
from llmfinops.workspace import Workspace
from tests.builders import litellm_row, write_litellm_csv


def team_row(number: int, team_alias: str | None, tags: list[str] | None = None, **overrides) -> dict:
    metadata = {
        key: value for key, value in litellm_row()["metadata"].items() if not key.startswith("user_api_key_team")
    }
    if team_alias is not None:
        metadata["user_api_key_team_alias"] = team_alias
    return litellm_row(number, metadata=metadata, team_id=None, request_tags=tags or [], **overrides)


ROWS = {
    # request number: (team alias, request tags) -> expected cost center under DEFAULT_CONFIG
    1: ("search", [], "CC-SEARCH"),
    2: ("search", ["feature:chatbot"], "CC-BOT"),  # rule 1 (tag) comes before rule 2 (team)
    3: ("eng-platform", [], "CC-ENG"),  # glob eng-*
    4: ("eng", [], "unallocated"),  # eng-* needs the dash
    5: ("search-labs", [], "unallocated"),  # exact "search" is not a prefix match
    6: (None, ["feature:chatbot", "env:prod"], "CC-BOT"),
    7: (None, ["feature:chatbot-v2"], "unallocated"),  # exact tag text
    8: (None, [], "unallocated"),
    9: ("SEARCH", [], "unallocated"),  # matching is case-sensitive
}


@pytest.fixture
def allocated(store: Database, workspace: Workspace, tmp_path: Path) -> dict[str, str]:
    write_litellm_csv(tmp_path / "teams.csv", [team_row(n, alias, tags) for n, (alias, tags, _) in ROWS.items()])
    ingest_files(store, [tmp_path / "teams.csv"])
    return _cost_centers(store, workspace)


def _cost_centers(store: Database, workspace: Workspace) -> dict[str, str]:
    """request id -> the cost center of the first matching rule, as the allocation SQL computes it."""
    config_rules = load_config(workspace.config_path).rules
    compiled = compile_rules(config_rules)
    centers = {rule.position: rule.cost_center for rule in config_rules}
    rows = store.fetchall(
        f"SELECT request_id, {compiled.position_sql} FROM usage_priced ORDER BY request_id", compiled.parameters
    )
    return {request_id: centers.get(position, "unallocated") for request_id, position in rows}


@pytest.mark.parametrize("number", sorted(ROWS))
def test_each_request_goes_to_the_first_matching_rule(allocated: dict[str, str], number: int) -> None:
    assert allocated[f"chatcmpl-{number:06d}"] == ROWS[number][2]


RULES_ON_OTHER_DIMENSIONS = """\
currency: USD
cost_centers:
  - code: A
  - code: B
  - code: C
  - code: D
rules:
  - cost_center: A
    match:
      key_alias: "support-*"
      environment: prod
  - cost_center: B
    match:
      tag: ["feature:seo-*", "feature:content-*"]
  - cost_center: C
    match:
      model: "claude-*"
      provider: anthropic
  - cost_center: D
    match:
      end_user: cust_1
"""


def test_all_conditions_of_a_rule_must_hold_and_lists_mean_any(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    workspace = make_workspace(RULES_ON_OTHER_DIMENSIONS)
    metadata = {**litellm_row()["metadata"], "user_api_key_alias": "support-bot", "spend_logs_metadata": {}}
    rows = [
        litellm_row(1, metadata=metadata, request_tags=["env:prod"]),  # key alias + environment -> A
        litellm_row(2, metadata=metadata, request_tags=["env:dev", "feature:seo-writer"]),  # env fails -> B
        litellm_row(3, request_tags=["feature:content-calendar"]),  # -> B
        litellm_row(4, model="claude-haiku-4-5-20251001", custom_llm_provider="anthropic", request_tags=[]),  # -> C
        litellm_row(5, model="claude-haiku-4-5-20251001", custom_llm_provider="bedrock", request_tags=[]),
        litellm_row(6, end_user="cust_1", request_tags=[]),  # -> D
    ]
    write_litellm_csv(tmp_path / "dims.csv", rows)
    with open_store(workspace) as database:
        ingest_files(database, [tmp_path / "dims.csv"])
        allocated = _cost_centers(database, workspace)

    assert list(allocated.values()) == ["A", "B", "B", "C", "unallocated", "D"]


def test_no_rules_means_everything_is_unallocated() -> None:
    compiled = compile_rules(())

    assert (compiled.position_sql, compiled.parameters) == ("CAST(NULL AS INTEGER)", [])
