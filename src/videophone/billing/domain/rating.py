"""Rating of calls (R-22, ADR 0004 "Rating") — pure functions, no I/O.

A call is rated by the plan price in force on its start date (the caller of :func:`rate_month`
supplies that price per call).  Billable seconds are rounded up by the price's increments (first
increment, then next increments).  The month's included allowance is consumed first, in call order
(``started_at``, then ``id``); the rest is charged at the per-minute rate and rounded to the fen once
per call, half up (:meth:`Money.round_yuan`).

Plan changes take effect on the first day of a month (ADR 0004), so normally one price applies to
the whole month.  Should prices differ within a month anyway (a price change effective mid-month),
each call is rated with its own price (increments and rate), while the month's allowance pool is the
``included_minutes`` of the price in force for the month's *first rated call* — one pool per month,
never split or topped up.

Rating is deterministic: the same calls and prices always give the same results, so rating a month
again (after a late call record) rewrites identical rows for the calls that did not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from videophone.kernel.money import Money

SECONDS_PER_MINUTE = 60
_ZERO = Money(0)  # immutable, shared


@dataclass(frozen=True)
class RatePrice:
    """The terms of a plan price that rating needs."""

    price_id: int | None
    included_minutes: int
    rate_per_minute: Decimal  # yuan per minute, up to 4 decimals
    first_increment_seconds: int
    next_increment_seconds: int

    def __post_init__(self) -> None:
        if isinstance(self.rate_per_minute, float):
            raise TypeError("rates are Decimal, never float")
        if self.first_increment_seconds <= 0 or self.next_increment_seconds <= 0:
            raise ValueError("increments must be positive")
        if self.included_minutes < 0 or self.rate_per_minute < 0:
            raise ValueError("included minutes and rate must not be negative")

    @property
    def allowance_seconds(self) -> int:
        return self.included_minutes * SECONDS_PER_MINUTE


# Named tuples, not dataclasses: a month's run makes a million of each, and a tuple is made in C.
class CallToRate(NamedTuple):
    id: str
    started_at: datetime
    billable_seconds: int


class ChargeResult(NamedTuple):
    call_id: str
    price_id: int | None
    rated_seconds: int  # billable seconds rounded up by the increments
    included_seconds: int  # taken from the month's allowance
    charged_seconds: int  # rated - included
    amount: Money


def round_up_seconds(billable: int, first: int, next: int) -> int:
    """Seconds after rounding up: the first increment, then whole next increments (60/6: 61 s → 66 s)."""
    if first <= 0 or next <= 0:
        raise ValueError("increments must be positive")
    if billable <= 0:
        return 0
    if billable <= first:
        return first
    rest = billable - first
    return first + -(-rest // next) * next


def charge_for(seconds: int, rate_per_minute: Decimal) -> Money:
    """``seconds`` at ``rate_per_minute`` yuan, rounded to the fen once (half up)."""
    if seconds == 0:
        return _ZERO
    return _charge_for(seconds, rate_per_minute)


@lru_cache(maxsize=65536)
def _charge_for(seconds: int, rate_per_minute: Decimal) -> Money:
    # Pure and small-domain (rated seconds × a few rates): cached, as a month's calls repeat values.
    return Money.round_yuan(Decimal(seconds) * rate_per_minute / SECONDS_PER_MINUTE)


_CALL_ORDER = itemgetter(1, 0)  # call order: (started_at, id), in C


def rate_month(
    calls: Iterable[CallToRate],
    price_for_call: Callable[[CallToRate], RatePrice | None],
    *,
    pool: int | None = None,
) -> list[ChargeResult]:
    """Rate one subscriber's calls of one month, in call order.

    Calls for which ``price_for_call`` returns ``None`` (no plan in force) are rated at zero with no
    price.  The allowance pool is that of the first call that has a price (see the module doc) —
    unless ``pool`` is given: the allowance seconds still left when ``calls`` continue a month
    already rated (all of them later in call order than the calls rated before).  For one price,
    rating a month's first ``k`` calls and then the rest with the pool they left gives the rating of
    the whole month.
    """
    if pool is not None and pool < 0:
        raise ValueError("the allowance left must not be negative")
    results: list[ChargeResult] = []
    append = results.append
    for call in sorted(calls, key=_CALL_ORDER):
        price = price_for_call(call)
        billable = call.billable_seconds
        if price is None:
            append(ChargeResult(call.id, None, max(billable, 0), 0, 0, _ZERO))
            continue
        if pool is None:
            pool = price.allowance_seconds
        rated = round_up_seconds(billable, price.first_increment_seconds, price.next_increment_seconds)
        included = rated if rated < pool else pool
        pool -= included
        charged = rated - included
        append(
            ChargeResult(
                call.id,
                price.price_id,
                rated,
                included,
                charged,
                charge_for(charged, price.rate_per_minute),
            )
        )
    return results


def allowance_left(results: Iterable[ChargeResult], allowance_seconds: int) -> int:
    """Seconds of the month's allowance still unused after ``results``."""
    return max(0, allowance_seconds - sum(r.included_seconds for r in results))
