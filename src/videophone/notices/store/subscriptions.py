"""The plan and value-added service subscriptions (and VAS prices) an outage credit is computed from
(tables ``plan_subscriptions``, ``vas_subscriptions``, ``vas_prices``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Row, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import PlanSubscription, VasPrice, VasSubscription


async def subscribed_between(s: AsyncSession, first_day: date, after_day: date) -> set[int]:
    """Accounts with a plan subscription on some day of ``[first_day, after_day)``."""
    return set(
        await s.scalars(
            select(PlanSubscription.subscriber_id)
            .where(
                PlanSubscription.start_date < after_day,
                or_(PlanSubscription.end_date.is_(None), PlanSubscription.end_date > first_day),
            )
            .distinct()
        )
    )


async def plan_periods(
    s: AsyncSession, subscriber_ids: Sequence[int], first_day: date, after_day: date
) -> Sequence[Row[int, int, date, date | None]]:
    """(subscriber, plan, start, end) of the accounts' plan subscriptions that touch the days."""
    return (
        await s.execute(
            select(
                PlanSubscription.subscriber_id,
                PlanSubscription.plan_id,
                PlanSubscription.start_date,
                PlanSubscription.end_date,
            ).where(
                PlanSubscription.subscriber_id.in_(subscriber_ids),
                PlanSubscription.start_date < after_day,
                or_(PlanSubscription.end_date.is_(None), PlanSubscription.end_date > first_day),
            )
        )
    ).all()


async def vas_prices(s: AsyncSession) -> Sequence[Row[int, date, int]]:
    """(service, effective from, monthly fee) of every VAS price, by service then oldest first."""
    return (
        await s.execute(
            select(VasPrice.vas_id, VasPrice.effective_from, VasPrice.monthly_fee_fen).order_by(
                VasPrice.vas_id, VasPrice.effective_from
            )
        )
    ).all()


async def vas_periods(
    s: AsyncSession, subscriber_ids: Sequence[int], first_day: date, after_day: date
) -> Sequence[Row[int, int, date, date | None]]:
    """(subscriber, service, start, end) of the accounts' VAS subscriptions that touch the days."""
    return (
        await s.execute(
            select(
                VasSubscription.subscriber_id,
                VasSubscription.vas_id,
                VasSubscription.start_date,
                VasSubscription.end_date,
            ).where(
                VasSubscription.subscriber_id.in_(subscriber_ids),
                VasSubscription.start_date < after_day,
                or_(VasSubscription.end_date.is_(None), VasSubscription.end_date > first_day),
            )
        )
    ).all()
