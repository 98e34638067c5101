"""The delay schedule of login throttling (domain/throttling.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.identity.domain.throttling import ThrottleRule, retry_after

LOGIN = ThrottleRule(free=3, first_delay=1, max_delay=900, window=86_400)
LOCKOUT = ThrottleRule(free=30, first_delay=900, max_delay=900, window=900)


@pytest.mark.parametrize(
    ("attempts", "delay"),
    [(0, 0), (1, 0), (2, 0), (3, 1), (4, 2), (5, 4), (6, 8), (12, 512), (13, 900), (14, 900), (10_000, 900)],
)
def test_free_for_three_then_doubling_up_to_fifteen_minutes(attempts: int, delay: int) -> None:
    assert LOGIN.delay_after(attempts) == delay


def test_a_lock_out_is_a_rule_whose_first_delay_is_its_cap() -> None:
    assert [LOCKOUT.delay_after(n) for n in (1, 29, 30, 31, 500)] == [0, 0, 900, 900, 900]
    assert LOCKOUT.schedule() == (0,) * 29 + (900,)


def test_the_schedule_ends_at_the_first_capped_delay() -> None:
    assert LOGIN.schedule() == (0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900)


rules = st.builds(
    lambda free, first, extra, window: ThrottleRule(free, first, first + extra, window),
    st.integers(1, 50),
    st.integers(1, 3600),
    st.integers(0, 100_000),
    st.integers(1, 10**6),
)


@given(rules, st.integers(0, 10**4))
def test_delays_never_shrink_and_stay_within_the_cap(rule: ThrottleRule, n: int) -> None:
    assert 0 <= rule.delay_after(n) <= rule.delay_after(n + 1) <= rule.max_delay
    assert (rule.delay_after(n) == 0) == (n < rule.free)


@given(rules)
def test_the_schedule_is_the_rule_up_to_the_cap(rule: ThrottleRule) -> None:
    schedule = rule.schedule()
    assert list(schedule) == [rule.delay_after(n) for n in range(1, len(schedule) + 1)]
    assert schedule[-1] == rule.max_delay and rule.max_delay not in schedule[:-1]
    assert len(schedule) <= rule.free + rule.max_delay.bit_length()  # a short CASE in SQL


def test_invalid_rules_are_refused() -> None:
    with pytest.raises(ValueError):
        ThrottleRule(free=0, first_delay=1, max_delay=1, window=1)
    with pytest.raises(ValueError):
        ThrottleRule(free=1, first_delay=10, max_delay=5, window=1)


@pytest.mark.parametrize(("wait", "header"), [(-3.0, 1), (0.0, 1), (0.2, 1), (1.0, 1), (1.000001, 2), (899.5, 900)])
def test_retry_after_rounds_up_to_whole_seconds(wait: float, header: int) -> None:
    assert retry_after(wait) == header
