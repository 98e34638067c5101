"""Plan and value-added subscriptions (``plan_subscriptions``, ``vas_subscriptions``): half-open
``[start_date, end_date)``, ``end_date`` ``None`` while current (R-21)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Date, Integer, Row, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from videophone.adapters.db.bulk import among
from videophone.adapters.db.models import PlanSubscription, VasSubscription
from videophone.billing.store.selection import by_subscribers, who

_SUBSCRIPTIONS_SQL = "SELECT subscriber_id, plan_id, start_date, end_date FROM plan_subscriptions WHERE {who}"
_SUBSCRIPTIONS = {
    dense: statement.columns(subscriber_id=Integer(), plan_id=Integer(), start_date=Date(), end_date=Date())
    for dense, statement in by_subscribers(_SUBSCRIPTIONS_SQL, "subscriber_id").items()
}


# -- plans ---------------------------------------------------------------------------------------------------
async def plan_periods_of(
    conn: AsyncConnection, subscriber_ids: Sequence[int]
) -> list[Row[int, int, date, date | None]]:
    """``(subscriber_id, plan_id, start_date, end_date)`` of every plan subscription of
    ``subscriber_ids`` (not empty), in one query (and of others in their id range: skip them)."""
    of = who(subscriber_ids)
    return list(await conn.execute(_SUBSCRIPTIONS[of.dense], of.params))


async def plan_subscribers_in(s: AsyncSession, first: date, after: date) -> set[int]:
    """The subscribers with a plan subscription overlapping ``[first, after)``."""
    return set(
        await s.scalars(
            select(PlanSubscription.subscriber_id)
            .where(
                PlanSubscription.start_date < after,
                or_(PlanSubscription.end_date.is_(None), PlanSubscription.end_date > first),
            )
            .distinct()
        )
    )


async def first_plan_start_of(s: AsyncSession, subscriber_id: int) -> date | None:
    """The day the subscriber's first plan subscription started (``None``: never subscribed)."""
    return await s.scalar(
        select(func.min(PlanSubscription.start_date)).where(PlanSubscription.subscriber_id == subscriber_id)
    )


async def plan_subscriptions_from(s: AsyncSession, subscriber_id: int, day: date) -> list[PlanSubscription]:
    """The subscriber's plan subscriptions not ended by ``day`` (current and pending), by start."""
    return list(
        await s.scalars(
            select(PlanSubscription)
            .where(
                PlanSubscription.subscriber_id == subscriber_id,
                or_(PlanSubscription.end_date.is_(None), PlanSubscription.end_date > day),
            )
            .order_by(PlanSubscription.start_date)
        )
    )


# -- value-added services ---------------------------------------------------------------------------------
async def vas_subscriptions_among(
    s: AsyncSession, subscriber_ids: Sequence[int], first: date, after: date
) -> list[Row[int, int, date, date | None]]:
    """``(subscriber_id, vas_id, start_date, end_date)`` of the value-added subscriptions of
    ``subscriber_ids`` overlapping ``[first, after)``, by subscriber, start, id (an id range may hold
    others: skip them)."""
    return list(
        await s.execute(
            select(
                VasSubscription.subscriber_id,
                VasSubscription.vas_id,
                VasSubscription.start_date,
                VasSubscription.end_date,
            )
            .where(
                among(VasSubscription.subscriber_id, subscriber_ids),
                VasSubscription.start_date < after,
                or_(VasSubscription.end_date.is_(None), VasSubscription.end_date > first),
            )
            .order_by(VasSubscription.subscriber_id, VasSubscription.start_date, VasSubscription.id)
        )
    )


async def held_vas_subscription_id(s: AsyncSession, subscriber_id: int, vas_id: int, day: date) -> int | None:
    """A subscription of the subscriber to ``vas_id`` not ended by ``day``, if any."""
    return await s.scalar(
        select(VasSubscription.id)
        .where(
            VasSubscription.subscriber_id == subscriber_id,
            VasSubscription.vas_id == vas_id,
            or_(VasSubscription.end_date.is_(None), VasSubscription.end_date > day),
        )
        .limit(1)
    )


async def open_vas_subscription(s: AsyncSession, subscriber_id: int, vas_id: int) -> VasSubscription | None:
    """The subscriber's subscription to ``vas_id`` with no end date yet, if any."""
    return await s.scalar(
        select(VasSubscription)
        .where(
            VasSubscription.subscriber_id == subscriber_id,
            VasSubscription.vas_id == vas_id,
            VasSubscription.end_date.is_(None),
        )
        .limit(1)
    )


async def vas_subscriptions_on(s: AsyncSession, subscriber_id: int, day: date) -> list[VasSubscription]:
    """The subscriber's value-added subscriptions in force on ``day``, by start, id."""
    return list(
        await s.scalars(
            select(VasSubscription)
            .where(
                VasSubscription.subscriber_id == subscriber_id,
                VasSubscription.start_date <= day,
                or_(VasSubscription.end_date.is_(None), VasSubscription.end_date > day),
            )
            .order_by(VasSubscription.start_date, VasSubscription.id)
        )
    )
