"""The figures an operator's monitoring reads at each scrape (``/metrics``): the outbox's backlog and
the latest bill run.  Small statements on indexed columns: a scrape runs them every few seconds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import BillRun, OutboxMessage


@dataclass(frozen=True)
class OutboxBacklog:
    pending: int  # not sent yet, due or waiting for a retry
    oldest_created: datetime | None  # of the pending ones
    due: int  # pending and due by now
    oldest_due: datetime | None  # the earliest attempt time among those due
    failed: int  # given up on


async def outbox_backlog(s: AsyncSession, now: datetime) -> OutboxBacklog:
    pending = OutboxMessage.state == "pending"
    count, oldest = (await s.execute(select(func.count(), func.min(OutboxMessage.created_at)).where(pending))).one()
    due, oldest_due = (
        await s.execute(
            select(func.count(), func.min(OutboxMessage.next_attempt_at)).where(
                pending, OutboxMessage.next_attempt_at <= now
            )
        )
    ).one()
    failed = await s.scalar(select(func.count()).where(OutboxMessage.state == "failed"))
    return OutboxBacklog(int(count or 0), oldest, int(due or 0), oldest_due, int(failed or 0))


async def latest_bill_run(s: AsyncSession) -> BillRun | None:
    """The newest bill run, whatever its state."""
    return await s.scalar(select(BillRun).order_by(BillRun.id.desc()).limit(1))
