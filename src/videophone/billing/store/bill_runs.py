"""Bill runs (``bill_runs``): one row per run, its progress and heartbeat (ADR 0004 "Bill run")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import BillRun


async def record_progress(s: AsyncSession, run_id: int, bills_created: int, at: datetime) -> None:
    """The run's bills so far and its heartbeat (after every chunk)."""
    await s.execute(update(BillRun).where(BillRun.id == run_id).values(bills_created=bills_created, heartbeat_at=at))


async def mark_failed(s: AsyncSession, run_id: int, at: datetime) -> None:
    await s.execute(update(BillRun).where(BillRun.id == run_id).values(state="failed", finished_at=at))


async def mark_finished(s: AsyncSession, run_id: int, at: datetime, bills_created: int) -> None:
    await s.execute(
        update(BillRun)
        .where(BillRun.id == run_id)
        .values(state="finished", finished_at=at, bills_created=bills_created)
    )


async def fail_silent_runs(s: AsyncSession, cutoff: datetime, period: str | None) -> list[int]:
    """Mark failed every run (of ``period``, or any) still ``running`` whose heartbeat is older than
    ``cutoff``, failed at its last heartbeat.  Returns their ids (no update when there is none)."""
    where = [BillRun.state == "running", BillRun.heartbeat_at < cutoff]
    if period is not None:
        where.append(BillRun.period == period)
    dead = list(await s.scalars(select(BillRun.id).where(*where)))
    if dead:
        await s.execute(
            update(BillRun).where(BillRun.id.in_(dead), *where).values(state="failed", finished_at=BillRun.heartbeat_at)
        )
    return dead


async def latest_runs(s: AsyncSession, limit: int) -> list[BillRun]:
    """The latest runs, newest first."""
    return list(await s.scalars(select(BillRun).order_by(BillRun.id.desc()).limit(limit)))


async def finished_run_of(s: AsyncSession, period: str) -> int | None:
    """A finished run of ``period``, if any."""
    return await s.scalar(select(BillRun.id).where(BillRun.period == period, BillRun.state == "finished").limit(1))
