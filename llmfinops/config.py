"""finops.yaml -> a typed, validated Config. Every error names the file, the line and the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmfinops.errors import ConfigError
from llmfinops.yamlfile import LineDict, date_field, decimal_field, load_yaml, location

UNALLOCATED = "unallocated"

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


@dataclass(frozen=True)
class CostCenter:
    code: str
    name: str
    owner: str | None
    monthly_budget: Decimal | None
    parent: str | None


@dataclass(frozen=True)
class RuleCondition:
    dimension: str
    patterns: tuple[str, ...]  # any of them; each exact, or a glob when it has * ? or [


@dataclass(frozen=True)
class AllocationRule:
    position: int  # 1-based order in finops.yaml; the first matching rule wins
    cost_center: str
    conditions: tuple[RuleCondition, ...]  # all must hold
    line: int


@dataclass(frozen=True)
class ContractDiscount:
    """A negotiated discount off list prices, for one provider's models matching a glob, over [from, to)."""

    position: int
    provider: str
    model_pattern: str
    discount_percent: Decimal
    effective_from: date
    effective_to: date | None


@dataclass(frozen=True)
class ModelAlias:
    """A workspace's own name for a priced model (an Azure deployment name, an internal alias)."""

    provider: str
    name: str
    model: str


@dataclass(frozen=True)
class Config:
    currency: str
    cost_centers: tuple[CostCenter, ...]
    rules: tuple[AllocationRule, ...]
    contracts: tuple[ContractDiscount, ...] = ()
    model_aliases: tuple[ModelAlias, ...] = ()
    path: Path | None = None


def _require_mapping(path: Path, value: Any, what: str, parent: Any, key: str | None) -> LineDict:
    if not isinstance(value, LineDict):
        raise ConfigError(f"{location(path, parent, key)}: {what}: expected a mapping, got {type(value).__name__}.")
    return value


def _text(path: Path, mapping: LineDict, key: str, *, required: bool) -> str | None:
    value = mapping.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{location(path, mapping)}: {key}: missing.", f"Add `{key}:` to this entry.")
        return None
    if isinstance(value, dict | list):
        raise ConfigError(f"{location(path, mapping, key)}: {key}: expected text, got a {type(value).__name__}.")
    return str(value)


def _list_section(path: Path, document: LineDict, key: str) -> list[Any]:
    section = document.get(key) or []
    if not isinstance(section, list):
        raise ConfigError(f"{location(path, document, key)}: {key}: expected a list.")
    return section


def _parse_cost_centers(path: Path, document: LineDict) -> tuple[CostCenter, ...]:
    cost_centers: list[CostCenter] = []
    raw_centers = _list_section(path, document, "cost_centers")
    for raw_center in raw_centers:
        center = _require_mapping(path, raw_center, "cost_centers entry", document, "cost_centers")
        code = _text(path, center, "code", required=True)
        assert code is not None
        if code == UNALLOCATED or any(existing.code == code for existing in cost_centers):
            raise ConfigError(f"{location(path, center, 'code')}: code: {code!r} is used twice or reserved.")
        cost_centers.append(
            CostCenter(
                code=code,
                name=_text(path, center, "name", required=False) or code,
                owner=_text(path, center, "owner", required=False),
                monthly_budget=decimal_field(path, center, "monthly_budget", required=False),
                parent=_text(path, center, "parent", required=False),
            )
        )
    known_codes = {center.code for center in cost_centers}
    for center, raw_center in zip(cost_centers, raw_centers, strict=True):
        if center.parent is not None and center.parent not in known_codes:
            raise ConfigError(
                f"{location(path, raw_center, 'parent')}: parent: {center.parent!r} is not a cost center code."
            )
    return tuple(cost_centers)


def _parse_rules(path: Path, document: LineDict, known_codes: set[str]) -> tuple[AllocationRule, ...]:
    rules: list[AllocationRule] = []
    for position, raw_rule in enumerate(_list_section(path, document, "rules"), start=1):
        rule = _require_mapping(path, raw_rule, "rules entry", document, "rules")
        target = _text(path, rule, "cost_center", required=True)
        if target not in known_codes:
            raise ConfigError(
                f"{location(path, rule, 'cost_center')}: cost_center: {target!r} is not one of the cost_centers "
                f"({', '.join(sorted(known_codes)) or 'none defined'})."
            )
        match = _require_mapping(path, rule.get("match"), "match", rule, "match")
        conditions = []
        for dimension, raw_patterns in match.items():
            if dimension not in RULE_DIMENSIONS:
                raise ConfigError(
                    f"{location(path, match, dimension)}: match.{dimension}: unknown dimension.",
                    f"Use one of: {', '.join(RULE_DIMENSIONS)}.",
                )
            patterns = raw_patterns if isinstance(raw_patterns, list) else [raw_patterns]
            if not patterns or any(pattern is None or isinstance(pattern, dict | list) for pattern in patterns):
                raise ConfigError(f"{location(path, match, dimension)}: match.{dimension}: expected text or a list.")
            conditions.append(RuleCondition(dimension, tuple(str(pattern) for pattern in patterns)))
        if not conditions:
            raise ConfigError(f"{location(path, rule, 'match')}: match: a rule needs at least one condition.")
        assert target is not None
        rules.append(AllocationRule(position, target, tuple(conditions), rule.line))
    return tuple(rules)


def _parse_contracts(path: Path, document: LineDict) -> tuple[ContractDiscount, ...]:
    contracts = []
    for position, raw_contract in enumerate(_list_section(path, document, "contracts"), start=1):
        contract = _require_mapping(path, raw_contract, "contracts entry", document, "contracts")
        discount = decimal_field(path, contract, "discount_percent", required=True, max_decimals=4)
        assert discount is not None
        if discount > 100:
            raise ConfigError(f"{location(path, contract, 'discount_percent')}: discount_percent: above 100.")
        effective_from = date_field(path, contract, "effective_from", required=True)
        assert effective_from is not None
        effective_to = date_field(path, contract, "effective_to", required=False)
        if effective_to is not None and effective_to <= effective_from:
            raise ConfigError(
                f"{location(path, contract, 'effective_to')}: effective_to: must be after effective_from."
            )
        provider = _text(path, contract, "provider", required=True)
        assert provider is not None
        contracts.append(
            ContractDiscount(
                position=position,
                provider=provider.lower(),
                model_pattern=(_text(path, contract, "models", required=False) or "*").lower(),
                discount_percent=discount,
                effective_from=effective_from,
                effective_to=effective_to,
            )
        )
    return tuple(contracts)


def _parse_model_aliases(path: Path, document: LineDict) -> tuple[ModelAlias, ...]:
    aliases = []
    for raw_alias in _list_section(path, document, "model_aliases"):
        alias = _require_mapping(path, raw_alias, "model_aliases entry", document, "model_aliases")
        provider, name, model = (_text(path, alias, key, required=True) for key in ("provider", "name", "model"))
        assert provider is not None and name is not None and model is not None
        aliases.append(ModelAlias(provider.lower(), name.lower(), model.lower()))
    return tuple(aliases)


def parse_config(raw: Any, path: Path) -> Config:
    """Validate the YAML document of finops.yaml."""
    if raw is None:
        raw = LineDict()
        raw.line, raw.key_lines = 1, {}
    document = _require_mapping(path, raw, "finops.yaml", None, None)
    currency = (_text(path, document, "currency", required=False) or "USD").upper()
    if currency != "USD":
        raise ConfigError(
            f"{location(path, document, 'currency')}: currency: {currency} is not supported yet.",
            "Price tables are in USD and there is no currency conversion; use USD.",
        )
    cost_centers = _parse_cost_centers(path, document)
    return Config(
        currency=currency,
        cost_centers=cost_centers,
        rules=_parse_rules(path, document, {center.code for center in cost_centers}),
        contracts=_parse_contracts(path, document),
        model_aliases=_parse_model_aliases(path, document),
        path=path,
    )


def load_config(path: Path) -> Config:
    """Read and validate finops.yaml."""
    return parse_config(load_yaml(path), path)
