"""Payments received per local month."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Payment
from videophone.reporting.store.local_time import local


async def payments_per_month(
    s: AsyncSession, since: datetime, *, dialect: str, tz: ZoneInfo, now: datetime
) -> Sequence[Row[str, int, int]]:
    """(local month, count, sum) of the payments received since ``since``."""
    paid_month = local(dialect, Payment.received_at, "month", tz, now).label("month")
    return (
        await s.execute(
            select(paid_month, func.count(), func.sum(Payment.amount_fen))
            .where(Payment.received_at >= since)
            .group_by(paid_month)
        )
    ).all()
