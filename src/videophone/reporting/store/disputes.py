"""Disputes counted against their deadlines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Dispute


async def count_by_deadline(s: AsyncSession, now: datetime) -> dict[str, int]:
    """How many disputes are ``open_in_time``, ``open_overdue``, ``answered_in_time`` and
    ``answered_late`` (kinds nobody is in are left out)."""
    is_open = Dispute.state == "open"
    kind = case(
        (is_open & (Dispute.due_at >= now), "open_in_time"),
        (is_open, "open_overdue"),
        (Dispute.resolved_at <= Dispute.due_at, "answered_in_time"),
        else_="answered_late",
    ).label("kind")
    return {str(k): int(n) for k, n in await s.execute(select(kind, func.count()).group_by(kind))}
