"""The ``violations`` measures, their sealed evidence files, and the value-added services a measure
may withdraw."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber, ValueAddedService, VasSubscription
from videophone.adapters.db.models_enforcement import Violation, ViolationEvidence
from videophone.enforcement.domain import violations as rules


async def vas_in_force(
    s: AsyncSession, subscriber_id: int, today: date
) -> list[tuple[ValueAddedService, VasSubscription]]:
    """The subscriber's value-added services not ended by ``today``, with their subscriptions, by code."""
    rows = await s.execute(
        select(ValueAddedService, VasSubscription)
        .join(VasSubscription, VasSubscription.vas_id == ValueAddedService.id)
        .where(
            VasSubscription.subscriber_id == subscriber_id,
            or_(VasSubscription.end_date.is_(None), VasSubscription.end_date > today),
        )
        .order_by(ValueAddedService.code)
    )
    return [(v, sub) for v, sub in rows]


async def open_actions_of(s: AsyncSession, subscriber_id: int) -> list[str]:
    """The actions of the subscriber's measures still open."""
    return list(
        await s.scalars(
            select(Violation.action).where(
                Violation.subscriber_id == subscriber_id,
                Violation.state == rules.ViolationState.OPEN.value,
            )
        )
    )


async def violations_page(
    s: AsyncSession, *, number: str, state: str, offset: int, limit: int
) -> tuple[int, list[Violation]]:
    """How many measures match, and the page of them from ``offset``, newest first; ``number`` (if
    any) is part of the subscriber's number, ``state`` (if any) the measure's state."""
    stmt = select(Violation).join(Subscriber, Subscriber.id == Violation.subscriber_id)
    if number:
        stmt = stmt.where(Subscriber.number.contains(number, autoescape=True))
    if state:
        stmt = stmt.where(Violation.state == state)
    total = int(await s.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = list(await s.scalars(stmt.order_by(Violation.id.desc()).offset(offset).limit(limit)))
    return total, rows


async def evidence_of(s: AsyncSession, violation_ids: Sequence[int]) -> list[ViolationEvidence]:
    """The evidence files of these measures, in the order they were uploaded."""
    return list(
        await s.scalars(
            select(ViolationEvidence)
            .where(ViolationEvidence.violation_id.in_(violation_ids))
            .order_by(ViolationEvidence.id)
        )
    )
