"""The weekly CFO summary: one page, this week beside last week.

Total spend, budget against month-to-date (prorated), the top spending feature, cache hit rate, the premium-model
share, the month-end forecast with its method and measured error, anomalies (the spike rule of finops.yaml, and
the entities with the largest jumps) and the three biggest movers with their cause. Built on the governance
check's daily aggregate and findings, so the CFO page and `check` never disagree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from llmfinops.allocate.rules import pattern_matches
from llmfinops.checks.evaluate import CheckReport, Finding, evaluate_policies
from llmfinops.config import Config
from llmfinops.db.connection import Database
from llmfinops.errors import UsageError
from llmfinops.periods import Month
from llmfinops.spend import Spend, daily_spend

ZERO = Decimal(0)
CENT = Decimal("0.01")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-W{self.number:02d}"

    @property
    def start(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def end(self) -> date:
        """The week's last day (Sunday), inclusive."""
        return self.start + timedelta(days=6)

    def previous(self) -> Week:
        year, number, _ = (self.start - timedelta(days=7)).isocalendar()
        return Week(year, number)


def parse_week(text: str) -> Week:
    """`2026-W43` -> the ISO week (Monday to Sunday, UTC)."""
    match = _WEEK.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)  # a week number the year has
    except ValueError as error:
        raise UsageError(
            f"--week {text!r}: not an ISO week.", "Write it as YYYY-Www, for example --week 2026-W43."
        ) from error
    return Week(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class Comparison:
    """A metric this week beside last week."""

    this_week: Decimal
    last_week: Decimal

    @property
    def change_percent(self) -> Decimal | None:
        if not self.last_week:
            return None
        return ((self.this_week - self.last_week) * 100 / self.last_week).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Mover:
    dimension: str  # model | feature | key
    name: str
    this_week: Decimal
    last_week: Decimal
    cause: str  # what drove it: the model (or key) of the mover that grew most

    @property
    def change(self) -> Decimal:
        return self.this_week - self.last_week


@dataclass(frozen=True)
class DaySpend:
    day: date
    cost: Decimal
    anomaly: bool  # above the spike rule's factor x its trailing average


@dataclass(frozen=True)
class CfoWeeklyReport:
    week: str
    week_start: date
    week_end: date
    currency: str
    scope: str  # "all cost centers" or the subtree
    total_spend: Comparison
    month: str
    month_to_date: Decimal
    monthly_budget: Decimal
    prorated_budget: Decimal  # budget x days elapsed / days in month
    top_feature: str | None
    top_feature_spend: Comparison
    cache_hit_rate: Comparison  # percent of prompt tokens read from cache
    premium_share: Comparison  # percent of spend on premium models (policies.premium)
    forecast: Decimal  # month end at the run rate
    forecast_method: str
    forecast_error: str  # the method's measured error on past months
    daily: tuple[DaySpend, ...]  # both weeks, for the trend
    anomalies: tuple[Finding, ...]  # spike findings on days of this week
    movers: tuple[Mover, ...]  # the three largest moves, up or down
    critical_findings: tuple[Finding, ...]  # every critical finding of the month to date


def build_cfo_weekly(
    database: Database,
    config: Config,
    week: Week,
    *,
    cost_centers: set[str] | None = None,
    scope: str = "all cost centers",
) -> CfoWeeklyReport:
    last = week.previous()
    trailing = config.policies.spikes.trailing_days
    start = min(last.start, date(week.end.year, week.end.month, 1)) - timedelta(days=trailing)
    rows = [
        row
        for row in daily_spend(database, config, _midnight(start), _midnight(week.end + timedelta(days=1)))
        if cost_centers is None or row.cost_center in cost_centers
    ]
    this_rows = [row for row in rows if week.start <= row.day <= week.end]
    last_rows = [row for row in rows if last.start <= row.day <= last.end]
    month = Month(week.end.year, week.end.month)
    check = evaluate_policies(database, config, month, as_of=week.end)
    month_rows = [row for row in rows if row.day >= month.start.date()]
    budget = sum(
        (
            center.budget_for(month.label) or ZERO
            for center in config.cost_centers
            if cost_centers is None or center.code in cost_centers
        ),
        ZERO,
    )
    top_feature = _top_name(this_rows, "feature")
    return CfoWeeklyReport(
        week=week.label,
        week_start=week.start,
        week_end=week.end,
        currency=config.currency,
        scope=scope,
        total_spend=Comparison(_cents(_total(this_rows)), _cents(_total(last_rows))),
        month=month.label,
        month_to_date=_cents(_total(month_rows)),
        monthly_budget=budget,
        prorated_budget=_cents(budget * check.days_elapsed / check.days_in_month),
        top_feature=top_feature,
        top_feature_spend=Comparison(
            _cents(_total(row for row in this_rows if row.feature == top_feature)),
            _cents(_total(row for row in last_rows if row.feature == top_feature)),
        ),
        cache_hit_rate=Comparison(_cache_hit_rate(this_rows), _cache_hit_rate(last_rows)),
        premium_share=Comparison(_premium_share(config, this_rows), _premium_share(config, last_rows)),
        forecast=_cents(_total(month_rows) * check.days_in_month / check.days_elapsed),
        forecast_method=check.forecast_method,
        forecast_error=_forecast_error_text(check),
        daily=_daily(rows, last.start, week.end, config),
        anomalies=tuple(
            finding
            for finding in check.findings
            if finding.policy == "spike"
            and week.start.isoformat() <= finding.message[:10] <= week.end.isoformat()
            and _in_scope(finding, cost_centers)
        ),
        movers=_movers(this_rows, last_rows),
        critical_findings=tuple(
            finding for finding in check.findings if finding.severity == "critical" and _in_scope(finding, cost_centers)
        ),
    )


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _total(rows: Iterable[Spend]) -> Decimal:
    return sum((row.cost for row in rows), ZERO)


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT)


def _top_name(rows: list[Spend], attribute: str) -> str | None:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if getattr(row, attribute):
            totals[getattr(row, attribute)] += row.cost
    return min(totals, key=lambda name: (-totals[name], name)) if totals else None


def _cache_hit_rate(rows: list[Spend]) -> Decimal:
    prompt = sum(row.prompt_tokens for row in rows)
    return (
        (Decimal(sum(row.cache_read_tokens for row in rows)) * 100 / prompt).quantize(Decimal("0.1"))
        if prompt
        else ZERO
    )


def _premium_share(config: Config, rows: list[Spend]) -> Decimal:
    total = _total(rows)
    premium = config.policies.premium
    if premium is None or not total:
        return ZERO
    spent = _total(row for row in rows if any(pattern_matches(model, row.model) for model in premium.models))
    return (spent * 100 / total).quantize(Decimal("0.1"))


def _forecast_error_text(check: CheckReport) -> str:
    if not check.forecast_errors:
        return "no complete past month to measure it on"
    return ", ".join(f"{error.month} {error.error_percent:+}%" for error in check.forecast_errors)


def _daily(rows: list[Spend], first: date, last: date, config: Config) -> tuple[DaySpend, ...]:
    by_day: dict[date, Decimal] = defaultdict(Decimal)
    for row in rows:
        by_day[row.day] += row.cost
    rule = config.policies.spikes
    days = []
    day = first
    while day <= last:
        trailing = [by_day.get(day - timedelta(days=offset), ZERO) for offset in range(1, rule.trailing_days + 1)]
        average = sum(trailing, ZERO) / rule.trailing_days
        cost = by_day.get(day, ZERO)
        days.append(DaySpend(day, _cents(cost), bool(average) and cost > rule.factor * average))
        day += timedelta(days=1)
    return tuple(days)


def _movers(this_rows: list[Spend], last_rows: list[Spend]) -> tuple[Mover, ...]:
    movers = []
    for dimension in ("model", "feature", "key"):
        this_totals: dict[str, Decimal] = defaultdict(Decimal)
        last_totals: dict[str, Decimal] = defaultdict(Decimal)
        for row in this_rows:
            this_totals[getattr(row, dimension)] += row.cost
        for row in last_rows:
            last_totals[getattr(row, dimension)] += row.cost
        for name in set(this_totals) | set(last_totals):
            if not name:
                continue
            cause_dimension = "key" if dimension == "model" else "model"
            growth: dict[str, Decimal] = defaultdict(Decimal)
            for row in this_rows:
                if getattr(row, dimension) == name:
                    growth[getattr(row, cause_dimension)] += row.cost
            for row in last_rows:
                if getattr(row, dimension) == name:
                    growth[getattr(row, cause_dimension)] -= row.cost
            change = this_totals[name] - last_totals[name]
            driver = max(growth, key=lambda key: (growth[key] if change >= 0 else -growth[key], key), default="")
            movers.append(
                Mover(
                    dimension,
                    name,
                    _cents(this_totals[name]),
                    _cents(last_totals[name]),
                    f"{cause_dimension} {driver or '(none)'} {growth.get(driver, ZERO):+,.2f}",
                )
            )
    movers.sort(key=lambda mover: (-abs(mover.change), mover.dimension, mover.name))
    return tuple(movers[:3])


def _in_scope(finding: Finding, cost_centers: set[str] | None) -> bool:
    """A scoped page keeps the findings about its cost centers; findings about keys and features, which may cross
    cost centers, are for the whole company's page."""
    return cost_centers is None or finding.cost_center in cost_centers
