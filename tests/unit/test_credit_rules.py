"""The credit limit (R-26, domain/credit.py and the limit of domain/calls.py): the longest a call may
last against the headroom, warning levels, the chosen limit, and the in-call timer on a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from videophone.billing.domain.rating import CallToRate, RatePrice, rate_month, round_up_seconds
from videophone.calling.domain.calls import Call, CallState, EndReason, Notice, Outcome
from videophone.collections.domain import credit
from videophone.kernel.errors import InvalidState, ValidationFailed
from videophone.kernel.money import Money

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
A = (1, "a-phone")
B = (2, "b-phone")


def price(rate: str = "0.10", first: int = 60, nxt: int = 60, included: int = 0) -> RatePrice:
    return RatePrice(1, included, Decimal(rate), first, nxt)


# -- headroom ------------------------------------------------------------------------------------------
def test_headroom_counts_prepaid_credit_and_reservations() -> None:
    limit = Money.of_yuan(100)
    assert credit.headroom(limit, Money.of_yuan(30), Money(0), Money(0)) == Money.of_yuan(70)
    # Owing money (an unpaid bill) does not lower the month's headroom; paying in advance raises it.
    assert credit.headroom(limit, Money.of_yuan(30), Money.of_yuan(50), Money(0)) == Money.of_yuan(70)
    assert credit.headroom(limit, Money.of_yuan(100), Money.of_yuan(-20), Money(0)) == Money.of_yuan(20)
    assert credit.headroom(limit, Money.of_yuan(30), Money(0), Money.of_yuan(60)) == Money.of_yuan(10)
    assert credit.headroom(limit, Money.of_yuan(120), Money(0), Money(0)) == Money.of_yuan(-20)


# -- the longest call ------------------------------------------------------------------------------------
def test_max_call_seconds_examples() -> None:
    # 0.10 yuan/min, 60/60: 1.00 yuan buys 10 minutes exactly.
    assert credit.max_call_seconds(Money.of_yuan(1), price(), 0) == 600
    assert credit.max_call_seconds(Money.of_yuan("0.99"), price(), 0) == 540
    # 60/6 increments: 0.15 yuan = 60 s + 5 × 6 s.
    assert credit.max_call_seconds(Money(15), price(nxt=6), 0) == 90
    # Not even the first increment: zero seconds.
    assert credit.max_call_seconds(Money(9), price(), 0) == 0
    assert credit.max_call_seconds(Money(-5), price(), 0) == 0
    # Allowance left is free: 120 s included + 1.00 yuan.
    assert credit.max_call_seconds(Money.of_yuan(1), price(), 120) == 720
    # Free calls are unlimited.
    assert credit.max_call_seconds(Money(0), price("0"), 0) is None
    assert credit.max_call_seconds(Money(0), None, 0) is None


def test_call_charge_is_rating() -> None:
    # The charge of one call equals what rate_month gives that call after the allowance used before it.
    p = price("0.35", 30, 6, included=2)
    earlier = CallToRate("a", T0, 75)
    later = CallToRate("b", T0 + timedelta(minutes=5), 200)
    results = rate_month([earlier, later], lambda _: p)
    left = p.allowance_seconds - results[0].included_seconds
    assert credit.call_charge(200, p, left) == results[1].amount


prices = st.builds(
    lambda rate, first, nxt, included: RatePrice(1, included, rate, first, nxt),
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("20"), places=4),
    st.sampled_from([1, 6, 30, 60]),
    st.sampled_from([1, 6, 30, 60]),
    st.integers(0, 300),
)


@given(room=st.integers(0, 500_000), p=prices, included_left=st.integers(0, 20_000))
def test_max_call_seconds_is_the_longest_affordable(room: int, p: RatePrice, included_left: int) -> None:
    longest = credit.max_call_seconds(Money(room), p, included_left)
    assert longest is not None
    assert credit.call_charge(longest, p, included_left).fen <= room
    assert credit.call_charge(longest + 1, p, included_left).fen > room


@given(room=st.integers(0, 100_000), p=prices, included_left=st.integers(0, 3000), extra=st.integers(0, 10_000))
def test_more_headroom_never_shortens_a_call(room: int, p: RatePrice, included_left: int, extra: int) -> None:
    shorter = credit.max_call_seconds(Money(room), p, included_left)
    longer = credit.max_call_seconds(Money(room + extra), p, included_left)
    assert shorter is not None and longer is not None and shorter <= longer


@given(
    room=st.integers(0, 50_000),
    p=prices,
    first_share=st.integers(0, 100),
)
def test_two_reservations_never_overshoot(room: int, p: RatePrice, first_share: int) -> None:
    """Online charging: a second call reserves from what the first left, so both together (each used
    to its limit) stay within the headroom."""
    included_left = p.allowance_seconds  # a month with no calls yet
    first = credit.max_call_seconds(Money(room * first_share // 100), p, included_left)
    assert first is not None
    first_reserved = credit.call_charge(first, p, included_left)
    # The second call may count only on the allowance the first may use up.
    rated_first = round_up_seconds(first, p.first_increment_seconds, p.next_increment_seconds)
    second_included = max(0, included_left - rated_first)
    second = credit.max_call_seconds(Money(room) - first_reserved, p, second_included)
    assert second is not None
    # Rated as the month rates them (the first call first), both used to their limits:
    both = rate_month([CallToRate("a", T0, first), CallToRate("b", T0 + timedelta(seconds=1), second)], lambda _: p)
    assert sum(r.amount.fen for r in both) <= room


# -- warnings --------------------------------------------------------------------------------------------
def test_warning_levels() -> None:
    limit = Money.of_yuan(100)
    assert credit.levels_reached(Money.of_yuan("79.99"), limit) == []
    assert credit.levels_reached(Money.of_yuan(80), limit) == [80]
    assert credit.levels_reached(Money.of_yuan(100), limit) == [80, 100]
    assert credit.new_warnings(Money.of_yuan(120), limit, [80]) == [100]
    assert credit.new_warnings(Money.of_yuan(120), limit, [80, 100]) == []
    assert credit.percent_used(Money.of_yuan("80.5"), limit) == 80
    assert credit.percent_used(Money.of_yuan(-5), limit) == 0


@given(used=st.integers(-10_000, 300_000), limit=st.integers(1, 100_000))
def test_levels_reached_match_percent(used: int, limit: int) -> None:
    reached = credit.levels_reached(Money(used), Money(limit))
    for level in credit.WARNING_LEVELS:
        assert (level in reached) == (used * 100 >= level * limit)


def test_chosen_limit_must_be_an_offered_option() -> None:
    assert credit.chosen_limit(100, [50, 100]) == Money.of_yuan(100)
    assert credit.chosen_limit(None, [50, 100]) is None
    for bad in (75, 0, -50, True):
        with pytest.raises(ValidationFailed) as err:
            credit.chosen_limit(bad, [50, 100])  # type: ignore[arg-type]
        assert err.value.errors[0].code == "credit_limit_not_offered"


# -- the in-call timer (fake clock) ----------------------------------------------------------------------
def answered(at: datetime = T0 + timedelta(seconds=5)) -> Call:
    call, _ = Call.place("c1", A, 2, ["b-phone"], T0, 45)
    call.accept(B, at)
    return call


def test_limited_call_is_warned_then_cut_off_at_the_limit() -> None:
    call = answered()
    start = call.answered_at
    assert start is not None
    assert call.set_limit(300, start) == []
    assert call.limit_seconds(start) == 300
    assert call.tick(start + timedelta(seconds=239), 30) == []
    warning = call.tick(start + timedelta(seconds=240.2), 30)
    assert [(s.to, s.notice, dict(s.data)) for s in warning] == [
        (A, Notice.CREDIT_WARNING, {"remaining": 60}),
        (B, Notice.CREDIT_WARNING, {"remaining": 60}),
    ]
    assert call.tick(start + timedelta(seconds=250), 30) == []  # warned once
    ended = call.tick(start + timedelta(seconds=300.3), 30)
    assert [(s.to, s.notice) for s in ended] == [(A, Notice.ENDED), (B, Notice.ENDED)]
    assert ended[0].data["reason"] == "cut_off_credit" and ended[0].data["outcome"] == "cut_off_credit"
    assert (call.state, call.end_reason, call.outcome) == (
        CallState.ENDED,
        EndReason.CUT_OFF_CREDIT,
        Outcome.CUT_OFF_CREDIT,
    )
    # Ended at the limit exactly, never billed a second beyond it.
    assert call.ended_at == start + timedelta(seconds=300) and call.billable_seconds() == 300


def test_a_short_limit_warns_at_once_and_zero_ends_at_once() -> None:
    call = answered()
    start = call.answered_at
    assert start is not None
    sends = call.set_limit(40, start)
    assert [(s.notice, s.data["remaining"]) for s in sends] == [(Notice.CREDIT_WARNING, 40)] * 2
    other = answered()
    assert other.answered_at is not None
    sends = other.set_limit(0, other.answered_at)
    assert other.outcome is Outcome.CUT_OFF_CREDIT and other.billable_seconds() == 0
    assert {s.notice for s in sends} == {Notice.ENDED}


def test_hangup_after_the_limit_counts_as_cut_off_at_the_limit() -> None:
    call = answered()
    start = call.answered_at
    assert start is not None
    call.set_limit(120, start)
    call.hangup(A, start + timedelta(seconds=120.4))  # the tick had not run yet
    assert call.outcome is Outcome.CUT_OFF_CREDIT and call.billable_seconds() == 120
    before = answered()
    assert before.answered_at is not None
    before.set_limit(120, before.answered_at)
    before.hangup(B, before.answered_at + timedelta(seconds=100))
    assert before.outcome is Outcome.ANSWERED and before.ended_by == "callee"


def test_limit_applies_only_to_an_answered_call() -> None:
    call, _ = Call.place("c1", A, 2, ["b-phone"], T0, 45)
    with pytest.raises(InvalidState):
        call.set_limit(60, T0)
    assert call.limit_seconds(T0) is None


@given(seconds=st.integers(0, 10_000), offsets=st.lists(st.floats(0, 12_000), max_size=20))
def test_the_timer_never_lets_a_call_run_past_its_limit(seconds: int, offsets: list[float]) -> None:
    call = answered()
    start = call.answered_at
    assert start is not None
    call.set_limit(seconds, start)
    warnings = 0
    for offset in sorted(offsets):
        now = start + timedelta(seconds=offset)
        sends = call.tick(now, 30)
        warnings += sum(1 for s in sends if s.notice is Notice.CREDIT_WARNING and s.to == A)
        if call.state is CallState.ENDED:
            break
    assert warnings <= 1
    if call.state is CallState.ENDED:
        assert call.billable_seconds() == seconds
