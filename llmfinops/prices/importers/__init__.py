"""Importers of public price tables (LiteLLM, pydantic genai-prices) into our typed price windows, for review.

An importer never guesses: an entry it cannot express exactly in our format is left out and named in
`ImportResult.skipped` with the reason, so the reviewer sees what the generated files do not cover.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from llmfinops.prices.tables import PricedModel


@dataclass(frozen=True)
class SkippedEntry:
    """An entry (or one price of an entry) the importer left out, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class ImportResult:
    models: tuple[PricedModel, ...]
    skipped: tuple[SkippedEntry, ...]


def exact_decimal(amount: Decimal, max_decimals: int) -> Decimal | None:
    """`amount` without trailing zeros, or None when it needs more than `max_decimals` decimals."""
    plain = amount.normalize()
    exponent = plain.as_tuple().exponent
    assert isinstance(exponent, int)  # callers pass finite values only
    if -exponent > max_decimals:
        return None
    # normalize() turns 10 into 1E+1; quantize back to a whole number so the value prints as "10".
    return plain.quantize(Decimal(1)) if exponent > 0 else plain
