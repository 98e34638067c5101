"""The ``client_releases`` published per platform."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models_terminals import ClientRelease


async def releases_for(s: AsyncSession, platform: str | None) -> list[ClientRelease]:
    """The releases of ``platform`` (every platform's if ``None``), unordered: versions sort as
    semantic versions, which SQL does not."""
    stmt = select(ClientRelease)
    if platform is not None:
        stmt = stmt.where(ClientRelease.platform == platform)
    return list(await s.scalars(stmt))
