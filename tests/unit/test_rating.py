"""Rating (R-22): increments, the month's allowance in call order, one rounding per call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.billing.domain.rating import (
    CallToRate,
    RatePrice,
    allowance_left,
    charge_for,
    rate_month,
    round_up_seconds,
)
from videophone.kernel.money import Money

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def price(included: int = 0, rate: str = "0.10", first: int = 60, nxt: int = 60, pid: int = 1) -> RatePrice:
    return RatePrice(pid, included, Decimal(rate), first, nxt)


def call(i: int, seconds: int, minutes_after: int | None = None) -> CallToRate:
    return CallToRate(f"c{i:04d}", T0 + timedelta(minutes=i if minutes_after is None else minutes_after), seconds)


@pytest.mark.parametrize(
    ("billable", "first", "nxt", "rated"),
    [
        (0, 60, 60, 0),
        (1, 60, 60, 60),
        (60, 60, 60, 60),
        (61, 60, 60, 120),
        (121, 60, 60, 180),
        (1, 60, 6, 60),
        (61, 60, 6, 66),
        (66, 60, 6, 66),
        (67, 60, 6, 72),
        (7, 6, 6, 12),
    ],
)
def test_round_up_seconds(billable: int, first: int, nxt: int, rated: int) -> None:
    assert round_up_seconds(billable, first, nxt) == rated


def test_charges_beyond_the_allowance_at_the_rate_rounded_per_call() -> None:
    p = price(included=2, rate="0.125")
    results = rate_month([call(1, 61), call(2, 61), call(3, 30)], lambda c: p)
    assert [r.rated_seconds for r in results] == [120, 120, 60]
    assert [r.included_seconds for r in results] == [120, 0, 0]
    assert [r.charged_seconds for r in results] == [0, 120, 60]
    # 2 min × 0.125 = 0.25; 1 min × 0.125 = 0.125 → 0.13 (half up)
    assert [r.amount for r in results] == [Money(0), Money(25), Money(13)]


def test_sixty_six_increments() -> None:
    p = price(rate="0.60", first=60, nxt=6)
    (r,) = rate_month([call(1, 61)], lambda c: p)
    assert r.rated_seconds == 66 and r.amount == Money(66)


def test_allowance_is_consumed_in_call_order_not_input_order() -> None:
    p = price(included=1)
    later, earlier = call(2, 60), call(1, 60)
    results = rate_month([later, earlier], lambda c: p)
    assert [r.call_id for r in results] == ["c0001", "c0002"]
    assert results[0].included_seconds == 60 and results[1].included_seconds == 0
    same_time = [CallToRate("b", T0, 60), CallToRate("a", T0, 60)]
    assert [r.call_id for r in rate_month(same_time, lambda c: p)] == ["a", "b"]


def test_pool_is_the_first_rated_calls_plan_and_each_call_keeps_its_price() -> None:
    first, second = price(included=1, rate="0.10", pid=1), price(included=100, rate="0.20", pid=2)
    calls = [call(1, 60), call(2, 120), call(3, 60)]
    results = rate_month(calls, lambda c: first if c.id == "c0001" else second)
    assert [r.price_id for r in results] == [1, 2, 2]
    assert sum(r.included_seconds for r in results) == 60  # the pool of the first call's plan only
    assert results[1].amount == Money(40)
    assert allowance_left(results, 60) == 0


def test_calls_without_a_plan_are_not_charged() -> None:
    (r,) = rate_month([call(1, 100)], lambda c: None)
    assert r.price_id is None and r.amount == Money(0)


@given(
    st.lists(st.integers(min_value=1, max_value=7200), max_size=40),
    st.integers(min_value=0, max_value=300),
    st.sampled_from([(60, 60), (60, 6), (30, 6), (1, 1)]),
    st.sampled_from(["0", "0.1", "0.125", "0.0833", "1.9999"]),
)
def test_charged_seconds_are_rated_minus_the_allowance(
    seconds: list[int], included: int, increments: tuple[int, int], rate: str
) -> None:
    p = price(included=included, rate=rate, first=increments[0], nxt=increments[1])
    calls = [call(i, s) for i, s in enumerate(seconds)]
    results = rate_month(calls, lambda c: p)
    rated = sum(r.rated_seconds for r in results)
    assert sum(r.charged_seconds for r in results) == rated - min(rated, included * 60)
    assert all(r.rated_seconds == r.included_seconds + r.charged_seconds for r in results)
    # each call: its seconds rounded by the increments, its charge rounded once
    for c, r in zip(sorted(calls, key=lambda c: (c.started_at, c.id)), results, strict=True):
        assert r.call_id == c.id
        assert r.rated_seconds == round_up_seconds(c.billable_seconds, *increments)
        assert r.amount == charge_for(r.charged_seconds, Decimal(rate))
    # rating twice (in any input order) gives the same results
    assert rate_month(list(reversed(calls)), lambda c: p) == results


def test_a_negative_pool_is_refused() -> None:
    with pytest.raises(ValueError):
        rate_month([call(1, 60)], lambda c: price(), pool=-1)


@given(
    st.lists(st.tuples(st.integers(min_value=0, max_value=50), st.integers(min_value=1, max_value=7200)), max_size=30),
    st.integers(min_value=0, max_value=300),
    st.sampled_from([(60, 60), (60, 6), (30, 6), (1, 1)]),
    st.sampled_from(["0", "0.1", "0.125", "0.0833", "1.9999"]),
    st.data(),
)
def test_a_month_rated_in_two_parts_with_the_pool_left_is_the_month_rated_at_once(
    starts_seconds: list[tuple[int, int]],
    included: int,
    increments: tuple[int, int],
    rate: str,
    data: st.DataObject,
) -> None:
    """The call-ended hook rates only the calls that just ended, with the allowance the month's
    earlier calls left (``pool``): for one price, split anywhere, the same as rating the whole month."""
    p = price(included=included, rate=rate, first=increments[0], nxt=increments[1])
    # Ties in started_at included: call order is (started_at, id).
    calls = sorted(
        (CallToRate(f"c{i:04d}", T0 + timedelta(minutes=m), s) for i, (m, s) in enumerate(starts_seconds)),
        key=lambda c: (c.started_at, c.id),
    )
    k = data.draw(st.integers(min_value=0, max_value=len(calls)), label="k")
    whole = rate_month(calls, lambda c: p)
    first = rate_month(calls[:k], lambda c: p)
    rest = rate_month(calls[k:], lambda c: p, pool=p.allowance_seconds - sum(r.included_seconds for r in first))
    assert whole == first + rest
    # No pool given is the pool of the month's price.
    assert rate_month(calls, lambda c: p, pool=p.allowance_seconds) == whole
