"""The subscribers units are installed at (identity's ``subscribers`` table, read only)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber


async def subscriber_with_number(s: AsyncSession, number: str) -> Subscriber | None:
    return await s.scalar(select(Subscriber).where(Subscriber.number == number))


async def number_of(s: AsyncSession, subscriber_id: int) -> str | None:
    return await s.scalar(select(Subscriber.number).where(Subscriber.id == subscriber_id))


async def numbers_by_id(s: AsyncSession, subscriber_ids: Iterable[int]) -> dict[int, str]:
    return {
        int(sid): str(number)
        for sid, number in await s.execute(
            select(Subscriber.id, Subscriber.number).where(Subscriber.id.in_(subscriber_ids))
        )
    }
