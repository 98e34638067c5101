"""Subscribers looked up by number (announcements and outages aimed at a list of numbers)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber


async def ids_by_number(s: AsyncSession, numbers: Sequence[str]) -> dict[str, int]:
    """The subscriber id of each of ``numbers`` that exists (an unknown number is left out)."""
    return dict(
        (number, sid)
        for number, sid in await s.execute(
            select(Subscriber.number, Subscriber.id).where(Subscriber.number.in_(numbers))
        )
    )
