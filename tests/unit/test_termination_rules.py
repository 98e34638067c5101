"""Termination rules (R-32): the account closes iff nothing is owed; the settlement; withdrawal; the
inactivity notice and termination days."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from videophone.collections.domain.termination import (
    InactivityAction,
    RequestState,
    can_withdraw,
    closes,
    inactivity_action,
    notice_due_on,
    settlement,
    termination_due_on,
)
from videophone.kernel.money import Money

DAY = date(2026, 1, 1)


def test_closes_only_when_nothing_is_owed() -> None:
    assert closes(Money(0))
    assert closes(Money(-1))
    assert not closes(Money(1))


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_settlement_splits_the_balance(fen: int) -> None:
    s = settlement(Money(fen))
    assert s.closes == closes(Money(fen)) == (fen <= 0)
    assert s.remaining.fen >= 0 and s.refund_due.fen >= 0
    assert s.remaining.fen - s.refund_due.fen == fen  # nothing lost either way
    assert s.remaining.fen == 0 or s.refund_due.fen == 0


def test_withdraw_only_while_awaiting_payment() -> None:
    assert can_withdraw(RequestState.AWAITING_PAYMENT.value)
    assert not can_withdraw(RequestState.CLOSED.value)
    assert not can_withdraw(RequestState.WITHDRAWN.value)


def test_inactivity_timeline() -> None:
    kw = {"days_before_termination": 365, "notice_days": 30}
    assert notice_due_on(DAY, 365, 30) == DAY + timedelta(days=335)
    before = inactivity_action(last_activity=DAY, today=DAY + timedelta(days=334), notified_on=None, **kw)
    assert before is InactivityAction.NONE
    due = inactivity_action(last_activity=DAY, today=DAY + timedelta(days=335), notified_on=None, **kw)
    assert due is InactivityAction.NOTIFY
    notified = DAY + timedelta(days=335)
    wait = inactivity_action(last_activity=DAY, today=DAY + timedelta(days=364), notified_on=notified, **kw)
    assert wait is InactivityAction.NONE
    end = inactivity_action(last_activity=DAY, today=DAY + timedelta(days=365), notified_on=notified, **kw)
    assert end is InactivityAction.TERMINATE
    used = inactivity_action(last_activity=notified, today=DAY + timedelta(days=400), notified_on=notified, **kw)
    assert used is InactivityAction.CLEAR


def test_a_late_notice_still_runs_its_full_length() -> None:
    # The job was not run for a while: the notice goes out late, termination waits the notice days.
    notified = DAY + timedelta(days=500)
    assert termination_due_on(DAY, notified, 365, 30) == notified + timedelta(days=30)
    kw = {"days_before_termination": 365, "notice_days": 30}
    assert inactivity_action(last_activity=DAY, today=notified + timedelta(days=29), notified_on=notified, **kw) is (
        InactivityAction.NONE
    )


@given(
    st.integers(min_value=30, max_value=1000),
    st.integers(min_value=1, max_value=400),
    st.integers(min_value=0, max_value=2000),
    st.integers(min_value=0, max_value=2000),
)
def test_never_terminated_without_a_full_notice_nor_before_the_inactivity_period(
    days: int, notice: int, notified_after: int, today_after: int
) -> None:
    notified = DAY + timedelta(days=notified_after)
    today = notified + timedelta(days=today_after)
    action = inactivity_action(
        last_activity=DAY, today=today, notified_on=notified, days_before_termination=days, notice_days=notice
    )
    if action is InactivityAction.TERMINATE:
        assert (today - notified).days >= notice
        assert (today - DAY).days >= days
    # Without a notice, never terminated.
    first = inactivity_action(
        last_activity=DAY, today=today, notified_on=None, days_before_termination=days, notice_days=notice
    )
    assert first is not InactivityAction.TERMINATE
