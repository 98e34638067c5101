"""Late fees (违约金, R-24, contract 003 §5) — pure rules over an account's :class:`~debts.Timeline`.

Conventions:

* **Days** are the operator's calendar days.  The fee of day D looks at the account **at the start of
  D** (local midnight): debts incurred, payments received and disputes opened or resolved *before*
  that instant count; anything during D counts from D + 1.
* **Base** of day D: for every principal debt (a bill's charges together, or a positive adjustment or
  refund) whose due date is before D (so the first fee day is the day after the due date), what
  remains unpaid of it, minus the part under a dispute open at the start of D.  Late fees are never
  part of the base (no fee on fees), but they are debts like any other: payments settle them in
  their turn (oldest first), so they can delay the settling of a later bill.
* **Fee** of day D: ``late_fee_per_mille_per_day ‰`` of each debt's base, exact (fractions), capped
  per debt, summed, then **rounded half up to the fen once per account per day**.
* **Cap** (``late_fee_cap_percent``, 0 = none): the fees attributed to one debt (exact, before the
  daily rounding) never exceed that percentage of the debt's principal; once there, the debt accrues
  nothing more.  The posted daily amounts are rounded, so the posted total may differ from the exact
  cap by the rounding of each day (less than half a fen a day).
* A day's fee is a late-fee debt incurred at the start of D + 1, before anything else at that
  instant; it is due at once.
* :func:`accrue` gives the fees of days ``first..last`` given everything before (late fees posted
  for earlier days are in the timeline), so running it for a range at once or day by day gives the
  same fees — missed days are caught up identically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from videophone.collections.domain.debts import LATE_FEE, Debt, Timeline, day_start, disputed_at, remaining_at

UnitKey = tuple[str, int]


@dataclass(frozen=True)
class DayFee:
    day: date
    overdue_principal: int  # fen overdue at the start of the day, disputed parts included
    base: int  # fen the fee is computed on (disputed parts left out)
    fee: int  # fen, rounded


def round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2)) if x >= 0 else -math.floor(-x + Fraction(1, 2))


def late_fee_debt(day: date, fee: int, tz: ZoneInfo) -> Debt:
    """The late fee of ``day`` as a debt of the timeline."""
    return Debt(
        at=day_start(day + timedelta(days=1), tz), order=day.toordinal(), amount=fee, due=day, kind=LATE_FEE, rank=0
    )


def _unit(debt: Debt) -> UnitKey:
    return ("bill", debt.bill_id) if debt.bill_id is not None else ("debt", debt.order)


def _day(
    timeline: Timeline, day: date, tz: ZoneInfo, rate: Fraction, cap: Fraction | None, accrued: dict[UnitKey, Fraction]
) -> tuple[DayFee, dict[UnitKey, Fraction]]:
    t = day_start(day, tz)
    held = disputed_at(timeline, t)
    units: dict[UnitKey, list[int]] = {}  # key → [principal, remaining]
    dues: dict[UnitKey, date | None] = {}
    for debt, left in remaining_at(timeline, t):
        if debt.kind == LATE_FEE:
            continue
        k = _unit(debt)
        u = units.setdefault(k, [0, 0])
        u[0] += debt.amount
        u[1] += left
        dues[k] = debt.due
    overdue = base_total = 0
    exact = Fraction(0)
    shares: dict[UnitKey, Fraction] = {}
    for k, (principal, left) in units.items():
        due = dues[k]
        if due is None or due >= day or left <= 0:
            continue
        overdue += left
        disputed = held.get(k[1], 0) if k[0] == "bill" else 0
        base = max(0, left - disputed)
        if not base:
            continue
        base_total += base
        share = rate * base
        if cap is not None:
            room = cap * principal - accrued.get(k, Fraction(0))
            share = max(Fraction(0), min(share, room))
        shares[k] = share
        exact += share
    return DayFee(day, overdue, base_total, round_half_up(exact)), shares


def accrue(
    timeline: Timeline,
    first: date,
    last: date,
    tz: ZoneInfo,
    per_mille: Decimal,
    cap_percent: int = 0,
) -> list[DayFee]:
    """The fees of the days ``first..last`` (inclusive).  ``timeline`` holds the late fees of the days
    before ``first`` as they were posted; the fees computed here are added as they go."""
    if last < first:
        return []
    rate = Fraction(per_mille) / 1000
    cap = Fraction(cap_percent, 100) if cap_percent > 0 else None
    accrued: dict[UnitKey, Fraction] = {}
    day = first
    if cap is not None:
        # Replay earlier days to know each debt's fees so far: from the day after the oldest due date
        # of a debt not yet settled at ``first`` (a debt's remainder only shrinks over time).
        dues = [
            d.due
            for d, left in remaining_at(timeline, day_start(first, tz))
            if d.kind != LATE_FEE and left > 0 and d.due is not None and d.due < first
        ]
        if dues:
            day = min(dues) + timedelta(days=1)
    out: list[DayFee] = []
    current = timeline
    while day <= last:
        fee, shares = _day(current, day, tz, rate, cap, accrued)
        for k, share in shares.items():
            accrued[k] = accrued.get(k, Fraction(0)) + share
        if day >= first:
            out.append(fee)
            if fee.fee > 0:
                current = current.with_debts([late_fee_debt(day, fee.fee, tz)])
        day += timedelta(days=1)
    return out
