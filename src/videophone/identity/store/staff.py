"""Staff accounts (R-50)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import StaffUser


async def staff_by_username(s: AsyncSession, username: str) -> StaffUser | None:
    return await s.scalar(select(StaffUser).where(StaffUser.username == username))


async def staff_id_with_username(s: AsyncSession, username: str) -> int | None:
    return await s.scalar(select(StaffUser.id).where(StaffUser.username == username))


async def all_staff(s: AsyncSession) -> Sequence[StaffUser]:
    return (await s.scalars(select(StaffUser).order_by(StaffUser.id))).all()
