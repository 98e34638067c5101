"""The inactivity notices (``inactivity_notices``): those open, for the job and the console."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber
from videophone.adapters.db.models_termination import InactivityNotice


async def open_among(s: AsyncSession, ids: Sequence[int]) -> Sequence[InactivityNotice]:
    """The open notices of those of ``ids`` that have one."""
    return (
        await s.scalars(
            select(InactivityNotice).where(InactivityNotice.subscriber_id.in_(ids), InactivityNotice.state == "open")
        )
    ).all()


async def open_with_subscribers(s: AsyncSession) -> Sequence[Row[InactivityNotice, str, str]]:
    """``(notice, number, name)`` of every open notice, the soonest termination first."""
    return (
        await s.execute(
            select(InactivityNotice, Subscriber.number, Subscriber.name)
            .join(Subscriber, Subscriber.id == InactivityNotice.subscriber_id)
            .where(InactivityNotice.state == "open")
            .order_by(InactivityNotice.terminate_on, InactivityNotice.id)
        )
    ).all()
