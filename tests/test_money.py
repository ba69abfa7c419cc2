"""money: largest_remainder_split, apportion_cents and to_cents (acceptance criterion 9)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmfinops.money import CENT, apportion_cents, largest_remainder_split, to_cents

amounts = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=6)
weights = st.lists(st.decimals(min_value=Decimal(0), max_value=Decimal("100000"), places=12), min_size=1, max_size=12)


@given(total=amounts, weights=weights)
def test_parts_add_up_to_the_rounded_total_exactly(total: Decimal, weights: list[Decimal]) -> None:
    parts = largest_remainder_split(total, weights)

    assert len(parts) == len(weights)
    assert sum(parts, Decimal(0)) == to_cents(total)
    assert all(part == part.quantize(CENT) for part in parts)


@given(total=amounts, weights=weights)
def test_each_part_is_within_one_cent_of_its_exact_share(total: Decimal, weights: list[Decimal]) -> None:
    parts = largest_remainder_split(total, weights)
    rounded = to_cents(total)
    weight_sum = sum(weights, Decimal(0))
    shares = weights if weight_sum > 0 else [Decimal(1)] * len(weights)
    share_sum = sum(shares, Decimal(0))

    for part, share in zip(parts, shares, strict=True):
        assert abs(part - rounded * share / share_sum) < CENT


@given(total=amounts, size=st.integers(min_value=1, max_value=10))
def test_all_zero_weights_split_evenly(total: Decimal, size: int) -> None:
    parts = largest_remainder_split(total, [Decimal(0)] * size)

    assert sum(parts, Decimal(0)) == to_cents(total)
    assert max(parts) - min(parts) <= CENT


@given(total=amounts, weights=weights)
def test_a_negative_total_mirrors_the_positive_one(total: Decimal, weights: list[Decimal]) -> None:
    assert largest_remainder_split(-total, weights) == [-part for part in largest_remainder_split(total, weights)]


@given(total=amounts, weights=weights)
def test_zero_weight_gets_nothing_when_another_weight_is_positive(total: Decimal, weights: list[Decimal]) -> None:
    parts = largest_remainder_split(total, [*weights, Decimal(0)])

    if sum(weights, Decimal(0)) > 0:
        assert parts[-1] == 0


def test_examples() -> None:
    assert largest_remainder_split(Decimal("100"), [Decimal(1)] * 3) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    assert largest_remainder_split(Decimal("-0.05"), [Decimal(1), Decimal(1)]) == [Decimal("-0.03"), Decimal("-0.02")]
    assert largest_remainder_split(Decimal("10.005"), [Decimal(1)]) == [Decimal("10.01")]
    assert largest_remainder_split(Decimal("5"), []) == []


def test_negative_weight_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        largest_remainder_split(Decimal("1"), [Decimal(1), Decimal(-1)])


def test_to_cents_rounds_half_away_from_zero() -> None:
    assert to_cents(Decimal("0.005")) == Decimal("0.01")
    assert to_cents(Decimal("-0.005")) == Decimal("-0.01")
    assert to_cents(Decimal("0.0049999")) == Decimal("0.00")


signed_amounts = st.lists(
    st.decimals(min_value=Decimal("-100000"), max_value=Decimal("100000"), places=12), min_size=1, max_size=12
)


@given(amounts=signed_amounts)
def test_apportioned_cents_add_up_to_the_rounded_sum_whatever_the_signs(amounts: list[Decimal]) -> None:
    cents = apportion_cents(amounts)

    assert sum(cents, Decimal(0)) == to_cents(sum(amounts, Decimal(0)))
    assert all(part == part.quantize(CENT) for part in cents)
    assert all(abs(part - amount) < CENT for part, amount in zip(cents, amounts, strict=True))


def test_apportioned_cents_of_non_negative_amounts_match_the_largest_remainder_split() -> None:
    amounts = [Decimal("1.005"), Decimal("2.005"), Decimal("0.333333"), Decimal("4.2")]
    assert apportion_cents(amounts) == largest_remainder_split(sum(amounts, Decimal(0)), amounts)
    # a negative true-up beside positive lines
    assert apportion_cents([Decimal("10.004"), Decimal("-0.006"), Decimal("5.005")]) == [
        Decimal("10.00"),
        Decimal("-0.01"),
        Decimal("5.01"),
    ]
