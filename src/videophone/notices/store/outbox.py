"""The outbox: copies of notifications to send by email or SMS (table ``outbox``).

A row is claimed — its ``next_attempt_at`` moved ahead — before it is sent, so two nodes never send
one twice, and a row whose worker died is due again when the claim expires.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import OutboxMessage


async def due_messages(s: AsyncSession, now: datetime, *, limit: int) -> Sequence[Row[int, datetime]]:
    """(id, next attempt) of the pending rows due by ``now``, the longest waiting first."""
    return (
        await s.execute(
            select(OutboxMessage.id, OutboxMessage.next_attempt_at)
            .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    ).all()


async def claim(s: AsyncSession, message_id: int, seen_at: datetime, until: datetime) -> bool:
    """Claim a due row until ``until``; False when another node took it (its ``next_attempt_at`` is no
    longer the ``seen_at`` read, or it is no longer pending)."""
    claimed = await s.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.state == "pending",
            OutboxMessage.next_attempt_at == seen_at,
        )
        .values(next_attempt_at=until)
    )
    return bool(getattr(claimed, "rowcount", 0))
