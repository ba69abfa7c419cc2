"""Money: the one place that knows about Decimal precision, cents and rounding.

Costs are computed exactly (DECIMAL(38, 12) in DuckDB, Decimal here) and rounded to cents only at the end,
with the largest-remainder method so that rounded parts add up to the rounded whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
#: The scale of every stored money amount (DECIMAL(38, 12)).
MONEY_QUANTUM = Decimal("1e-12")
#: The DuckDB type of every money column; 12 decimals hold per-token prices of $1e-9 exactly.
SQL_MONEY = "DECIMAL(38, 12)"


def to_cents(amount: Decimal) -> Decimal:
    """Round half away from zero to whole cents, the way an invoice line is rounded."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def largest_remainder_split(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` (rounded to cents) over `weights` in cents that add up to it exactly.

    Each part is first truncated to cents; the cents left over go one by one to the parts with the largest
    truncated-away remainders (ties: the earlier part). All-zero weights split evenly.
    """
    if not weights:
        return []
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must not be negative")
    total_cents = to_cents(total)
    sign = -1 if total_cents < 0 else 1
    magnitude = abs(total_cents)
    weight_sum = sum(weights, Decimal(0))
    shares = list(weights) if weight_sum > 0 else [Decimal(1)] * len(weights)
    share_sum = sum(shares, Decimal(0))
    with localcontext() as ctx:
        ctx.prec = 60
        exact = [magnitude * share / share_sum for share in shares]
    truncated = [part.quantize(CENT, rounding=ROUND_DOWN) for part in exact]
    leftover_cents = int((magnitude - sum(truncated, Decimal(0))) / CENT)
    by_remainder = sorted(range(len(exact)), key=lambda index: (-(exact[index] - truncated[index]), index))
    for index in by_remainder[:leftover_cents]:
        truncated[index] += CENT
    return [sign * part for part in truncated]


def apportion_cents(amounts: Sequence[Decimal]) -> list[Decimal]:
    """Round exact amounts of either sign to cents that add up to their rounded sum exactly.

    Largest remainder on the amounts themselves: each is floored to cents, and the cents the floors left short of
    the rounded sum go one by one to the amounts with the largest remainders (ties: the earlier one). An invoice
    true-up or a credit can be negative, which a split by weights does not allow.
    """
    if not amounts:
        return []
    floors = [amount.quantize(CENT, rounding=ROUND_FLOOR) for amount in amounts]
    leftover_cents = int((to_cents(sum(amounts, Decimal(0))) - sum(floors, Decimal(0))) / CENT)
    by_remainder = sorted(range(len(amounts)), key=lambda index: (-(amounts[index] - floors[index]), index))
    for index in by_remainder[:leftover_cents]:
        floors[index] += CENT
    return floors


def split_at_money_scale(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `amount` (at most 12 decimals) over `weights` into parts of 12 decimals that add up to it exactly.

    Each part is its share truncated to 12 decimals; what truncation leaves (under 1e-12 per part) goes to the
    last part, so a split never creates or loses money. All-zero weights split evenly. Rounding to cents is a
    separate, later step (largest_remainder_split).
    """
    if not weights:
        return []
    shares = list(weights) if sum(weights, Decimal(0)) > 0 else [Decimal(1)] * len(weights)
    with localcontext() as ctx:
        ctx.prec = 60
        share_sum = sum(shares, Decimal(0))
        parts = [(amount * share / share_sum).quantize(MONEY_QUANTUM, rounding=ROUND_DOWN) for share in shares]
        parts[-1] += amount - sum(parts, Decimal(0))
    return parts
