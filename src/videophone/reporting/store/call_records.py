"""Calls and their billable seconds per local day (``GROUP BY`` the local day of ``started_at``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import CallRecord
from videophone.reporting.store.local_time import local


async def calls_per_day(
    s: AsyncSession, since: datetime, *, dialect: str, tz: ZoneInfo, now: datetime
) -> dict[str, tuple[int, int, int]]:
    """``{local day: (calls, answered, billable seconds)}`` of the calls started since ``since`` (days
    without a call are left out)."""
    day = local(dialect, CallRecord.started_at, "day", tz, now).label("day")
    rows = await s.execute(
        select(
            day,
            func.count(),
            func.coalesce(func.sum(case((CallRecord.answered_at.is_not(None), 1), else_=0)), 0),
            func.coalesce(func.sum(CallRecord.billable_seconds), 0),
        )
        .where(CallRecord.started_at >= since)
        .group_by(day)
    )
    return {str(d): (int(c), int(a), int(sec)) for d, c, a, sec in rows}
