"""The monthly credit limit (R-26, 003 §9) — pure rules, no I/O.

What counts is the month's usage: the charges of the subscriber's calls of the current period, rated
exactly as ``domain.rating`` rates them.  The headroom is what may still be spent this month::

    headroom = limit − usage + prepaid credit − reserved

where the prepaid credit is what the subscriber has paid beyond what they owe (``max(0, −balance)``:
paying in advance, or paying the incurred charges, raises it) and ``reserved`` is held by other calls
still in progress (online charging: a call reserves, when answered, the charge of the longest it may
last).  A call may last :func:`max_call_seconds` — the longest duration whose charge does not exceed
the headroom; the parties are warned :data:`WARN_BEFORE_SECONDS` before, and it is cut off at the
limit.  Warnings go out once per period at :data:`WARNING_LEVELS` percent of the limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from videophone.billing.domain.rating import RatePrice, charge_for, round_up_seconds
from videophone.kernel.errors import FieldError, ValidationFailed
from videophone.kernel.money import Money

WARNING_LEVELS: tuple[int, ...] = (80, 100)
WARN_BEFORE_SECONDS = 60
MAX_RESERVED_SECONDS = 7 * 24 * 3600  # a call allowed longer than this is held for this long (then again)


def headroom(limit: Money, used: Money, balance: Money, reserved: Money) -> Money:
    """What may still be spent this month (negative when over the limit)."""
    prepaid = Money(max(0, -balance.fen))
    return limit - used + prepaid - reserved


def call_charge(seconds: int, price: RatePrice, included_left: int) -> Money:
    """The charge of one call of ``seconds`` billable seconds, as rating computes it: rounded up by the
    increments, the month's allowance left (``included_left`` seconds) used first."""
    rated = round_up_seconds(seconds, price.first_increment_seconds, price.next_increment_seconds)
    charged = max(0, rated - max(0, included_left))
    return charge_for(charged, price.rate_per_minute)


def _grid(k: int, price: RatePrice) -> int:
    """The k-th duration that rating does not round up (0, first, first + next, …)."""
    if k <= 0:
        return 0
    return price.first_increment_seconds + (k - 1) * price.next_increment_seconds


def max_call_seconds(room: Money, price: RatePrice | None, included_left: int) -> int | None:
    """The longest duration (seconds) whose charge does not exceed ``room``; ``None`` when a call
    costs nothing however long (no price, or a zero rate); 0 when not even a second is affordable.

    For a finite result ``m`` with ``room ≥ 0``: ``call_charge(m) ≤ room < call_charge(m + 1)``.
    """
    if price is None or price.rate_per_minute == 0:
        return None
    if room.fen < 0:
        return 0

    def fits(k: int) -> bool:
        return call_charge(_grid(k, price), price, included_left) <= room

    # The charge only changes at the grid points and never decreases: find the last grid point
    # that fits (k = 0, zero seconds, always does), by doubling then bisecting.
    lo, hi = 0, 1
    while fits(hi):
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid
    return _grid(lo, price)


def affords_a_step(room: Money, price: RatePrice | None, included_left: int) -> bool:
    """Whether a call started now can last at all: some headroom, and at least the smallest chargeable
    step of ``price`` (its first increment, less the allowance left) fits in it — or calls cost nothing.

    With less than one step left (say ¥0.05 when a first minute costs ¥1) no call can be placed, so the
    limit bars calls just as at 100 %."""
    if room.fen <= 0:
        return False
    longest = max_call_seconds(room, price, included_left)
    return longest is None or longest > 0


def levels_reached(used: Money, limit: Money, levels: Iterable[int] = WARNING_LEVELS) -> list[int]:
    """The warning levels (percent of the limit) that ``used`` has reached."""
    return [level for level in levels if used.fen * 100 >= limit.fen * level]


def new_warnings(used: Money, limit: Money, sent: Iterable[int]) -> list[int]:
    """Levels reached and not yet warned about this period."""
    done = set(sent)
    return [level for level in levels_reached(used, limit) if level not in done]


def percent_used(used: Money, limit: Money) -> int:
    """Whole percent of the limit used (floored; may exceed 100)."""
    if limit.fen <= 0:
        return 100
    return max(0, used.fen * 100 // limit.fen)


def chosen_limit(limit_yuan: int | None, options: Sequence[int]) -> Money | None:
    """The limit a subscriber chose: ``None`` (no limit) or one of the operator's ``options``."""
    if limit_yuan is None:
        return None
    if isinstance(limit_yuan, bool) or limit_yuan not in options:
        raise ValidationFailed(
            [FieldError("limit_yuan", "credit_limit_not_offered", {"options": ", ".join(str(o) for o in options)})]
        )
    return Money.of_yuan(limit_yuan)
