"""Subscribers counted by review state and by service state (``GROUP BY``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber


async def _count_by(s: AsyncSession, column: Any) -> dict[str, int]:
    return {str(k): int(n) for k, n in await s.execute(select(column, func.count()).group_by(column))}


async def count_by_review_state(s: AsyncSession) -> dict[str, int]:
    """How many subscribers are in each review state (states nobody is in are left out)."""
    return await _count_by(s, Subscriber.review_state)


async def count_by_service_state(s: AsyncSession) -> dict[str, int]:
    """How many subscribers are in each service state (states nobody is in are left out)."""
    return await _count_by(s, Subscriber.service_state)
