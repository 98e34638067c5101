"""The staff who took and lifted measures, by name (identity's ``staff_users`` table, read only)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import StaffUser


async def staff_names(s: AsyncSession, staff_ids: Iterable[int]) -> dict[int, str]:
    """Each staff member's display name by id."""
    return {
        int(i): str(n)
        for i, n in await s.execute(select(StaffUser.id, StaffUser.display_name).where(StaffUser.id.in_(staff_ids)))
    }
