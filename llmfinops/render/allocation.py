"""Terminal tables for allocation: a month's lines, an explanation, rule usage."""

from __future__ import annotations

from rich.table import Table

from llmfinops.allocate.compute import MonthAllocation
from llmfinops.allocate.explain import Explanation
from llmfinops.render.table import format_money, render_tables


def render_allocation(allocation: MonthAllocation) -> str:
    table = Table(title=f"Allocation {allocation.month}", title_justify="left")
    for header in ("Cost center", "Category", "Pool / plan", "Provider", "Requests", "Allocated", "Chargeback"):
        table.add_column(header, justify="right" if header in ("Requests", "Allocated", "Chargeback") else "left")
    for line in sorted(allocation.lines, key=lambda item: (item.cost_center, item.category, item.provider)):
        table.add_row(
            line.cost_center,
            line.category,
            line.pool or "",
            line.provider,
            f"{line.requests:,}",
            f"{line.allocated_cost:,.4f}",
            format_money(line.chargeback_cost),
        )
    notes = [
        f"Allocated by rules: {allocation.allocated_percent}% of {format_money(allocation.direct_cost)} usage spend.",
        *[
            f"Unregistered key {key.key_alias}: {key.requests:,} requests, {format_money(key.estimated_cost)}"
            for key in allocation.unregistered_keys
        ],
    ]
    return render_tables(table, notes=notes, width=140)


def render_explanation(explanation: Explanation) -> str:
    shown = {key: value for key, value in explanation.values.items() if value not in (None, {}, "")}
    lines = [f"{explanation.subject}:", *[f"  {key} = {value}" for key, value in shown.items()], ""]
    for verdict in explanation.verdicts:
        mark = "MATCH" if verdict.matched else "no"
        lines.append(f"{mark:>5}  {verdict.rule.label} -> {verdict.rule.cost_center}: {'; '.join(verdict.reasons)}")
    winner = explanation.winner
    lines += [
        "",
        f"Goes to {explanation.cost_center}"
        + (f" by {winner.rule.label}, the first rule that matches." if winner else ": no rule matches."),
    ]
    return "\n".join(lines) + "\n"


def render_rule_uses(allocation: MonthAllocation) -> str:
    table = Table(title=f"Rules in {allocation.month}", title_justify="left")
    for header in ("#", "Rule", "Cost center", "Requests", "Estimated"):
        table.add_column(header, justify="right" if header in ("#", "Requests", "Estimated") else "left")
    for use in allocation.rule_uses:
        table.add_row(
            str(use.position), use.label, use.cost_center, f"{use.requests:,}", format_money(use.estimated_cost)
        )
    unused = [use.label for use in allocation.rule_uses if use.requests == 0]
    notes = [f"Matched nothing this month: {', '.join(unused)}."] if unused else []
    return render_tables(table, notes=notes, width=140)
