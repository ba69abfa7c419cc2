"""Price usage rows: the set-based SQL of sql/price_usage.sql over a selection, and `reprice` with its diff."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from importlib.resources import files
from typing import Any

from llmfinops.db.connection import Database
from llmfinops.periods import Month
from llmfinops.runs import utc_now


def _price_sql() -> str:
    return files("llmfinops.prices").joinpath("sql", "price_usage.sql").read_text(encoding="utf-8")


def current_pricing_hash(database: Database) -> str:
    return str(database.scalar("SELECT pricing_hash FROM pricing_state"))


def price_where(database: Database, condition_sql: str, parameters: list[Any]) -> int:
    """(Re)price the usage rows matching `condition_sql` with the loaded tables; return how many were priced."""
    database.execute("DROP TABLE IF EXISTS pricing_selection")
    database.execute(
        f"CREATE TEMP TABLE pricing_selection AS SELECT usage_id FROM usage WHERE {condition_sql}", parameters
    )
    database.execute("DELETE FROM usage_costs WHERE usage_id IN (SELECT usage_id FROM pricing_selection)")
    database.execute(_price_sql(), {"pricing_hash": current_pricing_hash(database), "priced_at": utc_now()})
    count = int(database.scalar("SELECT count(*) FROM pricing_selection"))
    database.execute("DROP TABLE pricing_selection")
    return count


def price_source(database: Database, source_id: int) -> int:
    """Price the rows one ingested file loaded."""
    return price_where(database, "source_id = ?", [source_id])


def price_never_priced(database: Database) -> int:
    """Price rows that have no cost yet (loaded before the pricing engine existed, for example)."""
    return price_where(database, "usage_id NOT IN (SELECT usage_id FROM usage_costs)", [])


@dataclass(frozen=True)
class RepricedModel:
    provider: str
    model: str
    requests: int
    estimated_before: Decimal | None
    estimated_after: Decimal | None
    unpriced_before: int
    unpriced_after: int

    @property
    def changed(self) -> bool:
        return (self.estimated_before, self.unpriced_before) != (self.estimated_after, self.unpriced_after)


@dataclass(frozen=True)
class RepriceReport:
    month: str
    rows: int
    models: tuple[RepricedModel, ...]  # only the models whose cost or unpriced count changed
    total_before: Decimal
    total_after: Decimal


_SUMMARY_SQL = """
    SELECT usage.provider, coalesce(costs.price_model, usage.model), sum(usage.request_count),
           sum(costs.estimated_cost) FILTER (WHERE costs.priced),
           coalesce(sum(usage.request_count) FILTER (WHERE NOT coalesce(costs.priced, false)), 0)
    FROM usage LEFT JOIN usage_costs AS costs USING (usage_id)
    WHERE usage.ts >= ? AND usage.ts < ?
    GROUP BY ALL
"""


def reprice_month(database: Database, month: Month) -> RepriceReport:
    """Recompute a month with the tables loaded now, and say per model what changed."""
    period = [month.start, month.end]
    before = {(row[0], row[1]): row for row in database.fetchall(_SUMMARY_SQL, period)}
    rows = price_where(database, "ts >= ? AND ts < ?", period)
    after = {(row[0], row[1]): row for row in database.fetchall(_SUMMARY_SQL, period)}
    models = []
    for key in sorted(after):
        old, new = before[key], after[key]
        repriced = RepricedModel(key[0], key[1], int(new[2]), old[3], new[3], int(old[4]), int(new[4]))
        if repriced.changed:
            models.append(repriced)
    zero = Decimal(0)
    return RepriceReport(
        month=month.label,
        rows=rows,
        models=tuple(models),
        total_before=sum((row[3] or zero for row in before.values()), zero),
        total_after=sum((row[3] or zero for row in after.values()), zero),
    )
