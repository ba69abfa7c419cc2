"""Compile finops.yaml rules into one set-based SQL CASE expression over usage columns, with bound parameters."""

from __future__ import annotations

from dataclasses import dataclass

from llmfinops.config import RULE_DIMENSIONS, UNALLOCATED, AllocationRule, RuleCondition

_GLOB_CHARACTERS = frozenset("*?[")
#: A tag as the rules see it: "key:value", or "key" alone for a bare tag.
_TAG_TEXT = "CASE WHEN tag.value IS NULL THEN tag.key ELSE tag.key || ':' || tag.value END"


@dataclass(frozen=True)
class CompiledRules:
    """SQL expressions over usage columns, each with the parameters it binds."""

    cost_center_sql: str
    cost_center_parameters: list[str]


def _pattern_test(column_sql: str, pattern: str) -> str:
    return f"{column_sql} GLOB ?" if _GLOB_CHARACTERS & set(pattern) else f"{column_sql} = ?"


def _condition_sql(condition: RuleCondition) -> tuple[str, list[str]]:
    tests: list[str] = []
    parameters: list[str] = []
    for pattern in condition.patterns:
        if condition.dimension == "tag":
            tag_test = _pattern_test(_TAG_TEXT, pattern)
            tests.append(f"len(list_filter(map_entries(coalesce(tags, MAP {{}})), lambda tag: {tag_test})) > 0")
            parameters.append(pattern)
        else:
            for column in RULE_DIMENSIONS[condition.dimension]:
                tests.append(f"coalesce({_pattern_test(column, pattern)}, false)")
                parameters.append(pattern)
    return "(" + " OR ".join(tests) + ")", parameters


def compile_rules(rules: tuple[AllocationRule, ...]) -> CompiledRules:
    """The first matching rule wins; usage no rule matches is 'unallocated'."""
    branches: list[tuple[str, list[str]]] = []
    for rule in rules:
        parts = [_condition_sql(condition) for condition in rule.conditions]
        branches.append((" AND ".join(sql for sql, _ in parts), [value for _, values in parts for value in values]))
    cost_center_sql = " ".join(f"WHEN {branch_sql} THEN ?" for branch_sql, _ in branches)
    paired = list(zip(branches, rules, strict=True))
    return CompiledRules(
        cost_center_sql=f"CASE {cost_center_sql} ELSE '{UNALLOCATED}' END" if rules else f"'{UNALLOCATED}'",
        cost_center_parameters=[value for (_, values), rule in paired for value in (*values, rule.cost_center)],
    )
