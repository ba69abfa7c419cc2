"""A month's allocation: usage to cost centers by rule (SQL), then shared pools and seats, rounded to cents.

Direct spend is grouped in SQL by the first matching rule and provider; everything after that works on a few
dozen (cost center, provider) sums in Python with exact Decimals. Rounding happens once, per provider (or pool,
or seat vendor), with the largest-remainder method over lines sorted by cost center, so each group's lines add up
exactly to its rounded total and the result is the same every run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from llmfinops.allocate.settings import UNALLOCATED, SharedPool
from llmfinops.closing import booked_for, months_adjusted_in
from llmfinops.config import Config
from llmfinops.db.connection import Database
from llmfinops.money import apportion_cents, split_at_money_scale, to_cents
from llmfinops.periods import Month
from llmfinops.reconcile.compute import invoiced_totals
from llmfinops.spend import Spend, daily_spend

ZERO = Decimal(0)
Category = Literal["direct", "shared", "seats", "true_up", "adjustment"]


@dataclass(frozen=True)
class AllocationLine:
    cost_center: str
    provider: str  # the spend's provider; a fixed pool's name; a seat plan's vendor
    category: Category
    pool: str | None  # the shared pool or seat plan the line comes from
    requests: int
    allocated_cost: Decimal  # exact
    chargeback_cost: Decimal  # cents


@dataclass(frozen=True)
class RuleUse:
    position: int
    label: str
    cost_center: str
    requests: int
    estimated_cost: Decimal


@dataclass(frozen=True)
class UnregisteredKey:
    key_alias: str
    requests: int
    estimated_cost: Decimal


@dataclass(frozen=True)
class MonthAllocation:
    month: str
    lines: tuple[AllocationLine, ...]
    direct_cost: Decimal  # exact estimated cost of the month's priced usage
    allocated_percent: Decimal  # of direct_cost, the share rules gave to a cost center (FinOps KPI, target >= 90)
    rule_uses: tuple[RuleUse, ...]  # every rule, in order, with what it matched this month
    unregistered_keys: tuple[UnregisteredKey, ...]  # usage of keys no registered use case names
    unpriced_requests: dict[str, int]  # per cost center; not in any amount
    # providers whose chargeback is their invoice distributed, with the invoiced total (workspace currency); the
    # others are charged their estimate
    invoiced: dict[str, Decimal] = field(default_factory=dict)

    def basis_of(self, provider: str) -> Literal["invoice", "estimate"]:
        return "invoice" if provider in self.invoiced else "estimate"

    def total(self, cost_center: str, category: Category | None = None) -> Decimal:
        """Cents charged to a cost center (of one category); 0.00, not 0, when it has no line."""
        return to_cents(
            sum(
                (
                    line.chargeback_cost
                    for line in self.lines
                    if line.cost_center == cost_center and (category is None or line.category == category)
                ),
                ZERO,
            )
        )


@dataclass(frozen=True)
class _Direct:
    cost_center: str
    provider: str
    requests: int
    cost: Decimal


def _direct_spend(config: Config, spend: list[Spend]) -> tuple[list[_Direct], list[RuleUse], dict]:
    """The month's spend by the cost center of its first matching rule and provider, and what each rule matched."""
    direct: dict[tuple[str, str], _Direct] = {}
    use_requests: dict[int, int] = defaultdict(int)
    use_cost: dict[int, Decimal] = defaultdict(Decimal)
    unpriced: dict[str, int] = defaultdict(int)
    for row in spend:
        previous = direct.get((row.cost_center, row.provider), _Direct(row.cost_center, row.provider, 0, ZERO))
        direct[(row.cost_center, row.provider)] = _Direct(
            row.cost_center, row.provider, previous.requests + row.requests, previous.cost + row.cost
        )
        unpriced[row.cost_center] += row.unpriced_requests
        if row.rule_position is not None:
            use_requests[row.rule_position] += row.requests
            use_cost[row.rule_position] += row.cost
    uses = [
        RuleUse(rule.position, rule.label, rule.cost_center, use_requests[rule.position], use_cost[rule.position])
        for rule in config.rules
    ]
    ordered = sorted(direct.values(), key=lambda line: (line.cost_center, line.provider))
    return ordered, uses, dict(unpriced)


def _unregistered_keys(database: Database, config: Config, month: Month) -> tuple[UnregisteredKey, ...]:
    if not config.use_cases:
        return ()
    registered = sorted({alias for use_case in config.use_cases for alias in use_case.key_aliases})
    rows = database.fetchall(
        """
        SELECT coalesce(api_key_alias, api_key_id, '(no key)'), sum(request_count),
               coalesce(sum(estimated_cost) FILTER (WHERE priced), CAST(0 AS DECIMAL(38, 12)))
        FROM usage_for_totals
        WHERE ts >= ? AND ts < ? AND NOT list_contains(?, coalesce(api_key_alias, ''))
          AND NOT list_contains(?, coalesce(feature, ''))
        GROUP BY ALL ORDER BY 3 DESC, 1
        """,
        [month.start, month.end, registered, sorted({f for u in config.use_cases for f in u.features})],
    )
    return tuple(UnregisteredKey(row[0], int(row[1]), row[2]) for row in rows)


def _split(amount: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    return dict(zip(weights, split_at_money_scale(amount, list(weights.values())), strict=True))


def _pool_targets(pool: SharedPool, config: Config) -> list[str]:
    if pool.split == "fixed":
        return list(pool.percentages)
    if pool.among:
        return list(pool.among)
    sources = {other.from_cost_center for other in config.shared_pools if other.from_cost_center}
    return [center.code for center in config.cost_centers if center.code not in sources]


def _apply_pools(config: Config, direct: list[_Direct]) -> list[AllocationLine]:
    """Direct lines minus what pools take, plus each pool's shares (exact; chargeback_cost filled in later)."""
    remaining = {(line.cost_center, line.provider): line for line in direct}
    direct_by_center: dict[str, Decimal] = defaultdict(Decimal)
    for line in direct:
        direct_by_center[line.cost_center] += line.cost
    shared: list[AllocationLine] = []
    for pool in config.shared_pools:
        if pool.source == "fixed":
            assert pool.amount is not None
            amounts = {pool.name: pool.amount}
        else:
            source = pool.from_cost_center if pool.source == "cost_center" else UNALLOCATED
            taken = [key for key in remaining if key[0] == source]
            amounts = {provider: remaining.pop((center, provider)).cost for center, provider in taken}
        targets = _pool_targets(pool, config)
        if pool.split == "fixed":
            weights = dict(pool.percentages)
        elif pool.split == "even":
            weights = dict.fromkeys(targets, Decimal(1))
        else:
            weights = {code: direct_by_center.get(code, ZERO) for code in targets}
        for provider, amount in amounts.items():
            for code, share in _split(amount, weights).items():
                shared.append(AllocationLine(code, provider, "shared", pool.name, 0, share, ZERO))
    direct_lines = [
        AllocationLine(line.cost_center, line.provider, "direct", None, line.requests, line.cost, ZERO)
        for line in remaining.values()
    ]
    return direct_lines + shared


def _true_up(config: Config, lines: list[AllocationLine], invoiced: dict[str, Decimal]) -> list[AllocationLine]:
    """Per invoiced provider, the difference between its invoice and what the basis allocated (traffic that bypassed
    the gateway, credits, taxes, price drift, unpriced usage), handled by the declared policy (ARCHITECTURE.md §3):
    split over the provider's cost centers in proportion to their lines, sent to one cost center, or left on the
    unallocated line (the default), so the provider's chargeback adds up to its invoice."""
    true_ups = []
    for provider, invoice_total in sorted(invoiced.items()):
        by_center: dict[str, Decimal] = defaultdict(Decimal)
        for line in lines:
            if line.provider == provider:
                by_center[line.cost_center] += line.allocated_cost
        difference = invoice_total - sum(by_center.values(), ZERO)
        if not difference:
            continue
        if config.true_up.policy == "proportional" and any(by_center.values()):
            shares = _split(difference, dict(sorted(by_center.items())))
        else:
            target = config.true_up.cost_center if config.true_up.policy == "to" else UNALLOCATED
            shares = {target or UNALLOCATED: difference}
        true_ups += [
            AllocationLine(code, provider, "true_up", None, 0, share, ZERO) for code, share in shares.items() if share
        ]
    return true_ups


def _closed_month_adjustments(database: Database, config: Config, month: Month) -> list[AllocationLine]:
    """Late data and corrections for closed months whose adjustments land in this month: per cost center and
    provider, the closed month recomputed now minus what it charged and what earlier adjustments booked (cents;
    the closed month's own chargeback never changes). The line's pool names the month it corrects."""
    adjustments = []
    for closed in months_adjusted_in(database, month):
        now: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for line in allocate_month(database, config, closed).lines:
            now[(line.cost_center, line.provider)] += line.chargeback_cost
        booked = booked_for(database, closed)
        for center, provider in sorted(set(now) | set(booked)):
            difference = now.get((center, provider), ZERO) - booked.get((center, provider), ZERO)
            if difference:
                adjustments.append(
                    AllocationLine(center, provider, "adjustment", closed.label, 0, difference, difference)
                )
    return adjustments


def _round(lines: list[AllocationLine]) -> list[AllocationLine]:
    """Per provider (pool, vendor): cents by largest remainder over lines in a fixed order."""
    groups: dict[str, list[AllocationLine]] = defaultdict(list)
    for line in lines:
        groups[line.provider].append(line)
    rounded = []
    for provider in sorted(groups):
        ordered = sorted(groups[provider], key=lambda line: (line.cost_center, line.category, line.pool or ""))
        cents = apportion_cents([line.allocated_cost for line in ordered])
        rounded += [
            AllocationLine(
                line.cost_center, line.provider, line.category, line.pool, line.requests, line.allocated_cost, cent
            )
            for line, cent in zip(ordered, cents, strict=True)
        ]
    return rounded


def allocate_month(
    database: Database, config: Config, month: Month, *, spend: list[Spend] | None = None
) -> MonthAllocation:
    """Compute (not store) the month's allocation. `spend` is the month's aggregate when the caller has it (it may
    hold days before the month too)."""
    if spend is None:
        spend = daily_spend(database, config, month.start, month.end, detail=False)
    in_month = [row for row in spend if month.start.date() <= row.day < month.end.date()]
    direct, rule_uses, unpriced = _direct_spend(config, in_month)
    seats = [
        AllocationLine(code, plan.vendor, "seats", plan.name, 0, plan.price_per_seat * count, ZERO)
        for plan in config.seats
        for code, count in plan.seats.items()
        if count
    ]
    usage_lines = _apply_pools(config, direct)
    invoiced = invoiced_totals(database, config, month)
    lines = _round(usage_lines + _true_up(config, usage_lines, invoiced) + seats)
    lines += _closed_month_adjustments(database, config, month)
    direct_cost = sum((line.cost for line in direct), ZERO)
    unallocated_cost = sum((line.cost for line in direct if line.cost_center == UNALLOCATED), ZERO)
    allocated_percent = (
        ((direct_cost - unallocated_cost) * 100 / direct_cost).quantize(Decimal("0.1")) if direct_cost else Decimal(100)
    )
    return MonthAllocation(
        month=month.label,
        lines=tuple(lines),
        direct_cost=direct_cost,
        allocated_percent=allocated_percent,
        rule_uses=tuple(rule_uses),
        unregistered_keys=_unregistered_keys(database, config, month),
        unpriced_requests=unpriced,
        invoiced=invoiced,
    )


_ALLOCATION_COLUMNS = (
    "month",
    "cost_center",
    "provider",
    "category",
    "pool",
    "requests",
    "allocated_cost",
    "chargeback_cost",
    "basis",
    "run_id",
)


def store_allocation(database: Database, allocation: MonthAllocation, run_id: int) -> None:
    """Replace the month in the `allocation` table (a month is recomputed whole, never patched)."""
    database.execute("DELETE FROM allocation WHERE month = ?", [allocation.month])
    rows = [
        (
            allocation.month,
            line.cost_center,
            line.provider,
            line.category,
            line.pool,
            line.requests,
            line.allocated_cost,
            line.chargeback_cost,
            allocation.basis_of(line.provider),
            run_id,
        )
        for line in allocation.lines
    ]
    database.insert_rows("allocation", _ALLOCATION_COLUMNS, rows)
