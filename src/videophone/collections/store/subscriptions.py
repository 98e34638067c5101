"""The plan and value-added subscriptions a termination ends and a withdrawal resumes (the tables are
billing's; these writes are the termination's)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import PlanSubscription, VasSubscription


async def end_all_on(s: AsyncSession, subscriber_id: int, day: date) -> None:
    """End on ``day`` every plan and value-added subscription of the subscriber running past it (one
    statement per table)."""
    for model in (PlanSubscription, VasSubscription):
        await s.execute(
            update(model)
            .where(model.subscriber_id == subscriber_id, or_(model.end_date.is_(None), model.end_date > day))
            .values(end_date=day)
        )


async def plans_ended_on(s: AsyncSession, subscriber_id: int, day: date) -> Sequence[PlanSubscription]:
    return (
        await s.scalars(
            select(PlanSubscription).where(
                PlanSubscription.subscriber_id == subscriber_id, PlanSubscription.end_date == day
            )
        )
    ).all()


async def services_ended_on(s: AsyncSession, subscriber_id: int, day: date) -> Sequence[VasSubscription]:
    return (
        await s.scalars(
            select(VasSubscription).where(
                VasSubscription.subscriber_id == subscriber_id, VasSubscription.end_date == day
            )
        )
    ).all()
