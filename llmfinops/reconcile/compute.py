"""A month's reconciliation: per provider, our estimate beside the provider's usage, its cost report and the
invoice, with the variance explained cause by cause.

Three sums are aggregated in SQL (a few thousand rows: provider x origin x day x model, and billed lines by
category and model); the explanation works on those with exact Decimals. With G the gateway estimate, P the
estimate of the provider's own usage export (our prices x its token counts), U the invoiced usage and T the
invoiced total, the variance of the basis estimate E (G where the gateway logged the provider, else P) splits as

    T - E  =  (P - G)            traffic missing from the gateway + token-count differences by kind
            + (U - P)            usage of models we cannot price + price differences per model + residual
            + (T - U)            credits, discounts, taxes, adjustments, corrections of earlier months

so the causes add up to the variance by construction and the residual is what the data cannot explain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from llmfinops.config import Config
from llmfinops.db.connection import Database
from llmfinops.periods import Month

ZERO = Decimal(0)
_EXACT = Decimal("0.000000000001")
Status = Literal["within", "outside", "no bill", "no usage", "no rate"]
Basis = Literal["gateway", "provider", "none"]

#: Token kinds whose count differences are priced one by one (reasoning is part of output).
TOKEN_KINDS: tuple[tuple[str, str], ...] = (
    ("input", "uncached input tokens"),
    ("cache_read", "cached input tokens (cache reads)"),
    ("cache_write", "cache write tokens"),
    ("output", "output tokens (reasoning included)"),
    ("units", "per-request, image and web-search charges"),
)


@dataclass(frozen=True)
class VarianceCause:
    cause: str  # a stable key: missing_traffic, tokens_input, ..., unpriced_usage, price_difference, credits, ...
    label: str
    amount: Decimal  # in the workspace currency, exact
    detail: str


@dataclass(frozen=True)
class DayCoverage:
    """One day of the month: what the gateway logged beside what the provider reports, both at our prices."""

    day: date
    gateway_estimate: Decimal
    provider_estimate: Decimal

    @property
    def coverage_percent(self) -> Decimal | None:
        if not self.provider_estimate:
            return None
        return (self.gateway_estimate / self.provider_estimate * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ProviderReconciliation:
    provider: str
    basis: Basis
    gateway_estimate: Decimal | None  # None: no gateway logs of this provider in the month
    gateway_unpriced_rows: int
    provider_usage_estimate: Decimal | None  # None: no provider usage export for the month
    provider_unpriced_rows: int
    provider_reported_cost: Decimal | None  # the provider's cost report (cost API, console cost CSV)
    invoiced_usage: Decimal | None
    credits: Decimal
    taxes: Decimal
    adjustments: Decimal  # adjustments, purchases and corrections of earlier months
    invoiced_total: Decimal | None  # None: no bill for the month
    bill_document: Literal["invoice", "cost_report"] | None
    bill_currencies: tuple[str, ...]
    exchange_rates: tuple[str, ...]  # "EUR 1.08 from 2026-10-01", each rate used
    estimate: Decimal | None  # the basis estimate the bill is compared with
    variance: Decimal | None  # invoiced total - estimate: what the causes explain
    variance_percent: Decimal | None  # of the invoiced total
    # invoiced usage - estimate, percent of invoiced usage: what the tolerance judges. Credits, taxes and
    # adjustments are itemised on the bill and expected; the question is whether the estimate tracks the usage billed.
    usage_variance: Decimal | None
    usage_variance_percent: Decimal | None
    status: Status
    causes: tuple[VarianceCause, ...] = ()
    coverage: tuple[DayCoverage, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class MonthReconciliation:
    month: str
    currency: str
    tolerance_percent: Decimal
    providers: tuple[ProviderReconciliation, ...]

    @property
    def outside_tolerance(self) -> tuple[ProviderReconciliation, ...]:
        return tuple(provider for provider in self.providers if provider.status == "outside")


@dataclass
class _UsageSums:
    rows: int = 0
    requests: int = 0
    output_tokens: int = 0
    estimated: Decimal = ZERO
    reported: Decimal = ZERO
    kinds: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys((kind for kind, _ in TOKEN_KINDS), ZERO))

    def add(self, row: tuple) -> None:
        rows, requests, output_tokens, estimated, reported, *kind_costs = row
        self.rows += rows
        self.requests += requests
        self.output_tokens += output_tokens
        self.estimated += estimated or ZERO
        self.reported += reported or ZERO
        for (kind, _), cost in zip(TOKEN_KINDS, kind_costs, strict=True):
            self.kinds[kind] += cost or ZERO


_USAGE_SQL = """
SELECT provider, origin, CAST(ts AS DATE) AS day, model, priced,
       count(*), coalesce(sum(request_count), 0), coalesce(sum(output_tokens), 0),
       sum(estimated_cost), sum(reported_cost),
       -- component costs net of the negotiated discount, as estimated_cost is
       sum(CAST(input_cost * ((100 - discount_percent) * CAST(0.01 AS DECIMAL(38, 2))) AS DECIMAL(38, 12))),
       sum(CAST(cache_read_cost * ((100 - discount_percent) * CAST(0.01 AS DECIMAL(38, 2))) AS DECIMAL(38, 12))),
       sum(CAST(cache_write_cost * ((100 - discount_percent) * CAST(0.01 AS DECIMAL(38, 2))) AS DECIMAL(38, 12))),
       sum(CAST(output_cost * ((100 - discount_percent) * CAST(0.01 AS DECIMAL(38, 2))) AS DECIMAL(38, 12))),
       sum(CAST(unit_cost * ((100 - discount_percent) * CAST(0.01 AS DECIMAL(38, 2))) AS DECIMAL(38, 12)))
FROM usage_priced
WHERE rollup_of IS NULL AND ts >= ? AND ts < ? {provider_filter}
GROUP BY ALL
"""

_BILLING_SQL = """
SELECT billing.provider, billing.document, billing.billing_currency, billing.charge_category,
       billing.charge_class IS NOT NULL AS correction,
       billing.charge_category = 'Credit' AND billing.sku_description ILIKE '%discount%' AS discount,
       billing.price_model, billing.model, sources.feed, count(*), sum(billing.billed_cost)
FROM billing_mapped AS billing JOIN sources USING (source_id)
WHERE billing.billing_period_start = ? AND billing.is_ai {provider_filter}
GROUP BY ALL
"""


def reconcile_month(
    database: Database,
    config: Config,
    month: Month,
    *,
    provider: str | None = None,
    tolerance_percent: Decimal | None = None,
) -> MonthReconciliation:
    tolerance = config.reconcile.tolerance_percent if tolerance_percent is None else tolerance_percent
    provider_filter = "AND provider = ?" if provider else ""
    usage_rows = database.fetchall(
        _USAGE_SQL.format(provider_filter=provider_filter), [month.start, month.end, *([provider] if provider else [])]
    )
    billing_rows = database.fetchall(
        _BILLING_SQL.format(provider_filter="AND billing.provider = ?" if provider else ""),
        [month.start.date(), *([provider] if provider else [])],
    )
    providers = sorted({row[0] for row in usage_rows} | {row[0] for row in billing_rows})
    return MonthReconciliation(
        month=month.label,
        currency=config.currency,
        tolerance_percent=tolerance,
        providers=tuple(
            _reconcile_provider(
                name,
                [row for row in usage_rows if row[0] == name],
                [row for row in billing_rows if row[0] == name],
                config,
                month,
                tolerance,
            )
            for name in providers
        ),
    )


def invoiced_totals(database: Database, config: Config, month: Month) -> dict[str, Decimal]:
    """Per provider, the month's invoiced AI total in the workspace currency (invoices only, not cost reports;
    providers whose bill has no exchange rate are left out: their chargeback stays the estimate)."""
    rows = database.fetchall(
        _BILLING_SQL.format(provider_filter="AND billing.document = 'invoice'"), [month.start.date()]
    )
    totals = {}
    for provider in sorted({row[0] for row in rows}):
        bill = _bill([row for row in rows if row[0] == provider], "invoice", config, month)
        if bill is not None:
            totals[provider] = bill.total
    return totals


@dataclass
class _Bill:
    document: Literal["invoice", "cost_report"]
    currencies: tuple[str, ...]
    rates: tuple[str, ...]
    usage: Decimal = ZERO
    usage_by_model: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    unmapped_usage: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    credits: Decimal = ZERO
    discounts: Decimal = ZERO
    taxes: Decimal = ZERO
    adjustments: Decimal = ZERO
    corrections: Decimal = ZERO
    feeds: tuple[str, ...] = ()

    @property
    def total(self) -> Decimal:
        return self.usage + self.credits + self.discounts + self.taxes + self.adjustments + self.corrections


def _bill(rows: list[tuple], document: Literal["invoice", "cost_report"], config: Config, month: Month) -> _Bill | None:
    """The provider's bill of one kind in the workspace currency; None when a currency has no rate."""
    rates: dict[str, Decimal] = {}
    rate_notes = []
    for currency in sorted({row[2] for row in rows}):
        if currency == config.currency:
            rates[currency] = Decimal(1)
            continue
        rate = config.reconcile.rate_for(currency, month.start.date())
        if rate is None:
            return None
        rates[currency] = rate.rate
        rate_notes.append(f"{currency} {rate.rate} from {rate.effective_from.isoformat()}")
    bill = _Bill(document, tuple(sorted(rates)), tuple(rate_notes))
    bill.feeds = tuple(sorted({row[8] for row in rows if row[8]}))
    for _, _, currency, category, correction, discount, price_model, model, _, _, billed in rows:
        amount = billed * rates[currency]
        if correction:
            bill.corrections += amount
        elif category == "Usage":
            bill.usage += amount
            if price_model is not None:
                bill.usage_by_model[price_model] += amount
            elif model is not None:
                bill.unmapped_usage[model] += amount
        elif category == "Credit":
            if discount:
                bill.discounts += amount
            else:
                bill.credits += amount
        elif category == "Tax":
            bill.taxes += amount
        else:  # Adjustment, Purchase
            bill.adjustments += amount
    return bill


def _reconcile_provider(
    provider: str,
    usage_rows: list[tuple],
    billing_rows: list[tuple],
    config: Config,
    month: Month,
    tolerance: Decimal,
) -> ProviderReconciliation:
    priced: dict[tuple[str, date, str], _UsageSums] = defaultdict(_UsageSums)
    unpriced: dict[tuple[str, str], _UsageSums] = defaultdict(_UsageSums)
    for _, origin, day, model, is_priced, *sums in usage_rows:
        if is_priced:
            priced[(origin, day, model)].add(tuple(sums))
        else:
            unpriced[(origin, model)].add(tuple(sums))
    origins = {origin for _, origin, *_ in usage_rows}
    gateway_estimate = _total(sums.estimated for (origin, _, _), sums in priced.items() if origin == "gateway")
    provider_estimate = _total(sums.estimated for (origin, _, _), sums in priced.items() if origin == "provider")
    basis: Basis = "gateway" if "gateway" in origins else "provider" if "provider" in origins else "none"
    estimate = {"gateway": gateway_estimate, "provider": provider_estimate, "none": None}[basis]

    warnings: list[str] = []
    invoices = [row for row in billing_rows if row[1] == "invoice"]
    cost_reports = [row for row in billing_rows if row[1] == "cost_report"]
    cost_report = _bill(cost_reports, "cost_report", config, month) if cost_reports else None
    bill_rows, bill_document = (invoices, "invoice") if invoices else (cost_reports, "cost_report")
    bill = _bill(bill_rows, bill_document, config, month) if bill_rows else None
    if bill is not None and len(bill.feeds) > 1:
        warnings.append(
            f"{len(bill.feeds)} bill exports cover {provider} {month.label} ({', '.join(bill.feeds)}): their lines are "
            "added together; if they describe the same charges, ingest only one of them."
        )
    if bill_rows and bill is None:
        missing = sorted({row[2] for row in bill_rows} - {config.currency})
        warnings.append(
            f"no exchange rate for {', '.join(missing)} into {config.currency} on {month.start.date().isoformat()}: "
            "add one under exchange_rates in finops.yaml to compare."
        )

    common = {
        "provider": provider,
        "basis": basis,
        "gateway_estimate": gateway_estimate if "gateway" in origins else None,
        "gateway_unpriced_rows": sum(sums.rows for (origin, _), sums in unpriced.items() if origin == "gateway"),
        "provider_usage_estimate": provider_estimate if "provider" in origins else None,
        "provider_unpriced_rows": sum(sums.rows for (origin, _), sums in unpriced.items() if origin == "provider"),
        "provider_reported_cost": cost_report.usage if cost_report is not None else None,
        "bill_document": bill_document if bill_rows else None,
        "estimate": estimate,
        "coverage": _coverage(priced) if {"gateway", "provider"} <= origins else (),
    }
    if bill is None:
        status: Status = "no rate" if bill_rows else "no bill"
        return ProviderReconciliation(
            **common,
            invoiced_usage=None,
            credits=ZERO,
            taxes=ZERO,
            adjustments=ZERO,
            invoiced_total=None,
            bill_currencies=tuple(sorted({row[2] for row in bill_rows})),
            exchange_rates=(),
            **_NO_VARIANCE,
            status=status,
            warnings=tuple(warnings),
        )
    bill_fields = {
        "invoiced_usage": bill.usage,
        "credits": bill.credits + bill.discounts,
        "taxes": bill.taxes,
        "adjustments": bill.adjustments + bill.corrections,
        "invoiced_total": bill.total,
        "bill_currencies": bill.currencies,
        "exchange_rates": bill.rates,
    }
    if estimate is None:
        return ProviderReconciliation(
            **common, **bill_fields, **_NO_VARIANCE, status="no usage", warnings=tuple(warnings)
        )
    variance = bill.total - estimate
    usage_variance = bill.usage - estimate
    usage_variance_percent = _percent_of(usage_variance, bill.usage)
    within = usage_variance == 0 or (usage_variance_percent is not None and abs(usage_variance_percent) <= tolerance)
    return ProviderReconciliation(
        **common,
        **bill_fields,
        variance=variance,
        variance_percent=_percent_of(variance, bill.total),
        usage_variance=usage_variance,
        usage_variance_percent=usage_variance_percent,
        status="within" if within else "outside",
        causes=_explain(basis, priced, unpriced, bill, variance),
        warnings=tuple(warnings),
    )


_NO_VARIANCE = {"variance": None, "variance_percent": None, "usage_variance": None, "usage_variance_percent": None}


def _percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part / whole * 100).quantize(Decimal("0.01")) if whole else None


def _total(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, ZERO)


def _coverage(priced: dict[tuple[str, date, str], _UsageSums]) -> tuple[DayCoverage, ...]:
    by_day: dict[date, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for (origin, day, _), sums in priced.items():
        by_day[day][0 if origin == "gateway" else 1] += sums.estimated
    return tuple(DayCoverage(day, gateway, provider) for day, (gateway, provider) in sorted(by_day.items()))


def _explain(
    basis: Basis,
    priced: dict[tuple[str, date, str], _UsageSums],
    unpriced: dict[tuple[str, str], _UsageSums],
    bill: _Bill,
    variance: Decimal,
) -> tuple[VarianceCause, ...]:
    causes: list[VarianceCause] = []
    has_provider_usage = any(origin == "provider" for origin, _, _ in priced) or any(
        origin == "provider" for origin, _ in unpriced
    )
    if basis == "gateway" and has_provider_usage:
        causes += _gateway_gaps(priced)
    # (U - P): the bill's usage against the estimate of the usage it bills (the provider's export where there is
    # one, else the basis)
    usage_origin = "provider" if has_provider_usage else basis
    estimate_by_model: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (origin, _, model), sums in priced.items():
        if origin == usage_origin:
            estimate_by_model[model] += sums.estimated
    unpriced_rows = {model: sums for (origin, model), sums in unpriced.items() if origin == usage_origin}
    unpriced_value = _total(bill.unmapped_usage.values())
    if bill.unmapped_usage:
        detail = "billed lines for models the price tables do not know: " + ", ".join(
            f"{model} {amount:,.2f}" for model, amount in sorted(bill.unmapped_usage.items())
        )
    elif unpriced_rows:
        # the bill names no model: value the unpriced rows at the source's own reported cost, where it has one
        unpriced_value = _total(sums.reported for sums in unpriced_rows.values())
        detail = "valued at the cost the source itself reported: " + ", ".join(
            f"{model} ({sums.rows:,} rows) {sums.reported:,.2f}" for model, sums in sorted(unpriced_rows.items())
        )
    if unpriced_value or unpriced_rows:
        causes.append(VarianceCause("unpriced_usage", "usage of models without a price", unpriced_value, detail))
    if bill.usage_by_model:
        differences = {
            model: billed - estimate_by_model.get(model, ZERO) for model, billed in bill.usage_by_model.items()
        }
        causes.append(
            VarianceCause(
                "price_difference",
                "price differences (billed vs our price tables, per model)",
                _total(differences.values()),
                ", ".join(
                    f"{model} {amount:+,.2f}"
                    for model, amount in sorted(differences.items(), key=lambda item: (-abs(item[1]), item[0]))
                    if amount.quantize(Decimal("0.01"))
                )
                or "none above a cent",
            )
        )
    for key, label, amount in (
        ("credits", "credits", bill.credits),
        ("discounts", "discounts billed", bill.discounts),
        ("taxes", "taxes", bill.taxes),
        ("adjustments", "adjustments and purchases", bill.adjustments),
        ("corrections", "corrections of earlier months billed now", bill.corrections),
    ):
        if amount:
            causes.append(VarianceCause(key, label, amount, ""))
    causes.sort(key=lambda cause: (-abs(cause.amount), cause.cause))
    residual = variance - _total(cause.amount for cause in causes)
    causes.append(
        VarianceCause(
            "residual",
            "residual (not explained by the data)",
            residual,
            "usage billed without a model to compare per model, rounding, or causes the data does not show",
        )
    )
    return tuple(causes)


def _gateway_gaps(priced: dict[tuple[str, date, str], _UsageSums]) -> list[VarianceCause]:
    """(P - G) per day and model: traffic the gateway did not see, then token-count differences by kind.

    The provider's traffic volume beside the gateway's (request counts where both have them, else output tokens)
    gives the share that bypassed the gateway; what remains per token kind is the gateway counting tokens
    differently from the provider (the cached-token undercount of some gateway versions, for example).
    """
    keys = {(day, model) for (_, day, model) in priced}
    missing = ZERO
    missing_days: dict[date, Decimal] = defaultdict(lambda: ZERO)
    kind_differences = dict.fromkeys((kind for kind, _ in TOKEN_KINDS), ZERO)
    empty = _UsageSums()
    for day, model in sorted(keys):
        gateway = priced.get(("gateway", day, model), empty)
        provider = priced.get(("provider", day, model), empty)
        if not gateway.rows:
            ratio = None
            day_missing = provider.estimated
        elif not provider.rows:
            ratio = None
            day_missing = -gateway.estimated
        else:
            if provider.requests and gateway.requests:
                ratio = Decimal(provider.requests) / Decimal(gateway.requests)
            elif gateway.output_tokens:
                ratio = Decimal(provider.output_tokens) / Decimal(gateway.output_tokens)
            else:
                ratio = Decimal(1)
            day_missing = ((ratio - 1) * gateway.estimated).quantize(_EXACT)
            for kind, _ in TOKEN_KINDS:
                kind_differences[kind] += provider.kinds[kind] - (gateway.kinds[kind] * ratio).quantize(_EXACT)
        missing += day_missing
        missing_days[day] += day_missing
    causes = []
    if missing:
        top_days = sorted(missing_days.items(), key=lambda item: (-abs(item[1]), item[0]))[:5]
        causes.append(
            VarianceCause(
                "missing_traffic",
                "traffic missing from the gateway (provider usage the gateway did not log)",
                missing,
                "largest days: " + ", ".join(f"{day.isoformat()} {amount:+,.2f}" for day, amount in top_days),
            )
        )
    for kind, label in TOKEN_KINDS:
        # a difference below a cent is noise of the split, left to the residual rather than listed
        if kind_differences[kind].quantize(Decimal("0.01")):
            causes.append(
                VarianceCause(f"tokens_{kind}", f"token-count difference: {label}", kind_differences[kind], "")
            )
    return causes


def store_reconciliation(database: Database, reconciliation: MonthReconciliation, run_id: int) -> None:
    """Replace the month's stored reconciliation (for the providers reconciled) with this one."""
    names = [provider.provider for provider in reconciliation.providers]
    for table in ("reconciliation_causes", "reconciliation"):
        database.execute(
            f"DELETE FROM {table} WHERE month = ? AND list_contains(?, provider)", [reconciliation.month, names]
        )
    database.insert_rows(
        "reconciliation",
        _STORED_COLUMNS,
        [
            (
                reconciliation.month,
                provider.provider,
                reconciliation.currency,
                provider.basis,
                provider.gateway_estimate,
                provider.gateway_unpriced_rows,
                provider.provider_usage_estimate,
                provider.provider_unpriced_rows,
                provider.provider_reported_cost,
                provider.invoiced_usage,
                provider.credits,
                provider.taxes,
                provider.adjustments,
                provider.invoiced_total,
                provider.bill_document,
                ", ".join(provider.bill_currencies) or None,
                "; ".join(provider.exchange_rates) or None,
                provider.estimate,
                None if provider.variance is None else provider.variance.quantize(_EXACT),
                provider.variance_percent,
                None if provider.usage_variance is None else provider.usage_variance.quantize(_EXACT),
                provider.usage_variance_percent,
                reconciliation.tolerance_percent,
                provider.status,
                " ".join(provider.warnings) or None,
                run_id,
            )
            for provider in reconciliation.providers
        ],
    )
    database.insert_rows(
        "reconciliation_causes",
        ("month", "provider", "position", "cause", "label", "amount", "detail"),
        [
            (
                reconciliation.month,
                provider.provider,
                position,
                cause.cause,
                cause.label,
                cause.amount.quantize(_EXACT),
                cause.detail,
            )
            for provider in reconciliation.providers
            for position, cause in enumerate(provider.causes, start=1)
        ],
    )


_STORED_COLUMNS = (
    "month",
    "provider",
    "currency",
    "basis",
    "gateway_estimate",
    "gateway_unpriced_rows",
    "provider_usage_estimate",
    "provider_unpriced_rows",
    "provider_reported_cost",
    "invoiced_usage",
    "credits",
    "taxes",
    "adjustments",
    "invoiced_total",
    "bill_document",
    "bill_currencies",
    "exchange_rates",
    "estimate",
    "variance",
    "variance_percent",
    "usage_variance",
    "usage_variance_percent",
    "tolerance_percent",
    "status",
    "warnings",
    "run_id",
)
