"""The ``lawful_suspensions`` an authority required."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber
from videophone.adapters.db.models_enforcement import LawfulSuspension
from videophone.enforcement.domain import violations as rules


async def active_lawful_id_of(s: AsyncSession, subscriber_id: int) -> int | None:
    """The subscriber's lawful suspension in force, if any."""
    return await s.scalar(
        select(LawfulSuspension.id).where(
            LawfulSuspension.subscriber_id == subscriber_id,
            LawfulSuspension.state == rules.LawfulState.ACTIVE.value,
        )
    )


async def lapsed_before(s: AsyncSession, today: date) -> list[int]:
    """The lawful suspensions in force whose last day is before ``today``."""
    return list(
        await s.scalars(
            select(LawfulSuspension.id).where(
                LawfulSuspension.state == rules.LawfulState.ACTIVE.value,
                LawfulSuspension.period_to.is_not(None),
                LawfulSuspension.period_to < today,
            )
        )
    )


async def lawful_page(
    s: AsyncSession, *, number: str, state: str, offset: int, limit: int
) -> tuple[int, list[LawfulSuspension]]:
    """How many lawful suspensions match, and the page of them from ``offset``, newest first;
    ``number`` (if any) is part of the subscriber's number, ``state`` (if any) the suspension's."""
    stmt = select(LawfulSuspension).join(Subscriber, Subscriber.id == LawfulSuspension.subscriber_id)
    if number:
        stmt = stmt.where(Subscriber.number.contains(number, autoescape=True))
    if state:
        stmt = stmt.where(LawfulSuspension.state == state)
    total = int(await s.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = list(await s.scalars(stmt.order_by(LawfulSuspension.id.desc()).offset(offset).limit(limit)))
    return total, rows
