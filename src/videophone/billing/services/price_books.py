"""Plan prices as rating and the bill run see them (R-22, ADR 0004): each price's terms, a subscriber's
plan subscriptions, and the price book that finds the price in force on a day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from videophone.adapters.db.uow import UnitOfWork
from videophone.billing.domain import rating as rules
from videophone.billing.store import subscriptions as subscription_store
from videophone.billing.store import tariffs as tariff_store


@dataclass(frozen=True)
class PlanTerm:
    """One plan price (the ``plan_prices`` row) as rating and the bill run need it."""

    id: int
    plan_id: int
    effective_from: date
    monthly_rent_fen: int
    included_minutes: int
    rate: rules.RatePrice


class PlanPeriod(NamedTuple):
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

    def constant_over(self, first: date, after: date) -> PlanTerm | None:
        """The one price in force on every day of ``[first, after)``, if there is one: a single
        subscription covers those days and its plan's price does not change within them."""
        covering = [
            s for s in self.subscriptions if s.start_date < after and (s.end_date is None or s.end_date > first)
        ]
        if len(covering) != 1:
            return None
        only = covering[0]
        if only.start_date > first or (only.end_date is not None and only.end_date < after):
            return None
        term = self.price_of(only.plan_id, first)
        if term is None or any(first < p.effective_from < after for p in self.prices.get(only.plan_id, ())):
            return None
        return term

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


async def load_prices(uow: UnitOfWork) -> Prices:
    """Every plan price (a small table), read once per run."""
    prices: Prices = {}
    for p in await tariff_store.plan_price_terms(await uow.session.connection()):
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


async def price_books(uow: UnitOfWork, subscriber_ids: Sequence[int], prices: Prices) -> dict[int, PriceBook]:
    """The price books of ``subscriber_ids`` (one query for all their plan subscriptions)."""
    periods: dict[int, list[PlanPeriod]] = {i: [] for i in subscriber_ids}
    if subscriber_ids:
        conn = await uow.session.connection()
        for sub_id, plan_id, start, end in await subscription_store.plan_periods_of(conn, subscriber_ids):
            month = periods.get(sub_id)
            if month is not None:
                month.append(PlanPeriod(plan_id, start, end))
    return {i: PriceBook(subs, prices) for i, subs in periods.items()}


async def price_book(uow: UnitOfWork, subscriber_id: int) -> PriceBook:
    return (await price_books(uow, [subscriber_id], await load_prices(uow)))[subscriber_id]


def one_price(book: PriceBook, instants: Sequence[datetime], tz: ZoneInfo) -> PlanTerm | None:
    """The one price in force on the day (the operator's calendar) of every one of ``instants``, if it is
    one and the same price; None if not, or if there is no instant."""
    term: PlanTerm | None = None
    for day in {instant.astimezone(tz).date() for instant in instants}:
        found = book.price_on(day)
        if found is None or (term is not None and found.id != term.id):
            return None
        term = found
    return term
