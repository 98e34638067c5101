"""Rating of call records into ``call_charges`` (R-22; rules in ``domain.rating``).

The paying subscriber is the caller.  Only answered, ended calls with billable seconds are rated.
Rating works on a whole (subscriber, month): rating again after any call ended rewrites the month's
rows identically, touching only rows whose values changed — cheap and idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import delete, select

from videophone.adapters.db.models import CallCharge, CallRecord, PlanPrice, PlanSubscription
from videophone.adapters.db.uow import UnitOfWork
from videophone.domain import billing as bill_rules
from videophone.domain import rating as rules
from videophone.domain.money import Money
from videophone.services.deps import Deps

log = structlog.get_logger(__name__)

BATCH = 200


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


class PriceBook:
    """The plan subscriptions and plan prices of one subscriber, to find the price in force on a day."""

    def __init__(self, subscriptions: Sequence[PlanSubscription], prices: Sequence[PlanPrice]) -> None:
        self.subscriptions = sorted(subscriptions, key=lambda s: s.start_date)
        self.prices: dict[int, list[PlanPrice]] = {}
        for p in sorted(prices, key=lambda p: p.effective_from):
            self.prices.setdefault(p.plan_id, []).append(p)

    def plan_on(self, day: date) -> PlanSubscription | None:
        for sub in self.subscriptions:
            if sub.start_date <= day and (sub.end_date is None or day < sub.end_date):
                return sub
        return None

    def price_of(self, plan_id: int, day: date) -> PlanPrice | None:
        found = None
        for p in self.prices.get(plan_id, []):
            if p.effective_from <= day:
                found = p
        return found

    def price_on(self, day: date) -> PlanPrice | None:
        sub = self.plan_on(day)
        return None if sub is None else self.price_of(sub.plan_id, day)


def rate_price(p: PlanPrice) -> rules.RatePrice:
    return rules.RatePrice(
        price_id=p.id,
        included_minutes=p.included_minutes,
        rate_per_minute=p.rate_per_minute,
        first_increment_seconds=p.first_increment_seconds,
        next_increment_seconds=p.next_increment_seconds,
    )


async def price_book(uow: UnitOfWork, subscriber_id: int) -> PriceBook:
    subs = list(
        await uow.session.scalars(select(PlanSubscription).where(PlanSubscription.subscriber_id == subscriber_id))
    )
    plan_ids = {s.plan_id for s in subs}
    prices = (
        list(await uow.session.scalars(select(PlanPrice).where(PlanPrice.plan_id.in_(plan_ids)))) if plan_ids else []
    )
    return PriceBook(subs, prices)


async def compute_month(
    uow: UnitOfWork, subscriber_id: int, period: str, tz: ZoneInfo, book: PriceBook | None = None
) -> tuple[list[rules.ChargeResult], PriceBook]:
    """Rate the subscriber's month in memory (nothing written)."""
    start, end = period_window(period, tz)
    rows = await uow.session.execute(
        select(CallRecord.id, CallRecord.started_at, CallRecord.billable_seconds).where(
            CallRecord.caller_id == subscriber_id,
            CallRecord.state == "ended",
            CallRecord.outcome == "answered",
            CallRecord.billable_seconds > 0,
            CallRecord.started_at >= start,
            CallRecord.started_at < end,
        )
    )
    calls = [rules.CallToRate(r.id, r.started_at, r.billable_seconds) for r in rows]
    book = book or await price_book(uow, subscriber_id)

    def price_for(call: rules.CallToRate) -> rules.RatePrice | None:
        p = book.price_on(call.started_at.astimezone(tz).date())
        return None if p is None else rate_price(p)

    return rules.rate_month(calls, price_for), book


async def rate_subscriber_month(uow: UnitOfWork, subscriber_id: int, period: str, tz: ZoneInfo, now: datetime) -> int:
    """Rate and store the month's charges in ``uow`` (not committed); returns rows written."""
    results, _ = await compute_month(uow, subscriber_id, period, tz)
    existing = {
        c.call_id: c
        for c in await uow.session.scalars(
            select(CallCharge).where(CallCharge.subscriber_id == subscriber_id, CallCharge.period == period)
        )
    }
    written = 0
    for r in results:
        row = existing.pop(r.call_id, None)
        values = {
            "plan_price_id": r.price_id,
            "rated_seconds": r.rated_seconds,
            "included_seconds": r.included_seconds,
            "charged_seconds": r.charged_seconds,
            "amount_fen": r.amount.fen,
        }
        if row is None:
            row = await uow.session.get(CallCharge, r.call_id)  # rated under another period/subscriber?
            if row is None:
                uow.session.add(
                    CallCharge(call_id=r.call_id, subscriber_id=subscriber_id, period=period, rated_at=now, **values)
                )
                written += 1
                continue
            row.subscriber_id, row.period = subscriber_id, period
        if any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.rated_at = now
            written += 1
    if existing:  # calls that no longer qualify (should not happen: records end once)
        await uow.session.execute(delete(CallCharge).where(CallCharge.call_id.in_(list(existing))))
        written += len(existing)
    await uow.session.flush()
    return written


class RatingService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    @property
    def tz(self) -> ZoneInfo:
        return self.deps.operator_tz

    async def rate_call(self, call_id: str) -> None:
        """Rate the month of the call's caller again (hooked to the end of every call)."""
        async with self.deps.uow() as uow:
            call = await uow.session.get(CallRecord, call_id)
            if call is None or call.state != "ended":
                return
            period = bill_rules.period_of(call.started_at.astimezone(self.tz).date())
            await rate_subscriber_month(uow, call.caller_id, period, self.tz, self.deps.clock.now())
            await uow.commit()

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
        written = 0
        for i in range(0, len(callers), BATCH):
            async with self.deps.uow() as uow:
                for subscriber_id in callers[i : i + BATCH]:
                    written += await rate_subscriber_month(uow, subscriber_id, period, self.tz, self.deps.clock.now())
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
        first_price = None
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
