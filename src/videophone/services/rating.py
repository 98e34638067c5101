"""Rating of call records into ``call_charges`` (R-22; rules in ``domain.rating``).

The paying subscriber is the caller.  Only answered, ended calls with billable seconds are rated.
Rating works on a whole (subscriber, month): rating again after any call ended rewrites the month's
rows identically, touching only rows whose values changed — cheap and idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import Date, Integer, bindparam, delete, select, text

from videophone.adapters.db.models import CallCharge, CallRecord, PlanPrice
from videophone.adapters.db.types import UTCDateTime
from videophone.adapters.db.uow import UnitOfWork
from videophone.domain import billing as bill_rules
from videophone.domain import rating as rules
from videophone.domain.money import Money
from videophone.services import ledger
from videophone.services.deps import Deps

log = structlog.get_logger(__name__)

BATCH = 10_000  # subscribers per transaction when rating a whole period
WRITE_BATCH = 5000  # rows per bulk statement


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

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["usage"] = str(self.usage.yuan)
        out["usage_fen"] = self.usage.fen
        return out


@dataclass(frozen=True)
class PlanTerm:
    """One plan price (the ``plan_prices`` row) as rating and the bill run need it."""

    id: int
    plan_id: int
    effective_from: date
    monthly_rent_fen: int
    included_minutes: int
    rate: rules.RatePrice


@dataclass(frozen=True)
class PlanPeriod:
    """One plan subscription: ``[start_date, end_date)``."""

    plan_id: int
    start_date: date
    end_date: date | None


Prices = dict[int, list[PlanTerm]]  # plan id → its prices, oldest first


class PriceBook:
    """The plan subscriptions of one subscriber and the plan prices, to find the price in force on a day."""

    def __init__(self, subscriptions: Sequence[PlanPeriod], prices: Prices) -> None:
        self.subscriptions = sorted(subscriptions, key=lambda s: s.start_date)
        self.prices = prices
        self._on: dict[date, PlanTerm | None] = {}
        self._single: tuple[PlanPeriod, PlanTerm] | None = None
        if len(self.subscriptions) == 1 and len(prices.get(self.subscriptions[0].plan_id, ())) == 1:
            self._single = (self.subscriptions[0], prices[self.subscriptions[0].plan_id][0])

    def plan_on(self, day: date) -> PlanPeriod | None:
        for sub in self.subscriptions:
            if sub.start_date <= day and (sub.end_date is None or day < sub.end_date):
                return sub
        return None

    def price_of(self, plan_id: int, day: date) -> PlanTerm | None:
        found = None
        for p in self.prices.get(plan_id, ()):
            if p.effective_from <= day:
                found = p
        return found

    def price_on(self, day: date) -> PlanTerm | None:
        if self._single is not None:  # one subscription, one price: two comparisons
            only, term = self._single
            if only.start_date <= day and (only.end_date is None or day < only.end_date) and term.effective_from <= day:
                return term
            return None
        if day not in self._on:
            sub = self.plan_on(day)
            self._on[day] = None if sub is None else self.price_of(sub.plan_id, day)
        return self._on[day]


_PRICES = select(
    PlanPrice.id,
    PlanPrice.plan_id,
    PlanPrice.effective_from,
    PlanPrice.monthly_rent_fen,
    PlanPrice.included_minutes,
    PlanPrice.rate_per_minute,
    PlanPrice.first_increment_seconds,
    PlanPrice.next_increment_seconds,
).order_by(PlanPrice.plan_id, PlanPrice.effective_from)


async def load_prices(uow: UnitOfWork) -> Prices:
    """Every plan price (a small table), read once per run."""
    prices: Prices = {}
    for p in await (await uow.session.connection()).execute(_PRICES):
        prices.setdefault(p.plan_id, []).append(
            PlanTerm(
                id=p.id,
                plan_id=p.plan_id,
                effective_from=p.effective_from,
                monthly_rent_fen=p.monthly_rent_fen,
                included_minutes=p.included_minutes,
                rate=rules.RatePrice(
                    price_id=p.id,
                    included_minutes=p.included_minutes,
                    rate_per_minute=p.rate_per_minute,
                    first_increment_seconds=p.first_increment_seconds,
                    next_increment_seconds=p.next_increment_seconds,
                ),
            )
        )
    return prices


def _dense(subscriber_ids: Sequence[int]) -> bool:
    """Whether ``subscriber_ids`` are best read as one id range (a run over contiguous ids) rather than
    as an ``IN`` list (the callers of the calls that just ended, scattered)."""
    return max(subscriber_ids) - min(subscriber_ids) < 2 * len(subscriber_ids)


def _by_subscribers(sql: str, column: str, dense: bool) -> Any:
    """``sql`` (no ``WHERE`` of its own subscribers yet: ``{who}``) for a range or a list of ids."""
    if dense:
        return text(sql.format(who=f"{column} >= :lo AND {column} <= :hi"))
    return text(sql.format(who=f"{column} IN :ids")).bindparams(bindparam("ids", expanding=True))


def _who(subscriber_ids: Sequence[int], dense: bool) -> dict[str, Any]:
    if dense:
        return {"lo": min(subscriber_ids), "hi": max(subscriber_ids)}
    return {"ids": list(subscriber_ids)}


_SUBSCRIPTIONS_SQL = "SELECT subscriber_id, plan_id, start_date, end_date FROM plan_subscriptions WHERE {who}"
_SUBSCRIPTIONS = {
    dense: _by_subscribers(_SUBSCRIPTIONS_SQL, "subscriber_id", dense).columns(
        subscriber_id=Integer(), plan_id=Integer(), start_date=Date(), end_date=Date()
    )
    for dense in (True, False)
}


async def price_books(uow: UnitOfWork, subscriber_ids: Sequence[int], prices: Prices) -> dict[int, PriceBook]:
    """The price books of ``subscriber_ids`` (one query for all their plan subscriptions)."""
    periods: dict[int, list[PlanPeriod]] = {i: [] for i in subscriber_ids}
    if subscriber_ids:
        dense = _dense(subscriber_ids)
        conn = await uow.session.connection()
        for sub_id, plan_id, start, end in await conn.execute(_SUBSCRIPTIONS[dense], _who(subscriber_ids, dense)):
            month = periods.get(sub_id)
            if month is not None:
                month.append(PlanPeriod(plan_id, start, end))
    return {i: PriceBook(subs, prices) for i, subs in periods.items()}


async def price_book(uow: UnitOfWork, subscriber_id: int) -> PriceBook:
    return (await price_books(uow, [subscriber_id], await load_prices(uow)))[subscriber_id]


# Core text, no ORM/type processing.  A dense set of subscribers is read as a range of ids (callers of
# a batch of the period run are contiguous in id order; others in the range are skipped): PostgreSQL
# then scans the range in physical order instead of one index probe per caller; a scattered set (the
# callers of the calls that just ended) as an IN list.  Both go through (caller_id, started_at).
_CALLS_OF_MONTH_SQL = (
    "SELECT caller_id, id, started_at, billable_seconds FROM call_records"
    " WHERE {who} AND state = 'ended'"
    " AND outcome IN ('answered', 'cut_off_credit') AND billable_seconds > 0 AND started_at >= :start AND started_at < :end"
    " ORDER BY caller_id, started_at, id"
)
_CALLS_OF_MONTH = {
    dense: _by_subscribers(_CALLS_OF_MONTH_SQL, "caller_id", dense).bindparams(
        bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime())
    )
    for dense in (True, False)
}
_CHARGES_OF_MONTH_SQL = (
    "SELECT call_id, subscriber_id, period, plan_price_id, rated_seconds, included_seconds, charged_seconds,"
    " amount_fen FROM call_charges WHERE {who} AND period = :period"
)
_CHARGES_OF_MONTH = {dense: _by_subscribers(_CHARGES_OF_MONTH_SQL, "subscriber_id", dense) for dense in (True, False)}

# The callers and start instants of calls that were answered and have ended (nothing else is rated).
_ANSWERED_ENDED = text(
    "SELECT caller_id, started_at FROM call_records WHERE id IN :ids AND state = 'ended' AND answered_at IS NOT NULL"
).bindparams(bindparam("ids", expanding=True))

Stored = tuple[Any, ...]  # (subscriber, period, price id, rated, included, charged, amount) of a call_charges row


async def _compute(
    uow: UnitOfWork, subscriber_ids: Sequence[int], period: str, tz: ZoneInfo, prices: Prices, *, with_stored: bool
) -> tuple[dict[int, list[rules.ChargeResult]], dict[int, PriceBook], dict[str, Stored]]:
    """Rate the month of every subscriber in ``subscriber_ids`` in memory (nothing written): one query
    for their calls, one for their plan subscriptions (and one for their stored charges)."""
    if not subscriber_ids:
        return {}, {}, {}
    start, end = period_window(period, tz)
    calls: dict[int, list[rules.CallToRate]] = {i: [] for i in subscriber_ids}
    stored: dict[str, Stored] = {}
    dense = _dense(subscriber_ids)
    who = _who(subscriber_ids, dense)
    conn = await uow.session.connection()
    # Core text, no ORM/type processing of the ~10 rows per subscriber: ``started_at`` comes back as
    # the driver gives it (asyncpg: an aware datetime; SQLite: UTC text, as ``UTCDateTime`` stores it).
    rows = await conn.execute(_CALLS_OF_MONTH[dense], {**who, "start": start, "end": end})
    parse = datetime.fromisoformat
    for caller_id, call_id, started_at, seconds in rows:
        month = calls.get(caller_id)
        if month is None:
            continue
        if isinstance(started_at, str):
            started_at = parse(started_at).replace(tzinfo=UTC)
        month.append(rules.CallToRate(call_id, started_at, seconds))
    if with_stored:
        for call_id, *charge in await conn.execute(_CHARGES_OF_MONTH[dense], {**who, "period": period}):
            if charge[0] in calls:
                stored[call_id] = tuple(charge)
    books = await price_books(uow, subscriber_ids, prices)
    results: dict[int, list[rules.ChargeResult]] = {}
    for sub_id, month in calls.items():
        book = books[sub_id]

        def price_for(call: rules.CallToRate, book: PriceBook = book) -> rules.RatePrice | None:
            term = book.price_on(call.started_at.astimezone(tz).date())
            return None if term is None else term.rate

        results[sub_id] = rules.rate_month(month, price_for) if month else []
    return results, books, stored


async def compute_months(
    uow: UnitOfWork, subscriber_ids: Sequence[int], period: str, tz: ZoneInfo, prices: Prices
) -> tuple[dict[int, list[rules.ChargeResult]], dict[int, PriceBook]]:
    """Rate the months of ``subscriber_ids`` in memory (nothing written)."""
    results, books, _ = await _compute(uow, subscriber_ids, period, tz, prices, with_stored=False)
    return results, books


async def compute_month(
    uow: UnitOfWork, subscriber_id: int, period: str, tz: ZoneInfo, book: PriceBook | None = None
) -> tuple[list[rules.ChargeResult], PriceBook]:
    """Rate the subscriber's month in memory (nothing written)."""
    results, books = await compute_months(uow, [subscriber_id], period, tz, await load_prices(uow))
    return results[subscriber_id], books[subscriber_id]


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
    results, books, stored = await _compute(uow, subscriber_ids, period, tz, prices, with_stored=True)
    rows: list[dict[str, Any]] = []
    matched = 0  # stored charges that belong to a qualifying call
    for sub_id, month in results.items():
        for r in month:
            values = (sub_id, period, r.price_id, r.rated_seconds, r.included_seconds, r.charged_seconds, r.amount.fen)
            held = stored.get(r.call_id)
            if held is not None:
                matched += 1
                if held == values:
                    continue
            rows.append(
                {
                    "call_id": r.call_id,
                    "subscriber_id": sub_id,
                    "period": period,
                    "plan_price_id": r.price_id,
                    "rated_seconds": r.rated_seconds,
                    "included_seconds": r.included_seconds,
                    "charged_seconds": r.charged_seconds,
                    "amount_fen": r.amount.fen,
                    "rated_at": now,
                }
            )
    conn = await uow.session.connection()
    # A charge rated before under another month or subscriber is moved (ON CONFLICT … DO UPDATE).
    await ledger.write_rows(conn, CallCharge, rows, upsert_on="call_id")
    # Charges of calls that no longer qualify (should not happen: records end once): every stored
    # charge of these subscribers and this month was read above.
    stale: list[str] = []
    if len(stored) > matched:
        qualifying = {r.call_id for month in results.values() for r in month}
        stale = [c for c in stored if c not in qualifying]
    for i in range(0, len(stale), WRITE_BATCH):
        await conn.execute(delete(CallCharge).where(CallCharge.call_id.in_(stale[i : i + WRITE_BATCH])))
    return len(rows) + len(stale), results, books


async def rate_subscriber_month(uow: UnitOfWork, subscriber_id: int, period: str, tz: ZoneInfo, now: datetime) -> int:
    """Rate and store one subscriber's month in ``uow`` (not committed); returns rows written."""
    written, _, _ = await rate_subscribers(uow, [subscriber_id], period, tz, now)
    return written


class RatingService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    @property
    def tz(self) -> ZoneInfo:
        return self.deps.operator_tz

    async def rate_call(self, call_id: str) -> None:
        """Rate the month of the call's caller again."""
        await self.rate_calls([call_id])

    async def rate_calls(self, call_ids: Sequence[str]) -> int:
        """Rate again the months of the callers of ``call_ids`` that were answered and have ended (the
        signaling hub's call-ended hook, with every call that ended meanwhile): one transaction, a
        fixed number of queries per month concerned.  Returns the rows written."""
        if not call_ids:
            return 0
        written = 0
        async with self.deps.uow() as uow:
            conn = await uow.session.connection()
            months: dict[str, set[int]] = {}
            for caller_id, started_at in await conn.execute(_ANSWERED_ENDED, {"ids": list(call_ids)}):
                if isinstance(started_at, str):
                    started_at = datetime.fromisoformat(started_at).replace(tzinfo=UTC)
                period = bill_rules.period_of(started_at.astimezone(self.tz).date())
                months.setdefault(period, set()).add(caller_id)
            if not months:
                return 0
            prices = await load_prices(uow)
            now = self.deps.clock.now()
            for period, callers in sorted(months.items()):
                n, _, _ = await rate_subscribers(uow, sorted(callers), period, self.tz, now, prices)
                written += n
            await uow.commit()
        return written

    async def rate_period(self, period: str) -> dict[str, int]:
        """Rate every subscriber's calls of ``period``, ``BATCH`` subscribers per transaction."""
        bill_rules.parse_period(period)
        start, end = period_window(period, self.tz)
        async with self.deps.uow() as uow:
            callers = sorted(
                set(
                    await uow.session.scalars(
                        select(CallRecord.caller_id)
                        .where(CallRecord.started_at >= start, CallRecord.started_at < end)
                        .distinct()
                    )
                )
            )
        async with self.deps.uow() as uow:
            prices = await load_prices(uow)
        written = 0
        for i in range(0, len(callers), BATCH):
            async with self.deps.uow() as uow:
                n, _, _ = await rate_subscribers(
                    uow, callers[i : i + BATCH], period, self.tz, self.deps.clock.now(), prices
                )
                written += n
                await uow.commit()
        return {"subscribers": len(callers), "rows_written": written}

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
