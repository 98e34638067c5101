"""Harassment reports (``harassment_reports``, R-12): a reporter's own, and the staff's queue."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import HarassmentReport


async def page_of_reports_by(
    s: AsyncSession, reporter_id: int, *, offset: int, limit: int
) -> tuple[int, list[HarassmentReport]]:
    """The reports ``reporter_id`` filed: how many, and a page of them, newest first."""
    stmt = select(HarassmentReport).where(HarassmentReport.reporter_id == reporter_id)
    total = await s.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await s.scalars(stmt.order_by(HarassmentReport.id.desc()).offset(offset).limit(limit))
    return int(total or 0), list(rows)


async def page_of_reports(
    s: AsyncSession, *, state: str | None, number: str, offset: int, limit: int
) -> tuple[int, list[HarassmentReport]]:
    """The report queue, in ``state`` (unless None) and against a number holding ``number`` (unless
    empty): how many, and a page of them, newest first."""
    stmt = select(HarassmentReport)
    if state is not None:
        stmt = stmt.where(HarassmentReport.state == state)
    if number:
        stmt = stmt.where(HarassmentReport.reported_number.contains(number, autoescape=True))
    total = await s.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = list(await s.scalars(stmt.order_by(HarassmentReport.id.desc()).offset(offset).limit(limit)))
    return int(total or 0), rows


async def reports_against(s: AsyncSession, number: str) -> int:
    """How many reports were filed against ``number`` (by anyone)."""
    against = await s.scalar(select(func.count(HarassmentReport.id)).where(HarassmentReport.reported_number == number))
    return int(against or 0)
