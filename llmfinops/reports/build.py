"""Build showback and chargeback for one month from `usage_priced` and the cost-center rules.

Amounts are summed exactly (DECIMAL) in SQL and rounded to cents once, here, with the largest-remainder split so
the cost-center lines add up to the rounded total (ARCHITECTURE.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Literal

from llmfinops.allocate.compute import AllocationLine, MonthAllocation, allocate_month
from llmfinops.allocate.rules import compile_rules
from llmfinops.checks.evaluate import Finding, evaluate_policies, spend_for_policies
from llmfinops.config import UNALLOCATED, Config
from llmfinops.db.connection import Database
from llmfinops.money import largest_remainder_split, to_cents
from llmfinops.periods import Month
from llmfinops.prices.apply import current_pricing_hash
from llmfinops.reconcile.compute import reconcile_month
from llmfinops.spend import Spend

ZERO = Decimal(0)


@dataclass(frozen=True)
class SpendByCostCenter:
    """One cost center's usage in the month, as summed by SQL (estimated cost exact, not rounded)."""

    cost_center: str
    requests: int
    failed_requests: int
    input_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    output_tokens: int
    estimated_cost: Decimal
    unpriced_requests: int


@dataclass(frozen=True)
class UnpricedModel:
    provider: str
    model: str
    requests: int
    tokens: int
    reason: str


@dataclass(frozen=True)
class ShowbackLine:
    cost_center: str
    name: str
    requests: int
    failed_requests: int
    input_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    output_tokens: int
    estimated_cost: Decimal  # cents
    unpriced_requests: int


@dataclass(frozen=True)
class ModelLine:
    provider: str
    model: str
    requests: int
    input_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    output_tokens: int
    estimated_cost: Decimal | None  # cents; None when no request of the model could be priced


@dataclass(frozen=True)
class ShowbackReport:
    month: str
    currency: str
    lines: tuple[ShowbackLine, ...]
    models: tuple[ModelLine, ...]
    total_requests: int
    total_estimated_cost: Decimal  # cents; equals the sum of the lines
    exact_estimated_cost: Decimal  # unrounded, for the invariant check
    unpriced: tuple[UnpricedModel, ...]
    cache_hit_percent: Decimal = ZERO  # prompt tokens read from cache / all prompt tokens
    cost_per_request: Decimal = ZERO  # estimated cost / requests, 4 decimals
    dimensions: tuple[DimensionLine, ...] = ()  # the estimate by feature, user, key, provider and environment
    daily: tuple[DailyCost, ...] = ()  # the daily trend
    as_of: date | None = None  # a month-to-date report: the last day included


@dataclass(frozen=True)
class DimensionLine:
    dimension: Literal["feature", "user", "key", "provider", "environment"]
    name: str
    requests: int
    estimated_cost: Decimal  # cents
    cost_per_request: Decimal  # 4 decimals


@dataclass(frozen=True)
class DailyCost:
    day: date
    requests: int
    estimated_cost: Decimal  # cents


@dataclass(frozen=True)
class ChargebackLine:
    cost_center: str
    name: str
    owner: str | None
    monthly_budget: Decimal | None
    actual: Decimal  # cents: the cost center's own (direct) usage
    variance: Decimal | None  # budget - actual; negative when over budget
    utilisation_percent: Decimal | None  # actual / budget x 100, one decimal
    shared: Decimal  # cents: its share of shared pools
    seats: Decimal  # cents: its seat subscriptions, apart from token spend
    true_up: Decimal  # cents: its part of the difference between invoices and the estimate (finops.yaml true_up)
    adjustments: Decimal  # cents: late data and corrections of closed months, booked in this month
    chargeback: Decimal  # cents: actual + shared + seats + true_up + adjustments
    unpriced_requests: int
    threshold_reached: Decimal | None = None  # the highest alert threshold (percent of budget) the actual reached


@dataclass(frozen=True)
class ChargebackReport:
    month: str
    currency: str
    basis: Literal["estimate", "invoice", "invoice and estimate"]
    basis_note: str
    lines: tuple[ChargebackLine, ...]
    total_budget: Decimal
    total_actual: Decimal
    total_shared: Decimal
    total_seats: Decimal
    total_true_up: Decimal
    total_adjustments: Decimal
    total_chargeback: Decimal
    allocated_percent: Decimal  # of the month's direct spend, the share rules gave to a cost center
    unpriced: tuple[UnpricedModel, ...]
    providers: tuple[ProviderStatus, ...] = ()  # each provider's basis and reconciliation status
    findings: tuple[Finding, ...] = ()  # governance findings of the month at warning and above (`check`)
    drilldown: tuple[DrillLine, ...] = ()  # each cost center's own usage by feature, model and provider
    allocation: tuple[AllocationLine, ...] = ()  # the allocation lines the chargeback adds up (the data sheet)
    pricing_hash: str | None = None  # the price tables (and aliases, contracts) that priced the month
    tolerance_percent: Decimal | None = None  # reconciliation tolerance
    sources: tuple[str, ...] = ()  # the files loaded into the workspace, by name


@dataclass(frozen=True)
class ProviderStatus:
    provider: str
    basis: Literal["invoice", "estimate"]  # what its chargeback distributes
    estimate: Decimal | None
    invoiced_total: Decimal | None
    status: str  # reconciliation: within | outside | no bill | no usage | no rate


@dataclass(frozen=True)
class DrillLine:
    cost_center: str
    dimension: Literal["feature", "model", "provider"]
    name: str
    requests: int
    estimated_cost: Decimal  # cents


def spend_by_cost_center(database: Database, config: Config, month: Month) -> list[SpendByCostCenter]:
    """Usage of the month grouped by the cost center of the first matching rule (before shared pools)."""
    rules = compile_rules(config.rules)
    rows = database.fetchall(
        f"""
        SELECT rule_position,
               coalesce(sum(request_count), 0),
               coalesce(sum(request_count) FILTER (WHERE status = 'failure'), 0),
               coalesce(sum(input_tokens), 0), coalesce(sum(cache_read_tokens), 0),
               coalesce(sum(cache_write_tokens), 0), coalesce(sum(output_tokens), 0),
               coalesce(sum(estimated_cost) FILTER (WHERE priced), CAST(0 AS DECIMAL(38, 12))),
               coalesce(sum(request_count) FILTER (WHERE NOT priced), 0)
        FROM (SELECT *, {rules.position_sql} AS rule_position FROM usage_for_totals WHERE ts >= ? AND ts < ?)
        GROUP BY rule_position
        """,
        [*rules.parameters, month.start, month.end],
    )
    centers = {rule.position: rule.cost_center for rule in config.rules}
    sums: dict[str, list] = {}
    for position, *values in rows:
        center = centers[position] if position is not None else UNALLOCATED
        previous = sums.get(center, [0] * 6 + [ZERO, 0])
        sums[center] = [old + new for old, new in zip(previous, values, strict=True)]
    return [
        SpendByCostCenter(center, *(int(value) for value in values[:6]), values[6], int(values[7]))
        for center, values in sorted(sums.items())
    ]


def unpriced_models(database: Database, month: Month) -> tuple[UnpricedModel, ...]:
    """Models whose usage could not be priced, with the reason; these are never costed at zero."""
    rows = database.fetchall(
        """
        SELECT provider, model, sum(request_count),
               sum(input_tokens + cache_read_tokens + cache_write_tokens + output_tokens), any_value(unpriced_reason)
        FROM usage_for_totals WHERE NOT priced AND ts >= ? AND ts < ?
        GROUP BY provider, model ORDER BY provider, model
        """,
        [month.start, month.end],
    )
    return tuple(UnpricedModel(row[0], row[1], int(row[2]), int(row[3]), row[4]) for row in rows)


def _ordered_centers(config: Config, spend: list[SpendByCostCenter]) -> list[tuple[str, str]]:
    """Configured cost centers in file order, then `unallocated` (always shown)."""
    names = [(center.code, center.name) for center in config.cost_centers]
    known = {code for code, _ in names}
    names += [(row.cost_center, row.cost_center) for row in spend if row.cost_center not in known | {UNALLOCATED}]
    return [*names, (UNALLOCATED, "Unallocated")]


def build_showback(database: Database, config: Config, month: Month) -> ShowbackReport:
    """The estimate by cost center and by model: informational, not what is charged."""
    spend = {row.cost_center: row for row in spend_by_cost_center(database, config, month)}
    centers = _ordered_centers(config, list(spend.values()))
    empty = SpendByCostCenter("", 0, 0, 0, 0, 0, 0, ZERO, 0)
    exact = [spend.get(code, empty).estimated_cost for code, _ in centers]
    exact_total = sum(exact, ZERO)
    rounded = largest_remainder_split(exact_total, exact)
    lines = tuple(
        ShowbackLine(
            code,
            name,
            row.requests,
            row.failed_requests,
            row.input_tokens,
            row.cache_read_tokens,
            row.cache_write_tokens,
            row.output_tokens,
            cents,
            row.unpriced_requests,
        )
        for (code, name), cents in zip(centers, rounded, strict=True)
        for row in [spend.get(code, empty)]
    )
    model_rows = database.fetchall(
        """
        SELECT provider, model, sum(request_count), sum(input_tokens), sum(cache_read_tokens),
               sum(cache_write_tokens), sum(output_tokens), sum(estimated_cost) FILTER (WHERE priced)
        FROM usage_for_totals WHERE ts >= ? AND ts < ?
        GROUP BY provider, model
        ORDER BY sum(estimated_cost) FILTER (WHERE priced) DESC NULLS LAST, provider, model
        """,
        [month.start, month.end],
    )
    models = tuple(
        ModelLine(row[0], row[1], *(int(value) for value in row[2:7]), None if row[7] is None else to_cents(row[7]))
        for row in model_rows
    )
    return ShowbackReport(
        month=month.label,
        currency=config.currency,
        lines=lines,
        models=models,
        total_requests=sum(line.requests for line in lines),
        total_estimated_cost=sum(rounded, ZERO),
        exact_estimated_cost=exact_total,
        unpriced=unpriced_models(database, month),
        cache_hit_percent=_cache_hit_percent(database, month),
        cost_per_request=_per_request(exact_total, sum(line.requests for line in lines)),
        dimensions=_dimensions(database, month),
        as_of=month.until,
        daily=tuple(
            DailyCost(day, int(requests), to_cents(cost))
            for day, requests, cost in database.fetchall(
                """
                SELECT CAST(ts AS DATE), sum(request_count),
                       coalesce(sum(estimated_cost) FILTER (WHERE priced), CAST(0 AS DECIMAL(38, 12)))
                FROM usage_for_totals WHERE ts >= ? AND ts < ? GROUP BY 1 ORDER BY 1
                """,
                [month.start, month.end],
            )
        ),
    )


def _per_request(cost: Decimal, requests: int) -> Decimal:
    return (cost / requests).quantize(Decimal("0.0001")) if requests else ZERO


def _cache_hit_percent(database: Database, month: Month) -> Decimal:
    prompt, cached = database.fetchone(
        """
        SELECT coalesce(sum(input_tokens + cache_read_tokens + cache_write_tokens), 0),
               coalesce(sum(cache_read_tokens), 0)
        FROM usage_for_totals WHERE ts >= ? AND ts < ?
        """,
        [month.start, month.end],
    )
    return (Decimal(cached) * 100 / Decimal(prompt)).quantize(Decimal("0.1")) if prompt else ZERO


_DIMENSION_COLUMNS = {
    "feature": "feature",
    "user": "user_id",
    "key": "coalesce(api_key_alias, api_key_id)",
    "provider": "provider",
    "environment": "environment",
}


def _dimensions(database: Database, month: Month) -> tuple[DimensionLine, ...]:
    lines = []
    for dimension, column in _DIMENSION_COLUMNS.items():
        for name, requests, cost in database.fetchall(
            f"""
            SELECT coalesce({column}, '(none)'), sum(request_count),
                   coalesce(sum(estimated_cost) FILTER (WHERE priced), CAST(0 AS DECIMAL(38, 12)))
            FROM usage_for_totals WHERE ts >= ? AND ts < ? GROUP BY 1 ORDER BY 3 DESC, 1
            """,
            [month.start, month.end],
        ):
            lines.append(
                DimensionLine(dimension, name, int(requests), to_cents(cost), _per_request(cost, int(requests)))
            )
    return tuple(lines)


def build_chargeback(database: Database, config: Config, month: Month) -> ChargebackReport:
    """Per cost center: budget, actual, variance, utilisation, shared-pool share, seats, invoice true-up and the
    amount charged. Where a provider's invoice for the month is loaded, its chargeback is the invoice distributed;
    elsewhere the estimate, and the report says which."""
    # one aggregate of the month (and the spike rule's trailing days) for the allocation, the findings and the
    # drill-down: the rules are evaluated over the usage rows once
    spend = spend_for_policies(database, config, month)
    in_month = [row for row in spend if month.start.date() <= row.day < month.end.date()]
    allocation = allocate_month(database, config, month, spend=in_month)
    centers = [(center.code, center.name, center) for center in config.cost_centers]
    lines = []
    for code, name, center in [*centers, (UNALLOCATED, "Unallocated", None)]:
        budget = center.budget_for(month.label) if center else None
        actual = allocation.total(code, "direct")
        shared = allocation.total(code, "shared")
        seats = allocation.total(code, "seats")
        true_up = allocation.total(code, "true_up")
        adjustments = allocation.total(code, "adjustment")
        lines.append(
            ChargebackLine(
                cost_center=code,
                name=name,
                owner=center.owner if center else None,
                monthly_budget=budget,
                actual=actual,
                variance=None if budget is None else to_cents(budget) - actual,
                utilisation_percent=(actual * 100 / budget).quantize(Decimal("0.1")) if budget else None,
                shared=shared,
                seats=seats,
                true_up=true_up,
                adjustments=adjustments,
                chargeback=actual + shared + seats + true_up + adjustments,
                unpriced_requests=allocation.unpriced_requests.get(code, 0),
                threshold_reached=_threshold_reached(actual, budget, center.alert_thresholds if center else ()),
            )
        )
    basis, basis_note = _chargeback_basis(allocation, month)
    if month.until is not None:
        basis_note = f"Month to date, to {month.until.isoformat()}. {basis_note}"
    corrected = sorted({line.pool for line in allocation.lines if line.category == "adjustment" and line.pool})
    if corrected:
        basis_note += (
            f" Adjustments: late data and corrections of closed months ({', '.join(corrected)}), booked here; "
            "their own chargeback stays as closed."
        )
    return ChargebackReport(
        month=month.label,
        currency=config.currency,
        basis=basis,
        basis_note=basis_note,
        lines=tuple(lines),
        total_budget=sum((to_cents(line.monthly_budget) for line in lines if line.monthly_budget), ZERO),
        total_actual=sum((line.actual for line in lines), ZERO),
        total_shared=sum((line.shared for line in lines), ZERO),
        total_seats=sum((line.seats for line in lines), ZERO),
        total_true_up=sum((line.true_up for line in lines), ZERO),
        total_adjustments=sum((line.adjustments for line in lines), ZERO),
        total_chargeback=sum((line.chargeback for line in lines), ZERO),
        allocated_percent=allocation.allocated_percent,
        unpriced=unpriced_models(database, month),
        providers=tuple(
            ProviderStatus(
                provider.provider,
                allocation.basis_of(provider.provider),
                None if provider.estimate is None else to_cents(provider.estimate),
                None if provider.invoiced_total is None else to_cents(provider.invoiced_total),
                provider.status,
            )
            for provider in reconcile_month(database, config, month).providers
        ),
        findings=evaluate_policies(database, config, month, spend=spend).at_or_above("warning"),
        drilldown=_drilldown(in_month),
        allocation=tuple(
            sorted(allocation.lines, key=lambda line: (line.cost_center, line.provider, line.category, line.pool or ""))
        ),
        pricing_hash=current_pricing_hash(database),
        tolerance_percent=config.reconcile.tolerance_percent,
        sources=tuple(
            str(name)
            for (name,) in database.fetchall("SELECT DISTINCT regexp_extract(path, '[^/]+$') FROM sources ORDER BY 1")
        ),
    )


def _threshold_reached(actual: Decimal, budget: Decimal | None, thresholds: tuple[Decimal, ...]) -> Decimal | None:
    if not budget:
        return None
    reached = [threshold for threshold in thresholds if actual * 100 >= budget * threshold]
    return max(reached) if reached else None


def _drilldown(spend: list[Spend]) -> tuple[DrillLine, ...]:
    """Each cost center's own (direct) usage by feature, model and provider, largest first."""
    totals: dict[tuple[str, str, str], list] = {}
    for row in spend:
        for dimension, name in (("feature", row.feature or "(none)"), ("model", row.model), ("provider", row.provider)):
            entry = totals.setdefault((row.cost_center, dimension, name), [0, ZERO])
            entry[0] += row.requests
            entry[1] += row.cost
    return tuple(
        DrillLine(center, dimension, name, requests, to_cents(cost))
        for (center, dimension, name), (requests, cost) in sorted(
            totals.items(), key=lambda item: (item[0][0], item[0][1], -item[1][1], item[0][2])
        )
    )


def _chargeback_basis(
    allocation: MonthAllocation, month: Month
) -> tuple[Literal["estimate", "invoice", "invoice and estimate"], str]:
    spent = sorted({line.provider for line in allocation.lines if line.category in ("direct", "true_up")})
    invoiced = [provider for provider in spent if provider in allocation.invoiced]
    estimated = [provider for provider in spent if provider not in allocation.invoiced]
    if not invoiced:
        return "estimate", (
            f"No invoice is loaded for {month.label}: the chargeback equals the estimated cost (tokens x published "
            "prices), plus shared pools and seats."
        )
    note = (
        f"Invoiced ({', '.join(invoiced)}): the chargeback is the invoice distributed; its difference from the "
        "estimate is the true-up column."
    )
    if not estimated:
        return "invoice", note
    return "invoice and estimate", note + f" Estimated, no invoice loaded: {', '.join(estimated)}."


def scope_chargeback(report: ChargebackReport, codes: set[str], scope: str) -> ChargebackReport:
    """The chargeback of a subtree of cost centers (what a team lead gets): its lines and their totals."""
    lines = tuple(line for line in report.lines if line.cost_center in codes)
    return replace(
        report,
        lines=lines,
        drilldown=tuple(line for line in report.drilldown if line.cost_center in codes),
        allocation=tuple(line for line in report.allocation if line.cost_center in codes),
        findings=tuple(finding for finding in report.findings if finding.cost_center in codes),
        basis_note=f"{report.basis_note} Scope: {scope}.",
        total_budget=sum((to_cents(line.monthly_budget) for line in lines if line.monthly_budget), ZERO),
        total_actual=sum((line.actual for line in lines), ZERO),
        total_shared=sum((line.shared for line in lines), ZERO),
        total_seats=sum((line.seats for line in lines), ZERO),
        total_true_up=sum((line.true_up for line in lines), ZERO),
        total_adjustments=sum((line.adjustments for line in lines), ZERO),
        total_chargeback=sum((line.chargeback for line in lines), ZERO),
    )


def scope_showback(report: ShowbackReport, codes: set[str]) -> ShowbackReport:
    """The showback of a subtree of cost centers: its lines and their totals (models stay company-wide)."""
    lines = tuple(line for line in report.lines if line.cost_center in codes)
    return replace(
        report,
        lines=lines,
        total_requests=sum(line.requests for line in lines),
        total_estimated_cost=sum((line.estimated_cost for line in lines), ZERO),
    )
