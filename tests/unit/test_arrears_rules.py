"""Arrears transitions (R-24): suspension after N calendar months overdue, termination after M,
restoration only when everything due is paid; month ends; ageing buckets."""

from __future__ import annotations

from datetime import date

import pytest

from videophone.collections.domain.arrears import ArrearsState, add_months, ageing_bucket, decide, months_overdue


def state(due: date | None, today: date, *, overdue: int = 100, suspended: bool = False) -> ArrearsState:
    return decide(
        oldest_overdue_due=due,
        overdue_fen=overdue,
        today=today,
        suspended=suspended,
        months_to_suspend=1,
        months_to_terminate=3,
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 5, 15), 0, date(2026, 5, 15)),
    ],
)
def test_add_months_clamps_month_ends(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_suspended_only_when_more_than_n_months_overdue() -> None:
    due = date(2026, 1, 10)
    assert state(due, date(2026, 2, 10)) is ArrearsState.ACTIVE  # exactly one month: not more
    assert state(due, date(2026, 2, 11)) is ArrearsState.SUSPENDED
    assert state(due, date(2026, 4, 10)) is ArrearsState.SUSPENDED
    assert state(due, date(2026, 4, 11)) is ArrearsState.TERMINATED


def test_month_end_due_dates() -> None:
    due = date(2026, 1, 31)
    assert state(due, date(2026, 2, 28)) is ArrearsState.ACTIVE
    assert state(due, date(2026, 3, 1)) is ArrearsState.SUSPENDED
    assert state(due, date(2026, 4, 30)) is ArrearsState.SUSPENDED
    assert state(due, date(2026, 5, 1)) is ArrearsState.TERMINATED
    assert months_overdue(due, date(2026, 3, 1)) == 1
    assert months_overdue(due, date(2026, 2, 28)) == 0


def test_restored_only_when_nothing_is_overdue() -> None:
    due = date(2026, 1, 10)
    # partly paid: the oldest overdue bill is now a recent one, but the account stays suspended
    assert state(date(2026, 3, 1), date(2026, 3, 5), suspended=True) is ArrearsState.SUSPENDED
    assert state(date(2026, 3, 1), date(2026, 3, 5), suspended=False) is ArrearsState.ACTIVE
    # only late fees left: still overdue, still suspended
    assert state(None, date(2026, 3, 5), overdue=30, suspended=True) is ArrearsState.SUSPENDED
    # paid in full
    assert state(None, date(2026, 3, 5), overdue=0, suspended=True) is ArrearsState.ACTIVE
    assert state(due, date(2026, 9, 1), overdue=0, suspended=True) is ArrearsState.ACTIVE


def test_ageing_buckets() -> None:
    today = date(2026, 6, 1)
    assert ageing_bucket(None, today) == "current"
    assert ageing_bucket(date(2026, 6, 1), today) == "current"
    assert ageing_bucket(date(2026, 5, 31), today) == "0-30"
    assert ageing_bucket(date(2026, 5, 2), today) == "0-30"
    assert ageing_bucket(date(2026, 5, 1), today) == "31-60"
    assert ageing_bucket(date(2026, 3, 3), today) == "61-90"
    assert ageing_bucket(date(2026, 3, 2), today) == "90+"
