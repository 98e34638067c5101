"""What an account's last activity is read from (the ``inactivity`` job): its creation, its call
records (placed or received) and the use of its sessions (``auth_sessions.last_seen_at``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from videophone.adapters.db.models import AuthSession, CallRecord, Subscriber


async def created_at_of(s: AsyncSession, ids: Sequence[int]) -> Sequence[Row[int, datetime]]:
    """``(id, created_at)`` of ``ids``."""
    return (await s.execute(select(Subscriber.id, Subscriber.created_at).where(Subscriber.id.in_(ids)))).all()


async def _last_call_as(
    s: AsyncSession, party: InstrumentedAttribute[int] | InstrumentedAttribute[int | None], ids: Sequence[int]
) -> Sequence[Row[int | None, datetime]]:
    return (await s.execute(select(party, func.max(CallRecord.started_at)).where(party.in_(ids)).group_by(party))).all()


async def last_call_placed(s: AsyncSession, ids: Sequence[int]) -> Sequence[Row[int | None, datetime]]:
    """``(caller_id, the start of their last call)`` of those of ``ids`` who placed one."""
    return await _last_call_as(s, CallRecord.caller_id, ids)


async def last_call_received(s: AsyncSession, ids: Sequence[int]) -> Sequence[Row[int | None, datetime]]:
    """``(callee_id, the start of their last call)`` of those of ``ids`` who received one."""
    return await _last_call_as(s, CallRecord.callee_id, ids)


async def last_seen_of(s: AsyncSession, ids: Sequence[int]) -> Sequence[Row[int, datetime]]:
    """``(subscriber id, the last use of any of their sessions)`` of those of ``ids`` who have one."""
    return (
        await s.execute(
            select(AuthSession.principal_id, func.max(AuthSession.last_seen_at))
            .where(AuthSession.principal_type == "subscriber", AuthSession.principal_id.in_(ids))
            .group_by(AuthSession.principal_id)
        )
    ).all()
