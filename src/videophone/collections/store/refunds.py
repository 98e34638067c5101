"""The refunds of credit paid back (``refunds``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Refund


async def latest_of(s: AsyncSession, subscriber_id: int, limit: int) -> Sequence[Refund]:
    """The subscriber's last ``limit`` refunds, newest first."""
    return (
        await s.scalars(
            select(Refund).where(Refund.subscriber_id == subscriber_id).order_by(Refund.id.desc()).limit(limit)
        )
    ).all()
