"""Rating of call records into ``call_charges`` (R-22; rules in ``domain.rating``).

The paying subscriber is the caller.  Only answered, ended calls with billable seconds are rated.
Rating works on a whole (subscriber, month): rating again after any call ended rewrites the month's
rows identically, touching only rows whose values changed — cheap and idempotent.  The call-ended
hook rates only the calls that just ended, with the allowance the month's stored charges left, where
that provably gives the same rows as the whole month's rating (:func:`rate_ended`); else the whole
month.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.exc import IntegrityError

from videophone.adapters import heap
from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.domain import billing as bill_rules
from videophone.billing.domain import rating as rules
from videophone.billing.services.price_books import (
    PlanPeriod,
    PlanTerm,
    PriceBook,
    Prices,
    load_prices,
    one_price,
    price_book,
    price_books,
)
from videophone.billing.store import call_charges as store
from videophone.billing.store.selection import who as _who
from videophone.common.deps import Deps
from videophone.kernel.events import CallsEnded
from videophone.kernel.money import Money

log = structlog.get_logger(__name__)

# The price book lives in ``price_books``; these names stay importable from here.
__all__ = [
    "MonthToDate",
    "PlanPeriod",
    "PlanTerm",
    "PriceBook",
    "Prices",
    "RatingService",
    "load_prices",
    "price_book",
    "price_books",
    "rate_ended",
    "rate_subscribers",
    "rated_usage",
]

BATCH = 10_000  # subscribers per transaction when rating a whole period
WRITE_BATCH = 5000  # rows per bulk statement
PLAIN_INSERT_FROM = 1000  # new charges from which a plain bulk insert (COPY) beats the upsert


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz)


def period_window(period: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The period as instants: [first local midnight, next month's first local midnight)."""
    first, after = bill_rules.period_bounds(period)
    return local_midnight(first, tz), local_midnight(after, tz)


@dataclass(frozen=True)
class MonthToDate:
    period: str
    calls: int
    minutes: int  # rated seconds, rounded up to whole minutes
    rated_seconds: int
    usage: Money
    included_seconds: int
    included_left_seconds: int


# (subscriber, period, price id, rated, included, charged, amount, call's start) of a call_charges row
Stored = tuple[Any, ...]
Months = dict[int, list[rules.CallToRate]]  # subscriber → the qualifying calls of the month, in call order
_ID_AND_START = itemgetter(0, 1)  # of a CallToRate, in C


async def _compute(
    uow: UnitOfWork, subscriber_ids: Sequence[int], period: str, tz: ZoneInfo, prices: Prices, *, with_stored: bool
) -> tuple[dict[int, list[rules.ChargeResult]], dict[int, PriceBook], dict[str, Stored], Months]:
    """Rate the month of every subscriber in ``subscriber_ids`` in memory (nothing written): one query
    for their calls, one for their plan subscriptions (and one for their stored charges).  Returns
    the results, the price books, the stored charges by call and the calls rated."""
    if not subscriber_ids:
        return {}, {}, {}, {}
    start, end = period_window(period, tz)
    calls: dict[int, list[rules.CallToRate]] = {i: [] for i in subscriber_ids}
    stored: dict[str, Stored] = {}
    who = _who(subscriber_ids)
    conn = await uow.session.connection()
    # Core text, no ORM/type processing of the ~10 rows per subscriber: ``started_at`` comes back as
    # the driver gives it (asyncpg: an aware datetime; SQLite: the UTC text ``UTCDateTime`` stores).
    rows = await store.calls_of_month(conn, who, start, end)
    # A million calls in a month's run: each made in a few C calls (no per-row helper functions).
    new, make, parse = tuple.__new__, rules.CallToRate, datetime.fromisoformat
    text_times = bool(rows) and isinstance(rows[0][2], str)
    month: list[rules.CallToRate] | None = None
    last = None
    for caller_id, call_id, started_at, seconds in rows:  # ordered by caller
        if caller_id != last:
            last, month = caller_id, calls.get(caller_id)
        if month is not None:
            month.append(new(make, (call_id, parse(started_at + "+00:00") if text_times else started_at, seconds)))
    if with_stored:
        for call_id, *charge in await store.stored_charges_of_month(conn, who, period):
            if charge[0] in calls:
                if type(charge[-1]) is str:  # SQLite: the call's start as the UTC text stored
                    charge[-1] = parse(charge[-1] + "+00:00")
                stored[call_id] = tuple(charge)
    books = await price_books(uow, subscriber_ids, prices)
    first, after = bill_rules.period_bounds(period)
    results: dict[int, list[rules.ChargeResult]] = {}
    for sub_id, month_calls in calls.items():
        if not month_calls:
            results[sub_id] = []
            continue
        book = books[sub_id]
        term = book.constant_over(first, after)
        if term is not None:  # the usual month: one price for every call, no calendar day to work out
            results[sub_id] = rules.rate_month(month_calls, _always(term.rate))
            continue

        def price_for(call: rules.CallToRate, book: PriceBook = book) -> rules.RatePrice | None:
            term = book.price_on(call.started_at.astimezone(tz).date())
            return None if term is None else term.rate

        results[sub_id] = rules.rate_month(month_calls, price_for)
    return results, books, stored, calls


def _always(rate: rules.RatePrice) -> Callable[[rules.CallToRate], rules.RatePrice | None]:
    def price_for(_call: rules.CallToRate) -> rules.RatePrice | None:
        return rate

    return price_for


async def compute_months(
    uow: UnitOfWork, subscriber_ids: Sequence[int], period: str, tz: ZoneInfo, prices: Prices
) -> tuple[dict[int, list[rules.ChargeResult]], dict[int, PriceBook]]:
    """Rate the months of ``subscriber_ids`` in memory (nothing written)."""
    results, books, _, _ = await _compute(uow, subscriber_ids, period, tz, prices, with_stored=False)
    return results, books


async def compute_month(
    uow: UnitOfWork, subscriber_id: int, period: str, tz: ZoneInfo, book: PriceBook | None = None
) -> tuple[list[rules.ChargeResult], PriceBook]:
    """Rate the subscriber's month in memory (nothing written)."""
    results, books = await compute_months(uow, [subscriber_id], period, tz, await load_prices(uow))
    return results[subscriber_id], books[subscriber_id]


def _charge_values(sub_id: int, period: str, r: rules.ChargeResult, started_at: datetime) -> tuple[Any, ...]:
    """A charge row's values between its call id and when it was rated (``store.CHARGE_COLUMNS``): what
    a stored charge is compared with."""
    return (
        sub_id,
        period,
        r.price_id,
        r.rated_seconds,
        r.included_seconds,
        r.charged_seconds,
        r.amount.fen,
        started_at,
    )


async def rate_subscribers(
    uow: UnitOfWork,
    subscriber_ids: Sequence[int],
    period: str,
    tz: ZoneInfo,
    now: datetime,
    prices: Prices | None = None,
) -> tuple[int, dict[int, list[rules.ChargeResult]], dict[int, PriceBook]]:
    """Rate and store the month's charges of ``subscriber_ids`` in ``uow`` (not committed).

    Rows are written only where they changed (bulk upsert); charges of calls that no longer
    qualify are deleted.  Returns the rows written, the results and the price books."""
    if prices is None:
        prices = await load_prices(uow)
    conn = await uow.session.connection()
    # Ratings of one subscriber's month take turns: the rows are always those of the latest rating
    # (rated_usage relies on it).
    await store.take_turns(conn, subscriber_ids)
    results, books, stored, calls = await _compute(uow, subscriber_ids, period, tz, prices, with_stored=True)
    # Rows in ``store.CHARGE_COLUMNS`` order: call, subscriber, period, price, seconds rated, included and
    # charged, amount, the call's start, when rated.
    changed: list[tuple[Any, ...]] = []  # calls with a charge of this subscriber and month
    new: list[tuple[Any, ...]] = []  # the others (nearly always: calls rated for the first time)
    matched = 0  # stored charges that belong to a qualifying call
    for sub_id, month in results.items():
        starts = dict(map(_ID_AND_START, calls[sub_id]))
        for r in month:
            values = _charge_values(sub_id, period, r, starts[r.call_id])
            held = stored.get(r.call_id)
            if held is None:
                new.append((r.call_id, *values, now))
                continue
            matched += 1
            if held != values:
                changed.append((r.call_id, *values, now))
    written = len(new) + len(changed)
    # In key order: the primary-key index is walked once instead of at random.
    new.sort(key=itemgetter(0))
    if len(new) >= PLAIN_INSERT_FROM:
        try:
            async with conn.begin_nested():
                await store.insert_charges(conn, new)  # COPY on PostgreSQL
        except IntegrityError:
            # A charge of one of these calls is held under another month or subscriber (the
            # operator's time zone changed since): it is moved here.
            changed += new
    else:  # a few (the calls that just ended): one statement with the rest, no savepoint
        changed += new
    changed.sort(key=itemgetter(0))
    await store.upsert_charges(conn, changed)
    # Charges of calls that no longer qualify (should not happen: records end once): every stored
    # charge of these subscribers and this month was read above.
    stale: list[str] = []
    if len(stored) > matched:
        qualifying = {r.call_id for month in results.values() for r in month}
        stale = [c for c in stored if c not in qualifying]
    for i in range(0, len(stale), WRITE_BATCH):
        await store.delete_charges(conn, stale[i : i + WRITE_BATCH])
    return written + len(stale), results, books


async def rate_subscriber_month(uow: UnitOfWork, subscriber_id: int, period: str, tz: ZoneInfo, now: datetime) -> int:
    """Rate and store one subscriber's month in ``uow`` (not committed); returns rows written."""
    written, _, _ = await rate_subscribers(uow, [subscriber_id], period, tz, now)
    return written


async def rated_usage(
    uow: UnitOfWork,
    subscriber_ids: Sequence[int],
    period: str,
    tz: ZoneInfo,
    now: datetime,
    prices: Prices,
) -> tuple[dict[int, bill_rules.UsageSummary], dict[int, PriceBook], list[int]]:
    """The month's usage of each of ``subscriber_ids`` for their bills (ADR 0006), in ``uow``.

    The stored charges are the usage where they are provably the rating of the calls and prices as
    they are now; the other subscribers' months are rated again first (and stored).  Provably: the
    month has as many charges as qualifying calls (charges are only ever written for qualifying
    calls, which stay qualifying, so the sets are then equal), and one price was in force on every
    day of the month and every charge names it (rating is a function of the calls and the price of
    each call; ratings of a month take turns, so the stored rows are those of the latest one).  A
    month that had no single price (a plan change, a price change or a subscription that starts or
    ends inside it) is always rated again.  Returns the usage, the price books and the subscribers
    rated again."""
    if not subscriber_ids:
        return {}, {}, []
    start, end = period_window(period, tz)
    first, after = bill_rules.period_bounds(period)
    who = _who(subscriber_ids)
    conn = await uow.session.connection()
    calls = {int(r[0]): int(r[1]) for r in await store.qualifying_call_counts(conn, who, start, end)}
    totals = {int(r[0]): r for r in await store.charge_totals(conn, who, period)}
    books = await price_books(uow, subscriber_ids, prices)
    usage: dict[int, bill_rules.UsageSummary] = {}
    again: list[int] = []
    for sub_id in subscriber_ids:
        count = calls.get(sub_id, 0)
        row = totals.get(sub_id)
        if row is None:
            if count == 0:
                usage[sub_id] = bill_rules.UsageSummary(0, 0, Money(0))
            else:
                again.append(sub_id)
            continue
        _, charges, priced, low, high, seconds, amount = row
        term = books[sub_id].constant_over(first, after)
        if charges == count and term is not None and priced == charges and low == high == term.id:
            usage[sub_id] = bill_rules.UsageSummary(int(charges), int(seconds), Money(int(amount)))
        else:
            again.append(sub_id)
    if again:
        _, results, rated_books = await rate_subscribers(uow, again, period, tz, now, prices)
        for sub_id in again:
            month = results[sub_id]
            usage[sub_id] = bill_rules.UsageSummary(
                len(month), sum(r.rated_seconds for r in month), Money(sum(r.amount.fen for r in month))
            )
            books[sub_id] = rated_books[sub_id]
    return usage, books, again


async def rate_ended(
    uow: UnitOfWork,
    ended: Mapping[int, Sequence[store.EndedCall]],
    period: str,
    tz: ZoneInfo,
    now: datetime,
    prices: Prices,
) -> int:
    """Rate the calls that just ended, ``ended`` (answered or with a video message, ended) by caller, all
    of ``period``, and store the charges in ``uow`` (not committed); returns the rows written.

    A caller's month is rated only as far as the new calls — O(new calls), not O(month) — where the
    stored charges provably are the month's full rating of every other qualifying call, all of them
    earlier in call order, under one price (:func:`_allowance_left`): the full rating is then those
    rows as they are and the new calls rated with the allowance they left.  The other callers' months
    are rated in full (:func:`rate_subscribers`).  The proof costs a fixed number of statements for all
    the callers, none of which reads a month's calls or charges row by row: the lock, the sums of
    their charges, the counts of their qualifying calls since the last one rated up to the new ones
    (index ranges: the month's history costs nothing there), their plan subscriptions.

    A caller none of whose calls here is rated (nothing billable) has nothing new to rate: their
    month's charges stand as they are (the bill run checks them anyway, ``rated_usage``)."""
    news = {
        caller: [rules.CallToRate(c.id, c.started_at, c.billable_seconds) for c in calls if c.qualifies]
        for caller, calls in ended.items()
    }
    callers = sorted(caller for caller, new in news.items() if new)
    if not callers:
        return 0
    conn = await uow.session.connection()
    await store.take_turns(conn, callers)  # as rate_subscribers: the stored rows are the latest rating
    start, end = period_window(period, tz)
    who = _who(callers)
    so_far = {r.subscriber_id: r for r in await store.charges_so_far(conn, who, period)}
    # Up to each caller's last new call: calls that started later (ended meanwhile, rated by the next
    # batch) do not change how these are rated.
    unrated = await store.unrated_up_to(conn, [c.id for caller in callers for c in news[caller]], period, start, end)
    books = await price_books(uow, callers, prices)
    rows: list[tuple[Any, ...]] = []  # in ``store.CHARGE_COLUMNS`` order
    in_full: list[int] = []
    for caller in callers:
        new = news[caller]
        held = so_far.get(caller)
        # The price of the month so far: in force on the days of the first and last rated calls and of
        # every new call.  (Not "on every day of the month": a subscriber who joined this month has no
        # price on the days before, and no call on them either.)
        rated = (held.first_start, held.last_start) if held is not None and held.charges else ()
        term = one_price(books[caller], [*(i for i in rated if i is not None), *(c.started_at for c in new)], tz)
        left = _allowance_left(term, held, new, unrated.get(caller, 0), start, end)
        if term is None or left is None:
            in_full.append(caller)
            continue
        starts = dict(map(_ID_AND_START, new))
        for r in rules.rate_month(new, _always(term.rate), pool=left):
            rows.append((r.call_id, *_charge_values(caller, period, r, starts[r.call_id]), now))
    # An upsert: a charge of one of these calls may be held under another month (the operator's time
    # zone changed since); it is moved here, as the full rating would.
    rows.sort(key=itemgetter(0))
    await store.upsert_charges(conn, rows)
    written = len(rows)
    if in_full:
        n, _, _ = await rate_subscribers(uow, in_full, period, tz, now, prices)
        written += n
    return written


def _allowance_left(
    term: PlanTerm | None,
    held: store.ChargesSoFar | None,
    new: Sequence[rules.CallToRate],
    unrated: int,
    start: datetime,
    end: datetime,
) -> int | None:
    """The allowance seconds the month's stored charges (``held``, in sum) left for its ``new``
    qualifying calls, when the month's full rating is provably those charges as they are and the new
    calls rated after them with that allowance; else None (the month is rated in full).

    Provably: one price, ``term``, is in force on the days of the first and last rated calls and of
    every new call (plan changes take effect on the first of a month, ADR 0004, and a plan's price
    rows by date: the same price on two days is the price of every day between), and every stored
    charge names it; every stored charge holds its call's start, within the month ``[start, end)`` and
    strictly before the start of every new call (so no new call has a charge yet, and the new calls
    all come after the rated ones in call order, ties included); and, from the latest start a stored
    charge holds up to the last new call, the only qualifying calls no charge holds are the new ones
    (``unrated``, ``store.unrated_up_to``).  The calls that started earlier are rated: each rating of
    the month — in full, or this one — leaves every qualifying call up to its last one rated, and a
    call that qualifies only afterwards (a long call that ends after a later one was rated, a video
    message left after the caller's next call) starts before a rated call when its own hook comes,
    which rates the month in full.  Charges are only ever written for qualifying calls of their
    subscriber, which stay qualifying, so the stored charges are then exactly the month's other
    qualifying calls up to the new ones, and — ratings of a month taking turns — the latest rating of
    them.  (What this cannot see — a record changed below the latest rated start, as records are not;
    a call whose end was written after a later call was rated and whose own hook was then lost with its
    node — the bill run does: ``rated_usage`` counts every call of the month.  The credit limit rates
    the records themselves.)  With one price, rating them first and
    the new calls with the allowance left is the month's rating as far as the new calls
    (``domain.rating.rate_month``; a month is rated in call order, so the calls that started later,
    not rated yet, change nothing of it).  The included seconds of a month rated at one price are the
    allowance or all the rated seconds, whichever is less: stored charges that break that are not
    the rating of their calls (the month is rated in full)."""
    if term is None:
        return None
    allowance = term.rate.allowance_seconds
    charges = included = 0
    if held is not None and held.charges:
        charges, included = held.charges, held.included_seconds
        if not (held.priced == charges and held.low_price == held.high_price == term.id):
            return None  # a charge without a price, or of another price than the month's
        if held.with_start != charges or held.first_start is None or held.last_start is None:
            return None  # a charge written before its call's start was (migration 0026)
        if not (start <= held.first_start and held.last_start < end):
            return None  # a charge of a call outside the month (the operator's time zone changed)
        if new and not held.last_start < min(c.started_at for c in new):
            return None  # a new call started before (or as) a call already rated: a long call
        if included != min(allowance, held.rated_seconds):
            return None  # not how one price gives the allowance: not the rating of these calls
    if unrated != len(new):
        return None  # a qualifying call since the last one rated that is neither rated nor new
    return allowance - included


class RatingService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    @property
    def tz(self) -> ZoneInfo:
        return self.deps.operator_tz

    async def on_calls_ended(self, event: CallsEnded) -> None:
        """Signaling ended these calls (ADR 0007): rate them (their callers' months where need be)."""
        await self.rate_calls(event.call_ids)

    async def rate_calls(self, call_ids: Sequence[str]) -> int:
        """Rate the calls of ``call_ids`` that were answered and have ended (the signaling hub's
        call-ended hook, with every call that ended meanwhile): one transaction, a fixed number of
        queries per month concerned.  Each caller's month is rated only as far as these calls where
        that provably gives the month's full rating, else in full (:func:`rate_ended`).  Returns the
        rows written."""
        if not call_ids:
            return 0
        written = 0
        async with self.deps.uow() as uow:
            conn = await uow.session.connection()
            months: dict[str, dict[int, list[store.EndedCall]]] = {}
            for call in await store.answered_ended_calls(conn, call_ids):
                period = bill_rules.period_of(call.started_at.astimezone(self.tz).date())
                months.setdefault(period, {}).setdefault(call.caller_id, []).append(call)
            if not months:
                return 0
            prices = await load_prices(uow)
            now = self.deps.clock.now()
            for period, ended in sorted(months.items()):
                written += await rate_ended(uow, ended, period, self.tz, now, prices)
            await uow.commit()
        return written

    async def rate_period(self, period: str) -> dict[str, int]:
        """Rate every subscriber's calls of ``period``, ``BATCH`` subscribers (a range of ids) per
        transaction."""
        bill_rules.parse_period(period)
        async with self.deps.uow() as uow:
            ids = await store.subscriber_ids(uow.session)
            prices = await load_prices(uow)
        written = callers = 0
        with heap.collection_paused():
            for i in range(0, len(ids), BATCH):
                async with self.deps.uow() as uow:
                    n, results, _ = await rate_subscribers(
                        uow, ids[i : i + BATCH], period, self.tz, self.deps.clock.now(), prices
                    )
                    written += n
                    callers += sum(1 for month in results.values() if month)
                    await uow.commit()
        return {"subscribers": callers, "rows_written": written}

    async def month_to_date(self, subscriber_id: int, day: date | None = None) -> MonthToDate:
        """Usage of the month of ``day`` (default today, operator's calendar) — computed, not stored."""
        day = day or self.deps.clock.now().astimezone(self.tz).date()
        period = bill_rules.period_of(day)
        async with self.deps.uow() as uow:
            results, book = await compute_month(uow, subscriber_id, period, self.tz)
        priced = [r for r in results if r.price_id is not None]
        allowance = 0
        first_price: PlanTerm | None = None
        if priced:
            first_price = next(p for ps in book.prices.values() for p in ps if p.id == priced[0].price_id)
        else:
            first_price = book.price_on(day)
        if first_price is not None:
            allowance = first_price.included_minutes * rules.SECONDS_PER_MINUTE
        rated = sum(r.rated_seconds for r in results)
        included = sum(r.included_seconds for r in results)
        return MonthToDate(
            period=period,
            calls=len(results),
            minutes=-(-rated // rules.SECONDS_PER_MINUTE),
            rated_seconds=rated,
            usage=Money.total(r.amount for r in results),
            included_seconds=allowance,
            included_left_seconds=max(0, allowance - included),
        )
