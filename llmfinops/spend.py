"""The month's spend aggregated once: day x allocation rule x provider x model x feature x key, with requests,
priced cost, unpriced requests and prompt tokens. Allocation, the governance checks, the chargeback's drill-down
and the CFO page all read it, so the rules are evaluated over the usage rows once per report, in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from llmfinops.allocate.rules import compile_rules
from llmfinops.allocate.settings import UNALLOCATED
from llmfinops.config import Config
from llmfinops.db.connection import Database


@dataclass(frozen=True)
class Spend:
    day: date
    cost_center: str
    use_case: str | None
    feature: str
    key: str
    model: str
    requests: int
    cost: Decimal  # priced rows' estimated cost, exact
    prompt_tokens: int = 0  # uncached input + cache reads + cache writes
    cache_read_tokens: int = 0
    rule_position: int | None = None  # the first matching rule (use cases first); None: unallocated
    provider: str = ""
    unpriced_requests: int = 0


def daily_spend(
    database: Database, config: Config, start: datetime, end: datetime, *, detail: bool = True
) -> list[Spend]:
    """The usage of [start, end) in the basis (usage_for_totals), aggregated by day, rule and provider and, with
    `detail`, by feature, key and model too (what the policies and the drill-down read; allocation alone needs
    only the first three, a much smaller aggregate)."""
    rules = compile_rules(config.rules)
    feature, key, model = (
        ("coalesce(feature, '')", "coalesce(api_key_alias, api_key_id, '')", "model") if detail else ("''", "''", "''")
    )
    rows = database.fetchall(
        f"""
        SELECT CAST(ts AS DATE), rule_position, provider, {feature}, {key}, {model},
               sum(request_count), coalesce(sum(estimated_cost) FILTER (WHERE priced), CAST(0 AS DECIMAL(38, 12))),
               sum(input_tokens + cache_read_tokens + cache_write_tokens), sum(cache_read_tokens),
               coalesce(sum(request_count) FILTER (WHERE NOT priced), 0)
        FROM (SELECT *, {rules.position_sql} AS rule_position FROM usage_for_totals WHERE ts >= ? AND ts < ?)
        GROUP BY ALL ORDER BY ALL
        """,
        [*rules.parameters, start, end],
    )
    by_position = {rule.position: rule for rule in config.rules}
    spend = []
    for day, position, provider, feature, key, model, requests, cost, prompt, cache_read, unpriced in rows:
        rule = by_position.get(position)
        spend.append(
            Spend(
                day=day,
                cost_center=rule.cost_center if rule else UNALLOCATED,
                use_case=rule.name if rule is not None and position <= len(config.use_cases) else None,
                feature=feature,
                key=key,
                model=model,
                requests=int(requests),
                cost=cost,
                prompt_tokens=int(prompt),
                cache_read_tokens=int(cache_read),
                rule_position=position,
                provider=provider,
                unpriced_requests=int(unpriced),
            )
        )
    return spend
