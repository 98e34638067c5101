"""The subscribers enforcement acts on and names (identity's ``subscribers`` table, read only)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Subscriber


async def subscriber_with_number(s: AsyncSession, number: str) -> Subscriber | None:
    return await s.scalar(select(Subscriber).where(Subscriber.number == number))


async def subscribers_by_id(s: AsyncSession, subscriber_ids: Iterable[int]) -> dict[int, Subscriber]:
    return {sub.id: sub for sub in await s.scalars(select(Subscriber).where(Subscriber.id.in_(subscriber_ids)))}
