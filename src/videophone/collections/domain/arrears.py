"""Arrears (欠费, R-24, contract 003 §5): when an overdue account is suspended, terminated or restored.

"Overdue more than N months" is counted in calendar months from the due date of the oldest
non-disputed overdue principal: with due date ``d``, the account is more than N months overdue on
every day after ``add_months(d, N)`` (month ends clamp: 31 January + 1 month = 28/29 February).

* nothing overdue at all (late fees included)            → active (a suspension is lifted);
* more than ``months_overdue_before_termination`` months → terminated (final);
* more than ``months_overdue_before_suspension`` months  → suspended;
* otherwise: an account already suspended for arrears stays suspended until everything due is paid
  ("paying in full restores"), any other stays active.
"""

from __future__ import annotations

import calendar
from datetime import date
from enum import StrEnum


class ArrearsState(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_overdue(oldest_due: date, today: date) -> int:
    """Whole calendar months from ``oldest_due`` that have fully passed by ``today`` (0 if none)."""
    n = 0
    while add_months(oldest_due, n + 1) < today:
        n += 1
    return n


def decide(
    *,
    oldest_overdue_due: date | None,
    overdue_fen: int,
    today: date,
    suspended: bool,
    months_to_suspend: int,
    months_to_terminate: int,
) -> ArrearsState:
    """The state the account should be in today (see the module docstring)."""
    if overdue_fen <= 0:
        return ArrearsState.ACTIVE
    if oldest_overdue_due is not None:
        if today > add_months(oldest_overdue_due, months_to_terminate):
            return ArrearsState.TERMINATED
        if today > add_months(oldest_overdue_due, months_to_suspend):
            return ArrearsState.SUSPENDED
    return ArrearsState.SUSPENDED if suspended else ArrearsState.ACTIVE


def ageing_bucket(oldest_due: date | None, today: date) -> str:
    """Ageing bucket for the arrears console: ``0-30``, ``31-60``, ``61-90``, ``90+`` days overdue."""
    if oldest_due is None or oldest_due >= today:
        return "current"
    days = (today - oldest_due).days
    if days <= 30:
        return "0-30"
    if days <= 60:
        return "31-60"
    if days <= 90:
        return "61-90"
    return "90+"
