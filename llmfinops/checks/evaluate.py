"""Evaluate the governance policies over a month (or a month to date): budgets with forecast, use-case approval,
spikes, key caps, premium models and registration. One aggregate query (day x cost center x feature x key x
model) feeds every policy; what follows works on those few thousand sums with exact Decimals.

Budget periods are calendar months computed from the data (UTC), never a running counter.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Literal

from llmfinops.allocate.rules import pattern_matches
from llmfinops.allocate.settings import DEFAULT_ALERT_THRESHOLDS
from llmfinops.config import Config
from llmfinops.db.connection import Database
from llmfinops.periods import Month
from llmfinops.spend import Spend, daily_spend

Severity = Literal["info", "warning", "critical"]
SEVERITY_ORDER: dict[Severity, int] = {"info": 0, "warning": 1, "critical": 2}
ZERO = Decimal(0)
FORECAST_METHOD = (
    "linear run rate: month-to-date spend / days elapsed x days in the month (weekends and weekdays alike)"
)
#: The day of the month at which past months' forecasts are measured against what they turned out to be, and how
#: many past months are measured.
FORECAST_CHECK_DAY = 15
FORECAST_HISTORY_MONTHS = 6


@dataclass(frozen=True)
class Finding:
    policy: str  # budget | feature_budget | use_case_budget | approval | spike | key_cap | premium | registration
    severity: Severity
    subject: str  # who or what: "Marketing (CC-2100)", "key sandbox-eng-agents", "use case email drafter"
    owner: str | None
    message: str  # one sentence with the numbers
    causes: tuple[str, ...] = ()  # the rows behind it: top keys, features or models with their cost
    cost_center: str | None = None  # the cost center it is about, where it is about one (for scoped reports)


@dataclass(frozen=True)
class ThresholdCrossing:
    threshold: Decimal  # percent of the budget
    crossed_on: date | None  # the day month-to-date spend reached it
    projected_on: date | None  # not crossed yet: the day the run rate reaches it within the month


@dataclass(frozen=True)
class BudgetStatus:
    kind: Literal["cost_center", "use_case", "feature"]
    subject: str
    owner: str | None
    budget: Decimal
    spent: Decimal  # month to date, exact
    forecast: Decimal  # month end at the run rate
    thresholds: tuple[ThresholdCrossing, ...]
    cost_center: str | None = None  # the cost center the budget belongs to

    @property
    def utilisation_percent(self) -> Decimal:
        return (self.spent * 100 / self.budget).quantize(Decimal("0.1")) if self.budget else ZERO

    @property
    def forecast_percent(self) -> Decimal:
        return (self.forecast * 100 / self.budget).quantize(Decimal("0.1")) if self.budget else ZERO


@dataclass(frozen=True)
class ForecastError:
    month: str
    at_day: int
    forecast: Decimal
    actual: Decimal

    @property
    def error_percent(self) -> Decimal:
        return ((self.forecast - self.actual) * 100 / self.actual).quantize(Decimal("0.1")) if self.actual else ZERO


@dataclass(frozen=True)
class CheckReport:
    month: str
    as_of: date  # the last day evaluated
    days_elapsed: int
    days_in_month: int
    spent: Decimal  # all spend of the month to date
    forecast: Decimal
    forecast_method: str
    forecast_errors: tuple[ForecastError, ...]
    budgets: tuple[BudgetStatus, ...]
    findings: tuple[Finding, ...]  # most severe first

    def at_or_above(self, severity: Severity) -> tuple[Finding, ...]:
        return tuple(
            finding for finding in self.findings if SEVERITY_ORDER[finding.severity] >= SEVERITY_ORDER[severity]
        )


def spend_for_policies(database: Database, config: Config, month: Month) -> list[Spend]:
    """The aggregate the policies read: the month and the spike rule's trailing days before it."""
    return daily_spend(database, config, month.start - timedelta(days=config.policies.spikes.trailing_days), month.end)


def evaluate_policies(
    database: Database,
    config: Config,
    month: Month,
    *,
    as_of: date | None = None,
    spend: list[Spend] | None = None,
) -> CheckReport:
    """Every policy over `month` up to `as_of` (default: the month's last day with usage, or its end). `spend` is
    `spend_for_policies` when the caller has it already (a report reads the same aggregate)."""
    if spend is None:
        spend = spend_for_policies(database, config, month)
    first_day = database.scalar("SELECT CAST(min(ts) AS DATE) FROM usage_for_totals")
    in_month = [row for row in spend if month.start.date() <= row.day < month.end.date()]
    if as_of is None:
        as_of = max((row.day for row in in_month), default=month.end.date() - timedelta(days=1))
    month_to_date = [row for row in in_month if row.day <= as_of]
    days_in_month = calendar.monthrange(month.year, month.month)[1]
    days_elapsed = (as_of - month.start.date()).days + 1
    budgets = _budget_statuses(config, month, month_to_date, as_of, days_elapsed, days_in_month)
    findings = [
        *_budget_findings(budgets),
        *_approval_findings(config, month_to_date),
        *_spike_findings(config, spend, month, as_of, first_day),
        *_key_cap_findings(config, month_to_date),
        *_premium_findings(config, month_to_date),
        *_registration_findings(config, month_to_date),
    ]
    findings.sort(key=lambda finding: (-SEVERITY_ORDER[finding.severity], finding.policy, finding.subject))
    spent = _total(row.cost for row in month_to_date)
    return CheckReport(
        month=month.label,
        as_of=as_of,
        days_elapsed=days_elapsed,
        days_in_month=days_in_month,
        spent=spent,
        forecast=_run_rate(spent, days_elapsed, days_in_month),
        forecast_method=FORECAST_METHOD,
        forecast_errors=_forecast_errors(database, month),
        budgets=tuple(budgets),
        findings=tuple(findings),
    )


def _total(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, ZERO)


def _run_rate(spent: Decimal, days_elapsed: int, days_in_month: int) -> Decimal:
    return (spent * days_in_month / days_elapsed).quantize(Decimal("0.01")) if days_elapsed else ZERO


def _main_cost_center(rows: list[Spend]) -> str | None:
    """The cost center a key's or feature's spend mostly falls to: whose report a finding about it belongs in."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row.cost_center] += row.cost
    return min(totals, key=lambda code: (-totals[code], code)) if totals else None


def _top(rows: Iterable[Spend], attribute: str, limit: int = 3) -> tuple[str, ...]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[getattr(row, attribute) or "(none)"] += row.cost
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return tuple(f"{attribute} {name}: {cost:,.2f}" for name, cost in ranked)


def _budget_statuses(
    config: Config, month: Month, rows: list[Spend], as_of: date, days_elapsed: int, days_in_month: int
) -> list[BudgetStatus]:
    subjects: list[tuple[str, str, str | None, Decimal, tuple[Decimal, ...], list[Spend], str | None]] = []
    for center in config.cost_centers:
        budget = center.budget_for(month.label)
        mine = [row for row in rows if row.cost_center == center.code]
        if budget:
            subjects.append(
                (
                    "cost_center",
                    f"{center.name} ({center.code})",
                    center.owner,
                    budget,
                    center.alert_thresholds,
                    mine,
                    center.code,
                )
            )
        for feature, feature_budget in sorted(center.feature_budgets.items()):
            subjects.append(
                (
                    "feature",
                    f"feature {feature} of {center.name}",
                    center.owner,
                    feature_budget,
                    center.alert_thresholds,
                    [row for row in mine if row.feature == feature],
                    center.code,
                )
            )
    for use_case in config.use_cases:
        if use_case.monthly_budget:
            subjects.append(
                (
                    "use_case",
                    f"use case {use_case.name}",
                    use_case.owner,
                    use_case.monthly_budget,
                    DEFAULT_ALERT_THRESHOLDS,
                    [row for row in rows if row.use_case == use_case.name],
                    use_case.cost_center,
                )
            )
    statuses = []
    for kind, subject, owner, budget, thresholds, mine, code in subjects:
        spent = _total(row.cost for row in mine)
        by_day: dict[date, Decimal] = defaultdict(Decimal)
        for row in mine:
            by_day[row.day] += row.cost
        crossings = []
        for threshold in thresholds:
            amount = budget * threshold / 100
            crossed_on, cumulative = None, ZERO
            for day in sorted(by_day):
                cumulative += by_day[day]
                if cumulative >= amount:
                    crossed_on = day
                    break
            projected_on = None
            daily_rate = spent / days_elapsed if days_elapsed else ZERO
            if crossed_on is None and daily_rate > 0:
                days_needed = int(((amount - spent) / daily_rate).to_integral_value(ROUND_CEILING))
                if days_elapsed + days_needed <= days_in_month:
                    projected_on = as_of + timedelta(days=days_needed)
            crossings.append(ThresholdCrossing(threshold, crossed_on, projected_on))
        statuses.append(
            BudgetStatus(
                kind,
                subject,
                owner,
                budget,
                spent,
                _run_rate(spent, days_elapsed, days_in_month),
                tuple(crossings),
                code,
            )
        )
    return statuses


_BUDGET_POLICY = {"cost_center": "budget", "feature": "feature_budget", "use_case": "use_case_budget"}


def _budget_findings(budgets: list[BudgetStatus]) -> list[Finding]:
    findings = []
    for status in budgets:
        crossed = [crossing for crossing in status.thresholds if crossing.crossed_on is not None]
        if not crossed:
            continue
        highest = crossed[-1]
        severity: Severity = (
            "critical" if highest.threshold >= 100 else "warning" if highest.threshold >= 80 else "info"
        )
        findings.append(
            Finding(
                _BUDGET_POLICY[status.kind],
                severity,
                status.subject,
                status.owner,
                f"spent {status.spent:,.2f} of {status.budget:,.2f} ({status.utilisation_percent}%), past "
                f"{highest.threshold}% on {highest.crossed_on.isoformat()}; month-end forecast "
                f"{status.forecast:,.2f} ({status.forecast_percent}%)",
                cost_center=status.cost_center,
            )
        )
    return findings


def _approval_findings(config: Config, rows: list[Spend]) -> list[Finding]:
    limit = config.policies.approval_above
    if limit is None:
        return []
    findings = []
    for use_case in config.use_cases:
        mine = [row for row in rows if row.use_case == use_case.name]
        spent = _total(row.cost for row in mine)
        if spent > limit and not use_case.approved:
            findings.append(
                Finding(
                    "approval",
                    "warning",
                    f"use case {use_case.name}",
                    use_case.owner,
                    f"cost {spent:,.2f} this month, above the {limit:,.2f} that needs approval, and it is not "
                    "approved (approved: true in finops.yaml)",
                    _top(mine, "model"),
                    use_case.cost_center,
                )
            )
    return findings


def _spike_findings(
    config: Config, spend: list[Spend], month: Month, as_of: date, first_day: date | None
) -> list[Finding]:
    rule = config.policies.spikes
    owners = {center.code: center.owner for center in config.cost_centers}
    findings = []
    for kind, attribute in (("cost center", "cost_center"), ("feature", "feature"), ("key", "key")):
        daily: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for row in spend:
            entity = getattr(row, attribute)
            if entity:
                daily[entity][row.day] += row.cost
        day = month.start.date()
        while day <= as_of:
            history_starts = day - timedelta(days=rule.trailing_days)
            if first_day is not None and history_starts >= first_day:
                for entity, by_day in sorted(daily.items()):
                    cost = by_day.get(day, ZERO)
                    if cost < rule.min_daily_cost:
                        continue
                    average = (
                        _total(
                            by_day.get(history_starts + timedelta(days=offset), ZERO)
                            for offset in range(rule.trailing_days)
                        )
                        / rule.trailing_days
                    )
                    if cost > rule.factor * average:
                        findings.append(
                            _spike(
                                kind,
                                attribute,
                                entity,
                                day,
                                cost,
                                average,
                                spend,
                                rule.trailing_days,
                                owners.get(entity) if attribute == "cost_center" else None,
                            )
                        )
            day += timedelta(days=1)
    return findings


def _spike(
    kind: str,
    attribute: str,
    entity: str,
    day: date,
    cost: Decimal,
    average: Decimal,
    spend: list[Spend],
    trailing_days: int,
    owner: str | None,
) -> Finding:
    """A spike with its cause: the models (and keys or features) whose spend grew most against their average."""
    window_start = day - timedelta(days=trailing_days)
    growth: dict[str, Decimal] = defaultdict(Decimal)
    for row in spend:
        if getattr(row, attribute) != entity:
            continue
        for cause_attribute in ("model", "key" if attribute != "key" else "feature"):
            if not getattr(row, cause_attribute):
                continue  # a row without a feature tag says nothing about which feature drove the jump
            name = f"{cause_attribute} {getattr(row, cause_attribute)}"
            if row.day == day:
                growth[name] += row.cost
            elif window_start <= row.day < day:
                growth[name] -= row.cost / trailing_days
    causes = tuple(
        f"{name}: +{amount:,.2f} over its daily average"
        for name, amount in sorted(growth.items(), key=lambda item: (-item[1], item[0]))[:3]
        if amount > 0
    )
    ratio = f"{cost / average:.1f}x" if average else "no spend before"
    return Finding(
        "spike",
        "critical",
        f"{kind} {entity}",
        owner,
        f"{day.isoformat()}: spent {cost:,.2f}, {ratio} the {trailing_days}-day average of {average:,.2f}",
        causes,
        entity
        if attribute == "cost_center"
        else _main_cost_center([row for row in spend if getattr(row, attribute) == entity and row.day == day]),
    )


def _key_cap_findings(config: Config, rows: list[Spend]) -> list[Finding]:
    findings = []
    keys = sorted({row.key for row in rows if row.key})
    for cap in config.policies.key_caps:
        for key in keys:
            if not pattern_matches(cap.keys, key):
                continue
            mine = [row for row in rows if row.key == key]
            spent = _total(row.cost for row in mine)
            if spent > cap.monthly_cap:
                findings.append(
                    Finding(
                        "key_cap",
                        "critical",
                        f"key {key}",
                        None,
                        f"spent {spent:,.2f} this month, above its cap of {cap.monthly_cap:,.2f} "
                        f"({cap.keys.describe()})",
                        _top(mine, "model"),
                        _main_cost_center(mine),
                    )
                )
    return findings


def _premium_findings(config: Config, rows: list[Spend]) -> list[Finding]:
    premium = config.policies.premium
    if premium is None:
        return []
    owners = {center.code: (center.name, center.owner) for center in config.cost_centers}
    used = [
        row
        for row in rows
        if row.cost_center not in premium.allowed and any(pattern_matches(model, row.model) for model in premium.models)
    ]
    findings = []
    for center in sorted({row.cost_center for row in used}):
        mine = [row for row in used if row.cost_center == center]
        name, owner = owners.get(center, ("Unallocated", None))
        findings.append(
            Finding(
                "premium",
                "warning",
                f"{name} ({center})",
                owner,
                f"used premium models without access: {sum(row.requests for row in mine):,} requests, "
                f"{_total(row.cost for row in mine):,.2f}",
                _top(mine, "model") + _top(mine, "key", 2),
                center,
            )
        )
    return findings


def _registration_findings(config: Config, rows: list[Spend]) -> list[Finding]:
    if not config.policies.registration_required:
        return []
    unregistered = [row for row in rows if row.use_case is None]
    findings = []
    for key in sorted({row.key for row in unregistered}):
        mine = [row for row in unregistered if row.key == key]
        findings.append(
            Finding(
                "registration",
                "warning",
                f"key {key or '(no key)'}",
                None,
                f"not in any registered use case: {sum(row.requests for row in mine):,} requests, "
                f"{_total(row.cost for row in mine):,.2f} this month",
                _top(mine, "model"),
                _main_cost_center(mine),
            )
        )
    return findings


def _months_before(month: Month, count: int) -> datetime:
    index = month.year * 12 + month.month - 1 - count
    return datetime(index // 12, index % 12 + 1, 1)


def _forecast_errors(database: Database, month: Month) -> tuple[ForecastError, ...]:
    """The run-rate forecast made on day FORECAST_CHECK_DAY of each complete month before this one, against what
    the month turned out to be: the measured error of the method."""
    rows = database.fetchall(
        """
        SELECT strftime(ts, '%Y-%m') AS month, day(ts) AS day_of_month,
               coalesce(sum(estimated_cost) FILTER (WHERE priced), CAST(0 AS DECIMAL(38, 12)))
        FROM usage_for_totals WHERE ts >= ? AND ts < ? GROUP BY ALL ORDER BY ALL
        """,
        [_months_before(month, FORECAST_HISTORY_MONTHS), month.start],
    )
    months = sorted({row[0] for row in rows})
    first_month = months[0] if months else None
    errors = []
    for label in months:
        days = [row for row in rows if row[0] == label]
        # a month whose first day has no usage may be partial data, not a month to measure on
        if label == first_month and min(row[1] for row in days) > 1:
            continue
        year, number = (int(part) for part in label.split("-"))
        days_in_month = calendar.monthrange(year, number)[1]
        so_far = _total(row[2] for row in days if row[1] <= FORECAST_CHECK_DAY)
        actual = _total(row[2] for row in days)
        errors.append(
            ForecastError(
                label,
                FORECAST_CHECK_DAY,
                _run_rate(so_far, FORECAST_CHECK_DAY, days_in_month),
                actual.quantize(Decimal("0.01")),
            )
        )
    return tuple(errors)
