"""The monthly bill (R-22, ADR 0004 "Bill run") — pure rules, no I/O.

* A billing period is a calendar month of the operator's calendar, written ``YYYY-MM``.
* Subscriptions (plan and value-added) cover ``[start, end)`` — ``end`` exclusive, ``None`` while
  current.  Days of service are the period's days inside that range, minus the days under a
  suspension whose reason stops the rent (:func:`rent_continues`: a lawful suspension keeps the
  rent — R-31; arrears, violation and the credit limit stop it).
* Rent and fees are prorated by days, rounded half up per bill line (:func:`prorate_rent` —
  ``Money.prorate``): a full month is exactly the full rent, and a month split at any day into two
  bills never exceeds the full rent by more than 1 fen per part.  When several parts of the *same*
  amount must sum exactly (e.g. one fee shown in several lines), use :func:`allocate_rent`, which
  uses ``Money.allocate`` (largest remainder) and sums back exactly.  The bill run uses
  :func:`prorate_rent` once per subscription and period (days are summed first), so no split arises.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from videophone.billing.domain.bill_lines import Text
from videophone.kernel.money import Money

PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

# Suspension reasons (R-31 and the credit issues).  Only a lawful suspension keeps the rent running.
RENT_CONTINUES = {"lawful": True, "arrears": False, "violation": False, "credit_limit": False}

Suspension = tuple[date, date | None, str]  # [from, to) and the reason; to None while still suspended


class InvalidPeriod(ValueError):
    pass


# -- periods -------------------------------------------------------------------------------------------
@lru_cache(maxsize=1024)
def parse_period(period: str) -> tuple[int, int]:
    match = PERIOD_RE.match(period or "")
    if match is None:
        raise InvalidPeriod(period)
    year, month = int(match.group(1)), int(match.group(2))
    if year < 2000:
        raise InvalidPeriod(period)
    return year, month


@lru_cache(maxsize=1024)
def period_bounds(period: str) -> tuple[date, date]:
    """First day of the period and the first day after it."""
    year, month = parse_period(period)
    start = date(year, month, 1)
    return start, start + timedelta(days=calendar.monthrange(year, month)[1])


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_period(period: str) -> str:
    start, _ = period_bounds(period)
    return period_of(start - timedelta(days=1))


def days_in_period(period: str) -> int:
    year, month = parse_period(period)
    return calendar.monthrange(year, month)[1]


# -- days of service and proration -----------------------------------------------------------------------
def rent_continues(reason: str) -> bool:
    """Whether rent is still charged during a suspension for ``reason`` (unknown reasons: no)."""
    return RENT_CONTINUES.get(reason, False)


def _days(start: date, end: date) -> set[date]:
    return {start + timedelta(days=i) for i in range(max(0, (end - start).days))}


def service_days(period: str, start: date, end: date | None, suspensions: Iterable[Suspension] = ()) -> int:
    """Days of ``period`` within ``[start, end)`` that are chargeable (see the module doc)."""
    first, after = period_bounds(period)
    lo, hi = max(first, start), min(after, end) if end is not None else after
    if not suspensions:  # the usual case: plain date arithmetic, same count as the set below
        return max(0, (hi - lo).days)
    days = _days(lo, hi)
    for s_from, s_to, reason in suspensions:
        if not rent_continues(reason):
            days -= _days(max(first, s_from), min(after, s_to) if s_to is not None else after)
    return len(days)


def prorate_rent(rent: Money, service_days: int, period_days: int) -> Money:
    """``rent × service_days / period_days``, rounded half up to the fen (full month = full rent)."""
    return rent.prorate(service_days, period_days)


def allocate_rent(rent: Money, parts_days: Sequence[int], period_days: int) -> list[Money]:
    """Exact split: the parts for ``parts_days`` (which must not exceed ``period_days`` together);
    when they cover the whole period they sum to ``rent`` exactly."""
    rest = period_days - sum(parts_days)
    if rest < 0:
        raise ValueError("parts exceed the period")
    shares = rent.allocate([*parts_days, rest])
    return shares[:-1]


# -- the bill --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DraftLine:
    kind: str  # rent | vas | usage | late_fee | adjustment | credit | refund
    description: str  # zh-CN
    quantity: str
    amount: Money
    description_en: str = ""
    quantity_en: str = ""


@dataclass(frozen=True)
class UsageSummary:
    calls: int
    seconds: int
    amount: Money

    @property
    def minutes_label(self) -> str:
        minutes, seconds = divmod(self.seconds, 60)
        return f"{minutes}:{seconds:02d}"


@dataclass(frozen=True)
class BillDraft:
    lines: tuple[DraftLine, ...]
    new_charges: Money
    previous_balance: Money
    payments: Money
    total_due: Money
    expected_total: Money = field(default_factory=Money.zero)  # previous − payments + new charges

    @property
    def consistent(self) -> bool:
        return self.total_due == self.expected_total


def compose_bill(
    *,
    rent: Sequence[tuple[Text, Text, Money]],
    vas: Sequence[tuple[Text, Text, Money]],
    usage: UsageSummary | None,
    usage_description: Text,
    adjustments: Sequence[tuple[Text, Money]],
    credits: Sequence[tuple[Text, Money]],
    previous_balance: Money,
    payments: Money,
    total_due: Money,
    late_fees: Sequence[tuple[Text, Text, Money]] = (),
    refunds: Sequence[tuple[Text, Money]] = (),
) -> BillDraft:
    """Lines in a fixed order — rent, each value-added service, usage, late fees, adjustments,
    credits, refunds — and the totals.  Descriptions and quantities are ``(zh-CN, en)`` pairs
    (``domain.bill_lines``).  ``credits`` are amounts that reduce what is owed (shown
    negative); ``refunds`` are money paid back to the subscriber (owed again, shown positive);
    ``payments`` are the sum received (positive); ``total_due`` is the receivable balance at the
    cut-off."""

    def line(kind: str, d: Text, q: Text, a: Money) -> DraftLine:
        return DraftLine(kind, d[0], q[0], a, d[1], q[1])

    lines: list[DraftLine] = []
    lines.extend(line("rent", d, q, a) for d, q, a in rent)
    lines.extend(line("vas", d, q, a) for d, q, a in vas)
    if usage is not None and (usage.calls or usage.amount):
        calls = f"{usage.calls} / {usage.minutes_label}"
        lines.append(line("usage", usage_description, (calls, calls), usage.amount))
    lines.extend(line("late_fee", d, q, a) for d, q, a in late_fees)
    lines.extend(line("adjustment", d, ("", ""), a) for d, a in adjustments)
    lines.extend(line("credit", d, ("", ""), Money(-abs(a.fen))) for d, a in credits)
    lines.extend(line("refund", d, ("", ""), Money(abs(a.fen))) for d, a in refunds)
    new_charges = Money.total(line.amount for line in lines)
    return BillDraft(
        lines=tuple(lines),
        new_charges=new_charges,
        previous_balance=previous_balance,
        payments=payments,
        total_due=total_due,
        expected_total=previous_balance - payments + new_charges,
    )


def bill_number(period: str, subscriber_id: int) -> str:
    """``B`` + period digits + the zero-padded subscriber id: unique per (subscriber, period)."""
    year, month = parse_period(period)
    return f"B{year:04d}{month:02d}{subscriber_id:010d}"
