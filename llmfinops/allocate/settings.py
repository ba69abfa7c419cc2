"""The allocation part of finops.yaml: cost centers (a tree), rules, registered use cases, shared pools, seats and
the true-up policy, parsed and validated with file:line errors (docs/configuration.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from llmfinops.errors import ConfigError
from llmfinops.yamlfile import LineDict, date_field, decimal_field, list_field, location, mapping_field, text_field

UNALLOCATED = "unallocated"
DEFAULT_ALERT_THRESHOLDS = (Decimal(50), Decimal(80), Decimal(100))
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

#: Rule dimensions and the usage columns each one matches (any of them). `tag` matches "key:value" strings.
RULE_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "team": ("team_alias", "team_id"),
    "tag": (),
    "key_alias": ("api_key_alias",),
    "key": ("api_key_id",),
    "user": ("user_id",),
    "end_user": ("end_user",),
    "project": ("project_id",),
    "workspace": ("workspace_id",),
    "feature": ("feature",),
    "environment": ("environment",),
    "provider": ("provider",),
    "model": ("model",),
}
_GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class Pattern:
    kind: Literal["exact", "glob", "regex"]
    text: str

    def describe(self) -> str:
        return {"exact": repr(self.text), "glob": f"glob {self.text!r}", "regex": f"regex {self.text!r}"}[self.kind]


@dataclass(frozen=True)
class CostCenter:
    code: str
    name: str
    owner: str | None
    monthly_budget: Decimal | None
    parent: str | None
    budget_overrides: Mapping[str, Decimal] = field(default_factory=dict)  # "YYYY-MM" -> budget of that month
    alert_thresholds: tuple[Decimal, ...] = DEFAULT_ALERT_THRESHOLDS  # percent of the budget
    feature_budgets: Mapping[str, Decimal] = field(default_factory=dict)
    line: int = 0

    def budget_for(self, month_label: str) -> Decimal | None:
        return self.budget_overrides.get(month_label, self.monthly_budget)


@dataclass(frozen=True)
class RuleCondition:
    dimension: str
    patterns: tuple[Pattern, ...]  # any of them


@dataclass(frozen=True)
class AllocationRule:
    position: int  # 1-based order of evaluation; the first matching rule wins
    cost_center: str
    conditions: tuple[RuleCondition, ...]  # all must hold
    line: int
    effective_from: date | None = None
    effective_to: date | None = None  # exclusive
    name: str | None = None  # a use case's name; rules are known by position and line

    @property
    def label(self) -> str:
        return f"use case {self.name!r}" if self.name else f"rule {self.position} (line {self.line})"


@dataclass(frozen=True)
class UseCase:
    """A registered AI use case: its keys or features, owner, cost center and budget."""

    name: str
    owner: str | None
    cost_center: str
    monthly_budget: Decimal | None
    key_aliases: tuple[str, ...]
    features: tuple[str, ...]
    line: int
    approved: bool = False  # approved to cost more than policies.approval_above a month


@dataclass(frozen=True)
class SharedPool:
    """Costs that belong to no single team, split by a declared method among cost centers."""

    name: str
    source: Literal["fixed", "cost_center", "unallocated"]
    amount: Decimal | None  # a fixed monthly amount (source 'fixed')
    from_cost_center: str | None  # whose usage is shared (source 'cost_center')
    split: Literal["proportional", "even", "fixed"]
    percentages: Mapping[str, Decimal]  # split 'fixed'; totals 100
    among: tuple[str, ...]  # empty: every cost center that is not a pool source
    line: int


@dataclass(frozen=True)
class SeatPlan:
    """A subscription priced per seat per month, with seat counts per cost center."""

    name: str
    vendor: str
    price_per_seat: Decimal
    seats: Mapping[str, int]
    line: int


@dataclass(frozen=True)
class TrueUp:
    """What to do with what the allocation basis cannot explain (ARCHITECTURE.md §3)."""

    policy: Literal["proportional", "to", "unallocated"] = "unallocated"
    cost_center: str | None = None


def pattern_field(path: Path, mapping: LineDict, key: str, value: Any) -> Pattern:
    """A match value: exact text, a glob (* ? [..]) or {regex: ...}, validated."""
    if isinstance(value, LineDict) and set(value) == {"regex"}:
        expression = str(value["regex"])
        try:
            re.compile(expression)
        except re.error as error:
            raise ConfigError(f"{location(path, value)}: {key}: regex {expression!r} is not valid: {error}.") from error
        return Pattern("regex", expression)
    if value is None or isinstance(value, dict | list):
        raise ConfigError(f"{location(path, mapping, key)}: {key}: expected text, a list of texts, or {{regex: ...}}.")
    text = str(value)
    return Pattern("glob" if _GLOB_CHARACTERS & set(text) else "exact", text)


def _conditions(path: Path, match: LineDict, what: str) -> tuple[RuleCondition, ...]:
    conditions = []
    for dimension, raw_patterns in match.items():
        if dimension not in RULE_DIMENSIONS:
            raise ConfigError(
                f"{location(path, match, dimension)}: {what}.{dimension}: unknown dimension.",
                f"Use one of: {', '.join(RULE_DIMENSIONS)}.",
            )
        values = raw_patterns if isinstance(raw_patterns, list) else [raw_patterns]
        if not values:
            raise ConfigError(f"{location(path, match, dimension)}: {what}.{dimension}: an empty list matches nothing.")
        conditions.append(
            RuleCondition(dimension, tuple(pattern_field(path, match, dimension, value) for value in values))
        )
    if not conditions:
        raise ConfigError(f"{location(path, match)}: {what}: a rule needs at least one condition.")
    return tuple(conditions)


def _amounts_by_key(path: Path, mapping: LineDict, key: str, *, keys_are_months: bool = False) -> dict[str, Decimal]:
    raw = mapping.get(key)
    if raw is None:
        return {}
    section = mapping_field(path, raw, key, mapping, key)
    amounts = {}
    for entry in section:
        if keys_are_months and not _MONTH.fullmatch(entry):
            raise ConfigError(f"{location(path, section, entry)}: {key}.{entry}: not a month; write YYYY-MM.")
        amount = decimal_field(path, section, entry, required=True)
        assert amount is not None
        amounts[entry] = amount
    return amounts


def parse_cost_centers(path: Path, document: LineDict) -> tuple[CostCenter, ...]:
    cost_centers: list[CostCenter] = []
    parent_lines: dict[str, str] = {}  # code -> file:line of its `parent:` key
    for raw_center in list_field(path, document, "cost_centers"):
        center = mapping_field(path, raw_center, "cost_centers entry", document, "cost_centers")
        code = text_field(path, center, "code", required=True)
        assert code is not None
        if code == UNALLOCATED or any(existing.code == code for existing in cost_centers):
            raise ConfigError(f"{location(path, center, 'code')}: code: {code!r} is used twice or reserved.")
        thresholds = center.get("alert_thresholds")
        if thresholds is not None and (
            not isinstance(thresholds, list)
            or not all(isinstance(item, int) and not isinstance(item, bool) and 0 < item <= 100 for item in thresholds)
        ):
            raise ConfigError(
                f"{location(path, center, 'alert_thresholds')}: alert_thresholds: a list of whole percentages of the "
                "budget from 1 to 100, for example [50, 80, 100] (not fractions such as 0.8).",
                "Spend above the budget is reported at 100 %; a threshold above it would never be the first alert.",
            )
        parent_lines[code] = location(path, center, "parent")
        cost_centers.append(
            CostCenter(
                code=code,
                name=text_field(path, center, "name", required=False) or code,
                owner=text_field(path, center, "owner", required=False),
                monthly_budget=decimal_field(path, center, "monthly_budget", required=False),
                parent=text_field(path, center, "parent", required=False),
                budget_overrides=_amounts_by_key(path, center, "budgets", keys_are_months=True),
                alert_thresholds=(
                    tuple(Decimal(item) for item in sorted(thresholds)) if thresholds else DEFAULT_ALERT_THRESHOLDS
                ),
                feature_budgets=_amounts_by_key(path, center, "feature_budgets"),
                line=center.line,
            )
        )
    by_code = {center.code: center for center in cost_centers}
    for center in cost_centers:
        if center.parent is not None and center.parent not in by_code:
            raise ConfigError(f"{parent_lines[center.code]}: parent: {center.parent!r} is not a cost center code.")
        seen = [center.code]
        ancestor = center.parent
        while ancestor is not None:
            if ancestor in seen:
                raise ConfigError(
                    f"{parent_lines[center.code]}: parent: the cost centers {' > '.join([*seen, ancestor])} "
                    "form a cycle."
                )
            seen.append(ancestor)
            ancestor = by_code[ancestor].parent
    return tuple(cost_centers)


def _known(path: Path, mapping: LineDict, key: str, code: str | None, known_codes: set[str]) -> str:
    if code not in known_codes:
        raise ConfigError(
            f"{location(path, mapping, key)}: {key}: {code!r} is not one of the cost_centers "
            f"({', '.join(sorted(known_codes)) or 'none defined'})."
        )
    assert code is not None
    return code


def parse_rules(
    path: Path, document: LineDict, known_codes: set[str], first_position: int
) -> tuple[AllocationRule, ...]:
    rules: list[AllocationRule] = []
    for position, raw_rule in enumerate(list_field(path, document, "rules"), start=first_position):
        rule = mapping_field(path, raw_rule, "rules entry", document, "rules")
        target = _known(path, rule, "cost_center", text_field(path, rule, "cost_center", required=True), known_codes)
        match = mapping_field(path, rule.get("match"), "match", rule, "match")
        effective_from = date_field(path, rule, "effective_from", required=False)
        effective_to = date_field(path, rule, "effective_to", required=False)
        if effective_from and effective_to and effective_to <= effective_from:
            raise ConfigError(f"{location(path, rule, 'effective_to')}: effective_to: must be after effective_from.")
        rules.append(
            AllocationRule(position, target, _conditions(path, match, "match"), rule.line, effective_from, effective_to)
        )
    return tuple(rules)


def parse_use_cases(path: Path, document: LineDict, known_codes: set[str]) -> tuple[UseCase, ...]:
    use_cases = []
    for raw_use_case in list_field(path, document, "use_cases"):
        use_case = mapping_field(path, raw_use_case, "use_cases entry", document, "use_cases")
        name = text_field(path, use_case, "name", required=True)
        assert name is not None
        key_aliases, features = (_texts(path, use_case, key) for key in ("key_aliases", "features"))
        if not key_aliases and not features:
            raise ConfigError(
                f"{location(path, use_case)}: use case {name!r}: give its key_aliases or features.",
                "A registered use case is recognised by its API keys or its feature tag.",
            )
        use_cases.append(
            UseCase(
                name=name,
                owner=text_field(path, use_case, "owner", required=False),
                cost_center=_known(
                    path, use_case, "cost_center", text_field(path, use_case, "cost_center", required=True), known_codes
                ),
                monthly_budget=decimal_field(path, use_case, "monthly_budget", required=False),
                key_aliases=key_aliases,
                features=features,
                line=use_case.line,
                approved=_flag(path, use_case, "approved"),
            )
        )
    return tuple(use_cases)


def _flag(path: Path, mapping: LineDict, key: str) -> bool:
    value = mapping.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{location(path, mapping, key)}: {key}: write true or false.")
    return value


def use_case_rules(use_cases: tuple[UseCase, ...]) -> tuple[AllocationRule, ...]:
    """Registered use cases are matched before the rules: a registered key's owner pays for it."""
    rules = []
    for position, use_case in enumerate(use_cases, start=1):
        conditions = []
        if use_case.key_aliases:
            conditions.append(RuleCondition("key_alias", tuple(Pattern("exact", k) for k in use_case.key_aliases)))
        else:
            conditions.append(RuleCondition("feature", tuple(Pattern("exact", f) for f in use_case.features)))
        rules.append(
            AllocationRule(position, use_case.cost_center, tuple(conditions), use_case.line, name=use_case.name)
        )
    return tuple(rules)


def _texts(path: Path, mapping: LineDict, key: str) -> tuple[str, ...]:
    value = mapping.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str | int) for item in value):
        raise ConfigError(f"{location(path, mapping, key)}: {key}: expected a list of names.")
    return tuple(str(item) for item in value)


def parse_shared_pools(path: Path, document: LineDict, known_codes: set[str]) -> tuple[SharedPool, ...]:
    pools = []
    for raw_pool in list_field(path, document, "shared_pools"):
        pool = mapping_field(path, raw_pool, "shared_pools entry", document, "shared_pools")
        name = text_field(path, pool, "name", required=True)
        assert name is not None
        amount = decimal_field(path, pool, "amount", required=False)
        source_text = text_field(path, pool, "from", required=False)
        if (amount is None) == (source_text is None):
            raise ConfigError(
                f"{location(path, pool)}: shared pool {name!r}: give either `amount` (a fixed monthly cost) or "
                "`from` (a cost center code, or unallocated)."
            )
        source: Literal["fixed", "cost_center", "unallocated"]
        if amount is not None:
            source, from_cost_center = "fixed", None
        elif source_text == UNALLOCATED:
            source, from_cost_center = "unallocated", None
        else:
            source, from_cost_center = "cost_center", _known(path, pool, "from", source_text, known_codes)
        split = text_field(path, pool, "split", required=False) or "proportional"
        if split not in ("proportional", "even", "fixed"):
            raise ConfigError(
                f"{location(path, pool, 'split')}: split: {split!r} is not a method.",
                "Use proportional, even or fixed.",
            )
        percentages = _amounts_by_key(path, pool, "percentages")
        for code in percentages:
            _known(path, pool, "percentages", code, known_codes)
        if split == "fixed" and sum(percentages.values(), Decimal(0)) != 100:
            raise ConfigError(
                f"{location(path, pool, 'percentages')}: percentages: they total "
                f"{sum(percentages.values(), Decimal(0))} %, not 100 %."
            )
        if split != "fixed" and percentages:
            raise ConfigError(f"{location(path, pool, 'percentages')}: percentages: only for split: fixed.")
        among = _texts(path, pool, "among")
        for code in among:
            _known(path, pool, "among", code, known_codes)
        pools.append(SharedPool(name, source, amount, from_cost_center, split, percentages, among, pool.line))  # type: ignore[arg-type]
    return tuple(pools)


def parse_seats(path: Path, document: LineDict, known_codes: set[str]) -> tuple[SeatPlan, ...]:
    plans = []
    for raw_plan in list_field(path, document, "seats"):
        plan = mapping_field(path, raw_plan, "seats entry", document, "seats")
        name = text_field(path, plan, "name", required=True)
        price = decimal_field(path, plan, "price_per_seat", required=True)
        assert name is not None and price is not None
        raw_counts = mapping_field(path, plan.get("assignments"), "assignments", plan, "assignments")
        counts = {}
        for code, count in raw_counts.items():
            _known(path, raw_counts, code, code, known_codes)
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise ConfigError(f"{location(path, raw_counts, code)}: {code}: a seat count is a whole number.")
            counts[code] = count
        plans.append(SeatPlan(name, text_field(path, plan, "vendor", required=False) or name, price, counts, plan.line))
    return tuple(plans)


def parse_true_up(path: Path, document: LineDict, known_codes: set[str]) -> TrueUp:
    raw = document.get("true_up")
    if raw is None:
        return TrueUp()
    if raw in ("proportional", "unallocated"):
        return TrueUp(raw)
    true_up = mapping_field(path, raw, "true_up", document, "true_up")
    if set(true_up) != {"to"}:
        raise ConfigError(
            f"{location(path, document, 'true_up')}: true_up: write proportional, unallocated, or {{to: CODE}}."
        )
    return TrueUp("to", _known(path, true_up, "to", text_field(path, true_up, "to", required=True), known_codes))


def shadowed_rule_warnings(path: Path, rules: tuple[AllocationRule, ...]) -> tuple[str, ...]:
    """Rules that can never match: an earlier rule, in effect at least as long, matches everything they match."""
    warnings = []
    for later_index, later in enumerate(rules):
        for earlier in rules[:later_index]:
            covers_dates = (
                earlier.effective_from is None
                or (later.effective_from is not None and earlier.effective_from <= later.effective_from)
            ) and (
                earlier.effective_to is None
                or (later.effective_to is not None and later.effective_to <= earlier.effective_to)
            )
            if covers_dates and set(earlier.conditions) <= set(later.conditions):
                warnings.append(
                    f"{path}:{later.line}: {later.label} can never match: {earlier.label} matches everything it "
                    "matches and comes first."
                )
                break
    return tuple(warnings)
