"""Why a request (or a set of dimension values) goes to the cost center it goes to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from llmfinops.allocate.rules import RuleVerdict, explain
from llmfinops.allocate.settings import RULE_DIMENSIONS, UNALLOCATED
from llmfinops.config import Config
from llmfinops.db.connection import Database
from llmfinops.errors import UsageError

#: The usage columns rules look at (plus tags), in the order an explanation shows them.
EXPLAINED_COLUMNS = tuple(dict.fromkeys(column for columns in RULE_DIMENSIONS.values() for column in columns))


@dataclass(frozen=True)
class Explanation:
    subject: str  # "request chatcmpl-1", or the dimension values given
    values: dict[str, Any]
    verdicts: tuple[RuleVerdict, ...]
    cost_center: str  # the winner, or 'unallocated'

    @property
    def winner(self) -> RuleVerdict | None:
        return next((verdict for verdict in self.verdicts if verdict.matched), None)


def explain_values(config: Config, values: dict[str, Any], when: date | None, subject: str) -> Explanation:
    verdicts = tuple(explain(config.rules, values, when))
    winner = next((verdict for verdict in verdicts if verdict.matched), None)
    return Explanation(subject, values, verdicts, winner.rule.cost_center if winner else UNALLOCATED)


def explain_request(database: Database, config: Config, request_id: str) -> Explanation:
    """The rules evaluated against a loaded request, at its own time."""
    columns = ", ".join(("ts", "tags", *EXPLAINED_COLUMNS))
    cursor = database.execute(
        f"SELECT {columns} FROM usage_priced WHERE request_id = ? ORDER BY usage_id LIMIT 1", [request_id]
    )
    row = cursor.fetchone()
    if row is None:
        raise UsageError(f"request {request_id!r}: not in the workspace.", "Check the id with `llmfinops query`.")
    values = dict(zip([description[0] for description in cursor.description], row, strict=True))
    moment = values.pop("ts")
    return explain_values(config, values, moment.date(), f"request {request_id} ({moment:%Y-%m-%d %H:%M:%S} UTC)")
