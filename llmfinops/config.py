"""finops.yaml -> a typed, validated Config. Every error names the file, the line and the field.

The allocation sections (cost centers, rules, use cases, pools, seats, true-up) are parsed in allocate/settings.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmfinops.allocate.settings import (
    UNALLOCATED,
    AllocationRule,
    CostCenter,
    SeatPlan,
    SharedPool,
    TrueUp,
    UseCase,
    parse_cost_centers,
    parse_rules,
    parse_seats,
    parse_shared_pools,
    parse_true_up,
    parse_use_cases,
    shadowed_rule_warnings,
    use_case_rules,
)
from llmfinops.checks.policies import Policies, parse_policies
from llmfinops.errors import ConfigError, UsageError
from llmfinops.yamlfile import (
    LineDict,
    date_field,
    decimal_field,
    list_field,
    load_yaml,
    location,
    mapping_field,
    text_field,
)


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
class ExchangeRate:
    """Units of the workspace currency for one unit of `currency`, from `effective_from` until the next rate."""

    currency: str
    rate: Decimal
    effective_from: date


@dataclass(frozen=True)
class ReconcileSettings:
    tolerance_percent: Decimal = Decimal(2)
    exchange_rates: tuple[ExchangeRate, ...] = ()

    def rate_for(self, currency: str, on: date) -> ExchangeRate | None:
        """The rate in effect on a day: the latest one that started on or before it."""
        candidates = [rate for rate in self.exchange_rates if rate.currency == currency and rate.effective_from <= on]
        return max(candidates, key=lambda rate: rate.effective_from, default=None)


@dataclass(frozen=True)
class RunMonthSettings:
    """Which checks make `run-month` exit 3, so a scheduler can alert."""

    max_unpriced_percent: Decimal = Decimal(1)  # of the month's requests
    fail_on_budget_breach: bool = False


@dataclass(frozen=True)
class Config:
    currency: str
    cost_centers: tuple[CostCenter, ...]
    rules: tuple[AllocationRule, ...]  # registered use cases first, then the rules, in evaluation order
    contracts: tuple[ContractDiscount, ...] = ()
    model_aliases: tuple[ModelAlias, ...] = ()
    use_cases: tuple[UseCase, ...] = ()
    shared_pools: tuple[SharedPool, ...] = ()
    seats: tuple[SeatPlan, ...] = ()
    true_up: TrueUp = field(default_factory=TrueUp)
    reconcile: ReconcileSettings = field(default_factory=ReconcileSettings)
    run_month: RunMonthSettings = field(default_factory=RunMonthSettings)
    policies: Policies = field(default_factory=Policies)
    warnings: tuple[str, ...] = ()  # things that are allowed but probably wrong (a rule that can never match)
    path: Path | None = None

    def cost_center(self, code: str) -> CostCenter | None:
        return next((center for center in self.cost_centers if center.code == code), None)

    def subtree(self, code: str) -> set[str]:
        """A cost center and every cost center below it (what its lead sees)."""
        if self.cost_center(code) is None:
            raise UsageError(
                f"--cost-center {code}: not a cost center of finops.yaml.",
                f"Use one of: {', '.join(center.code for center in self.cost_centers)}.",
            )
        codes = {code}
        while True:
            below = {center.code for center in self.cost_centers if center.parent in codes} - codes
            if not below:
                return codes
            codes |= below


def _parse_contracts(path: Path, document: LineDict) -> tuple[ContractDiscount, ...]:
    contracts = []
    for position, raw_contract in enumerate(list_field(path, document, "contracts"), start=1):
        contract = mapping_field(path, raw_contract, "contracts entry", document, "contracts")
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
        provider = text_field(path, contract, "provider", required=True)
        assert provider is not None
        contracts.append(
            ContractDiscount(
                position=position,
                provider=provider.lower(),
                model_pattern=(text_field(path, contract, "models", required=False) or "*").lower(),
                discount_percent=discount,
                effective_from=effective_from,
                effective_to=effective_to,
            )
        )
    return tuple(contracts)


def _parse_model_aliases(path: Path, document: LineDict) -> tuple[ModelAlias, ...]:
    aliases = []
    for raw_alias in list_field(path, document, "model_aliases"):
        alias = mapping_field(path, raw_alias, "model_aliases entry", document, "model_aliases")
        provider, name, model = (text_field(path, alias, key, required=True) for key in ("provider", "name", "model"))
        assert provider is not None and name is not None and model is not None
        aliases.append(ModelAlias(provider.lower(), name.lower(), model.lower()))
    return tuple(aliases)


def _parse_reconcile(path: Path, document: LineDict, currency: str) -> ReconcileSettings:
    settings = ReconcileSettings()
    raw = document.get("reconcile")
    if raw is not None:
        section = mapping_field(path, raw, "reconcile", document, "reconcile")
        unknown = set(section) - {"tolerance_percent"}
        if unknown:
            raise ConfigError(
                f"{location(path, section, sorted(unknown)[0])}: reconcile: unknown key {sorted(unknown)[0]}."
            )
        tolerance = decimal_field(path, section, "tolerance_percent", required=False, max_decimals=4)
        if tolerance is not None:
            if tolerance < 0:
                raise ConfigError(f"{location(path, section, 'tolerance_percent')}: tolerance_percent: below 0.")
            settings = ReconcileSettings(tolerance_percent=tolerance)
    rates = []
    for raw_rate in list_field(path, document, "exchange_rates"):
        entry = mapping_field(path, raw_rate, "exchange_rates entry", document, "exchange_rates")
        rate_currency = (text_field(path, entry, "currency", required=True) or "").upper()
        if rate_currency == currency:
            raise ConfigError(
                f"{location(path, entry, 'currency')}: currency: {rate_currency} is the workspace currency itself."
            )
        rate = decimal_field(path, entry, "rate", required=True, max_decimals=10)
        effective_from = date_field(path, entry, "effective_from", required=True)
        assert rate is not None and effective_from is not None
        if rate <= 0:
            raise ConfigError(f"{location(path, entry, 'rate')}: rate: must be above 0.")
        rates.append(ExchangeRate(rate_currency, rate, effective_from))
    return ReconcileSettings(settings.tolerance_percent, tuple(rates))


def _parse_run_month(path: Path, document: LineDict) -> RunMonthSettings:
    raw = document.get("run_month")
    if raw is None:
        return RunMonthSettings()
    section = mapping_field(path, raw, "run_month", document, "run_month")
    unknown = sorted(set(section) - {"max_unpriced_percent", "fail_on_budget_breach"})
    if unknown:
        raise ConfigError(f"{location(path, section, unknown[0])}: run_month: unknown key {unknown[0]}.")
    limit = decimal_field(path, section, "max_unpriced_percent", required=False, max_decimals=4)
    fail_on_breach = section.get("fail_on_budget_breach", False)
    if not isinstance(fail_on_breach, bool):
        raise ConfigError(f"{location(path, section, 'fail_on_budget_breach')}: fail_on_budget_breach: true or false.")
    return RunMonthSettings(RunMonthSettings.max_unpriced_percent if limit is None else limit, fail_on_breach)


def parse_config(raw: Any, path: Path) -> Config:
    """Validate the YAML document of finops.yaml."""
    if raw is None:
        raw = LineDict()
        raw.line, raw.key_lines = 1, {}
    document = mapping_field(path, raw, "finops.yaml", None, None)
    currency = (text_field(path, document, "currency", required=False) or "USD").upper()
    if currency != "USD":
        raise ConfigError(
            f"{location(path, document, 'currency')}: currency: {currency} is not supported yet.",
            "Price tables are in USD and there is no currency conversion; use USD.",
        )
    cost_centers = parse_cost_centers(path, document)
    known_codes = {center.code for center in cost_centers}
    use_cases = parse_use_cases(path, document, known_codes)
    registered = use_case_rules(use_cases)
    rules = registered + parse_rules(path, document, known_codes, first_position=len(registered) + 1)
    return Config(
        currency=currency,
        cost_centers=cost_centers,
        rules=rules,
        contracts=_parse_contracts(path, document),
        model_aliases=_parse_model_aliases(path, document),
        use_cases=use_cases,
        shared_pools=parse_shared_pools(path, document, known_codes),
        seats=parse_seats(path, document, known_codes),
        true_up=parse_true_up(path, document, known_codes),
        reconcile=_parse_reconcile(path, document, currency),
        run_month=_parse_run_month(path, document),
        policies=parse_policies(path, document, known_codes),
        warnings=shadowed_rule_warnings(path, rules),
        path=path,
    )


__all__ = [
    "UNALLOCATED",
    "Config",
    "ContractDiscount",
    "ExchangeRate",
    "ModelAlias",
    "ReconcileSettings",
    "RunMonthSettings",
    "load_config",
    "parse_config",
]


def load_config(path: Path) -> Config:
    """Read and validate finops.yaml."""
    return parse_config(load_yaml(path), path)
