"""The log of the gateway's notifications (``gateway_notifications``; rows are added by the use cases)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import GatewayNotification


async def latest(s: AsyncSession, limit: int) -> Sequence[GatewayNotification]:
    """The last ``limit`` notifications, newest first."""
    return (await s.scalars(select(GatewayNotification).order_by(GatewayNotification.id.desc()).limit(limit))).all()
