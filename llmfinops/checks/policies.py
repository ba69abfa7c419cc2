"""Governance policies of finops.yaml (`policies:`), validated with file, line and reason.

Budget thresholds live on the cost centers (`alert_thresholds`, `feature_budgets`) and use cases
(`monthly_budget`); this section holds the rest: the approval threshold of a use case's monthly cost, the spike
rule, the premium-model policy, caps on keys matching a pattern, and whether every key must be registered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from llmfinops.allocate.settings import Pattern, pattern_field
from llmfinops.errors import ConfigError
from llmfinops.yamlfile import LineDict, decimal_field, list_field, location, mapping_field

_POLICY_KEYS = ("approval_above", "spikes", "premium", "key_caps", "registration")


@dataclass(frozen=True)
class SpikeRule:
    """A day whose spend is above `factor` x the average of the `trailing_days` before it (and at least
    `min_daily_cost`, so a key that spends cents does not page anyone), per cost center, feature and key."""

    factor: Decimal = Decimal(3)
    trailing_days: int = 7
    min_daily_cost: Decimal = Decimal(100)


@dataclass(frozen=True)
class PremiumPolicy:
    models: tuple[Pattern, ...]  # the models that are premium (priced model ids; exact, glob or regex)
    allowed: tuple[str, ...]  # cost centers that may use them


@dataclass(frozen=True)
class KeyCap:
    keys: Pattern  # key aliases the cap applies to, e.g. glob sandbox-*
    monthly_cap: Decimal
    line: int


@dataclass(frozen=True)
class Policies:
    approval_above: Decimal | None = None  # a use case costing more in a month needs `approved: true`
    spikes: SpikeRule = field(default_factory=SpikeRule)
    premium: PremiumPolicy | None = None
    key_caps: tuple[KeyCap, ...] = ()
    registration_required: bool = False  # every key must belong to a registered use case


def parse_policies(path: Path, document: LineDict, known_codes: set[str]) -> Policies:
    raw = document.get("policies")
    if raw is None:
        return Policies()
    section = mapping_field(path, raw, "policies", document, "policies")
    for key in section:
        if key not in _POLICY_KEYS:
            raise ConfigError(
                f"{location(path, section, key)}: policies.{key}: unknown policy.",
                f"Use one of: {', '.join(_POLICY_KEYS)}.",
            )
    registration = section.get("registration", "optional")
    if registration not in ("required", "optional"):
        raise ConfigError(f"{location(path, section, 'registration')}: registration: write required or optional.")
    return Policies(
        approval_above=decimal_field(path, section, "approval_above", required=False),
        spikes=_spike_rule(path, section),
        premium=_premium(path, section, known_codes),
        key_caps=_key_caps(path, section),
        registration_required=registration == "required",
    )


def _spike_rule(path: Path, section: LineDict) -> SpikeRule:
    raw = section.get("spikes")
    if raw is None:
        return SpikeRule()
    spikes = mapping_field(path, raw, "spikes", section, "spikes")
    factor = decimal_field(path, spikes, "factor", required=False, max_decimals=2)
    if factor is not None and factor <= 1:
        raise ConfigError(
            f"{location(path, spikes, 'factor')}: spikes.factor: {factor} is not above 1.",
            "It multiplies the trailing average: 3 means a day above three times the usual spend.",
        )
    days = spikes.get("trailing_days", SpikeRule.trailing_days)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
        raise ConfigError(
            f"{location(path, spikes, 'trailing_days')}: spikes.trailing_days: a whole number of days, 1 to 90."
        )
    minimum = decimal_field(path, spikes, "min_daily_cost", required=False)
    return SpikeRule(
        factor if factor is not None else SpikeRule.factor,
        days,
        minimum if minimum is not None else SpikeRule.min_daily_cost,
    )


def _premium(path: Path, section: LineDict, known_codes: set[str]) -> PremiumPolicy | None:
    raw = section.get("premium")
    if raw is None:
        return None
    premium = mapping_field(path, raw, "premium", section, "premium")
    models = premium.get("models")
    if not isinstance(models, list) or not models:
        raise ConfigError(f"{location(path, premium, 'models')}: premium.models: a list of model ids or globs.")
    allowed = premium.get("allowed") or []
    if not isinstance(allowed, list):
        raise ConfigError(f"{location(path, premium, 'allowed')}: premium.allowed: a list of cost center codes.")
    for code in allowed:
        if str(code) not in known_codes:
            raise ConfigError(
                f"{location(path, premium, 'allowed')}: premium.allowed: {code!r} is not a cost center code.",
                f"Known codes: {', '.join(sorted(known_codes))}.",
            )
    return PremiumPolicy(
        tuple(pattern_field(path, premium, "models", model) for model in models), tuple(str(code) for code in allowed)
    )


def _key_caps(path: Path, section: LineDict) -> tuple[KeyCap, ...]:
    caps = []
    for raw_cap in list_field(path, section, "key_caps"):
        cap = mapping_field(path, raw_cap, "key_caps entry", section, "key_caps")
        if "keys" not in cap:
            raise ConfigError(f"{location(path, cap)}: key_caps: give `keys` (a key alias, glob or {{regex: ...}}).")
        amount = decimal_field(path, cap, "monthly_cap", required=True)
        assert amount is not None
        caps.append(KeyCap(pattern_field(path, cap, "keys", cap["keys"]), amount, cap.line))
    return tuple(caps)
