"""The ``service_restrictions`` rows and the subscriber row their state is derived onto."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.bulk import among
from videophone.adapters.db.models import ServiceRestriction, Subscriber


async def open_restrictions_of(s: AsyncSession, subscriber_id: int) -> list[ServiceRestriction]:
    """The subscriber's open restrictions, oldest first."""
    rows = await s.scalars(
        select(ServiceRestriction)
        .where(ServiceRestriction.subscriber_id == subscriber_id, ServiceRestriction.ended_at.is_(None))
        .order_by(ServiceRestriction.id)
    )
    return list(rows)


async def lock_subscriber(s: AsyncSession, subscriber_id: int) -> Subscriber | None:
    """The subscriber, locked for the rest of the transaction."""
    # Row lock on PostgreSQL: two restrictions decided at once for one subscriber serialize here.
    return await s.scalar(select(Subscriber).where(Subscriber.id == subscriber_id).with_for_update())


async def suspending_since(
    s: AsyncSession, subscriber_ids: Sequence[int], since: datetime
) -> Sequence[Row[int, datetime, datetime | None, str]]:
    """``(subscriber id, started at, ended at, reason)`` of the restrictions of scope ``all`` open at or
    after ``since``, for at least ``subscriber_ids`` (an id range may hold others: the caller keeps
    its own)."""
    result = await s.execute(
        select(
            ServiceRestriction.subscriber_id,
            ServiceRestriction.started_at,
            ServiceRestriction.ended_at,
            ServiceRestriction.reason,
        ).where(
            among(ServiceRestriction.subscriber_id, subscriber_ids),
            ServiceRestriction.scope == "all",
            or_(ServiceRestriction.ended_at.is_(None), ServiceRestriction.ended_at >= since),
        )
    )
    return result.all()
