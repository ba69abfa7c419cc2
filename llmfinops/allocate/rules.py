"""Rules -> SQL and explanations.

`compile_rules` turns the ordered rules into one set-based CASE expression over usage columns (bound parameters
only) that yields the position of the first matching rule. `explain` evaluates the same rules for one set of
dimension values in Python and says, rule by rule, what matched and what did not; a test keeps the two in step.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from llmfinops.allocate.settings import RULE_DIMENSIONS, AllocationRule, Pattern, RuleCondition

#: A tag as the rules see it: "key:value", or "key" alone for a bare tag.
_TAG_TEXT = "CASE WHEN tag.value IS NULL THEN tag.key ELSE tag.key || ':' || tag.value END"


@dataclass(frozen=True)
class CompiledRules:
    """`position_sql` is the 1-based position of the first matching rule, NULL when none matches."""

    position_sql: str
    parameters: list[object]


def _pattern_sql(column_sql: str, pattern: Pattern) -> str:
    return {
        "exact": f"{column_sql} = ?",
        "glob": f"{column_sql} GLOB ?",
        # RE2 (DuckDB) and Python's re agree on the common syntax; finops.yaml regexes are checked with re.
        "regex": f"regexp_full_match({column_sql}, ?)",
    }[pattern.kind]


def _condition_sql(condition: RuleCondition) -> tuple[str, list[object]]:
    tests: list[str] = []
    parameters: list[object] = []
    for pattern in condition.patterns:
        if condition.dimension == "tag":
            tag_test = _pattern_sql(_TAG_TEXT, pattern)
            tests.append(f"len(list_filter(map_entries(coalesce(tags, MAP {{}})), lambda tag: {tag_test})) > 0")
            parameters.append(pattern.text)
        else:
            for column in RULE_DIMENSIONS[condition.dimension]:
                tests.append(f"coalesce({_pattern_sql(column, pattern)}, false)")
                parameters.append(pattern.text)
    return "(" + " OR ".join(tests) + ")", parameters


def _rule_sql(rule: AllocationRule) -> tuple[str, list[object]]:
    parts = [_condition_sql(condition) for condition in rule.conditions]
    sql = [part_sql for part_sql, _ in parts]
    parameters: list[object] = [value for _, values in parts for value in values]
    if rule.effective_from is not None:
        sql.append("ts >= ?")
        parameters.append(datetime.combine(rule.effective_from, datetime.min.time()))
    if rule.effective_to is not None:
        sql.append("ts < ?")
        parameters.append(datetime.combine(rule.effective_to, datetime.min.time()))
    return " AND ".join(sql), parameters


def compile_rules(rules: tuple[AllocationRule, ...]) -> CompiledRules:
    """The first matching rule wins; usage no rule matches gets NULL (the caller's `unallocated`)."""
    if not rules:
        return CompiledRules("CAST(NULL AS INTEGER)", [])
    branches = [_rule_sql(rule) for rule in rules]
    position_sql = (
        "CASE "
        + " ".join(f"WHEN {sql} THEN {rule.position}" for (sql, _), rule in zip(branches, rules, strict=True))
        + " END"
    )
    return CompiledRules(position_sql, [value for _, values in branches for value in values])


@dataclass(frozen=True)
class RuleVerdict:
    rule: AllocationRule
    matched: bool
    reasons: tuple[str, ...]  # why it matched (each condition met), or the first thing that did not


def _tag_texts(tags: Mapping[str, str | None]) -> list[str]:
    return [key if value is None else f"{key}:{value}" for key, value in tags.items()]


def pattern_matches(pattern: Pattern, value: str) -> bool:
    if pattern.kind == "exact":
        return value == pattern.text
    if pattern.kind == "glob":
        return fnmatch.fnmatchcase(value, pattern.text)
    return re.fullmatch(pattern.text, value) is not None


def _check_condition(condition: RuleCondition, values: Mapping[str, object]) -> tuple[bool, str]:
    if condition.dimension == "tag":
        candidates = _tag_texts(values.get("tags") or {})  # type: ignore[arg-type]
        shown = ", ".join(candidates) or "no tags"
    else:
        candidates = [str(values[column]) for column in RULE_DIMENSIONS[condition.dimension] if values.get(column)]
        shown = " / ".join(candidates) or "empty"
    wanted = " or ".join(pattern.describe() for pattern in condition.patterns)
    for candidate in candidates:
        for pattern in condition.patterns:
            if pattern_matches(pattern, candidate):
                return True, f"{condition.dimension} {candidate!r} matches {pattern.describe()}"
    return False, f"{condition.dimension} is {shown}, not {wanted}"


def explain(rules: tuple[AllocationRule, ...], values: Mapping[str, object], when: date | None) -> list[RuleVerdict]:
    """Each rule in order with whether it matches `values` (usage columns) and why; evaluation stops at no rule,
    so a reader sees which rules also match but lose to an earlier one."""
    verdicts = []
    for rule in rules:
        if when is not None and rule.effective_from is not None and when < rule.effective_from:
            verdicts.append(RuleVerdict(rule, False, (f"not in effect before {rule.effective_from}",)))
            continue
        if when is not None and rule.effective_to is not None and when >= rule.effective_to:
            verdicts.append(RuleVerdict(rule, False, (f"not in effect from {rule.effective_to}",)))
            continue
        reasons = []
        matched = True
        for condition in rule.conditions:
            holds, reason = _check_condition(condition, values)
            if not holds:
                matched, reasons = False, [reason]
                break
            reasons.append(reason)
        verdicts.append(RuleVerdict(rule, matched, tuple(reasons)))
    return verdicts
