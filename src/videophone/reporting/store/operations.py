"""The figures an operator's monitoring reads at each scrape (``/metrics``): the outbox's backlog and
the latest bill run.  Small statements on indexed columns: a scrape runs them every few seconds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import BillRun, OutboxMessage


async def outbox_backlog(s: AsyncSession) -> tuple[int, datetime | None, int]:
    """(pending messages, creation time of the oldest of them or None, messages failed for good)."""
    pending, oldest = (
        await s.execute(
            select(func.count(), func.min(OutboxMessage.created_at)).where(OutboxMessage.state == "pending")
        )
    ).one()
    failed = await s.scalar(select(func.count()).where(OutboxMessage.state == "failed"))
    return int(pending or 0), oldest, int(failed or 0)


async def latest_bill_run(s: AsyncSession) -> BillRun | None:
    """The newest bill run, whatever its state."""
    return await s.scalar(select(BillRun).order_by(BillRun.id.desc()).limit(1))
