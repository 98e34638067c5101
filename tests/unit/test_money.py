"""Money: integer fen, exact splits, one rounding rule, no floats."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.kernel.errors import ValidationFailed
from videophone.kernel.money import Money, parse_rate, parse_yuan

amounts = st.integers(min_value=-(10**9), max_value=10**9)


@given(amounts, st.integers(min_value=1, max_value=40))
def test_equal_allocation_sums_back_and_parts_differ_by_at_most_a_fen(fen: int, n: int) -> None:
    parts = Money(fen).allocate([1] * n)
    assert Money.total(parts) == Money(fen)
    values = [p.fen for p in parts]
    assert max(values) - min(values) <= 1


@given(amounts, st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=10).filter(any))
def test_weighted_allocation_sums_back(fen: int, weights: list[int]) -> None:
    parts = Money(fen).allocate(weights)
    assert Money.total(parts) == Money(fen)
    assert all(p.fen == 0 for p, w in zip(parts, weights, strict=True) if w == 0)


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=366), st.data())
def test_prorate_is_within_half_a_fen_of_the_exact_share(fen: int, whole: int, data: st.DataObject) -> None:
    part = data.draw(st.integers(min_value=0, max_value=whole))
    share = Money(fen).prorate(part, whole)
    exact = Decimal(fen) * part / whole
    assert abs(Decimal(share.fen) - exact) <= Decimal("0.5")
    assert Money.zero() <= share <= Money(fen)
    assert Money(fen).prorate(whole, whole) == Money(fen)


def test_of_yuan_and_round_yuan() -> None:
    assert Money.of_yuan("12.34") == Money(1234)
    assert Money.of_yuan(5) == Money(500)
    assert Money.of_yuan(Decimal("-0.01")) == Money(-1)
    with pytest.raises(ValueError):
        Money.of_yuan("0.001")
    assert Money.round_yuan(Decimal("0.005")) == Money(1)
    assert Money.round_yuan(Decimal("0.00499")) == Money(0)
    assert Money.round_yuan(Decimal("1.125")) == Money(113)
    assert str(Money(123456)) == "¥1,234.56"
    assert str(Money(-5)) == "-¥0.05"


def test_floats_are_refused_everywhere() -> None:
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True)
    with pytest.raises(TypeError):
        Money(100) * 1.5  # type: ignore[operator]
    with pytest.raises(ValidationFailed):
        parse_yuan(1.5, field="amount")
    with pytest.raises(ValidationFailed):
        parse_rate(0.1, field="rate")
    assert parse_yuan("-3", field="amount", allow_negative=True) == Money(-300)
    with pytest.raises(ValidationFailed):
        parse_yuan("-3", field="amount")
