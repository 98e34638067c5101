"""The quality samples clients report for a call (``call_quality_samples``, R-15)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import CallQualitySample


async def samples_of(s: AsyncSession, call_id: str) -> list[CallQualitySample]:
    """Every sample of the call (both sides), in the order they were taken."""
    return list(
        await s.scalars(
            select(CallQualitySample)
            .where(CallQualitySample.call_id == call_id)
            .order_by(CallQualitySample.at, CallQualitySample.id)
        )
    )


async def final_sample_of(s: AsyncSession, call_id: str, subscriber_id: int) -> int | None:
    """The id of the subscriber's final sample of the call, if they sent it."""
    return await s.scalar(
        select(CallQualitySample.id)
        .where(
            CallQualitySample.call_id == call_id,
            CallQualitySample.subscriber_id == subscriber_id,
            CallQualitySample.final,
        )
        .limit(1)
    )


async def last_sample_at(s: AsyncSession, call_id: str, subscriber_id: int) -> datetime | None:
    """When the subscriber's latest sample of the call was taken, if any."""
    return await s.scalar(
        select(func.max(CallQualitySample.at)).where(
            CallQualitySample.call_id == call_id, CallQualitySample.subscriber_id == subscriber_id
        )
    )
