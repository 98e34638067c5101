"""The subscriber rows collections locks and looks up (the table is identity's; these reads are ours)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import CallRecord, Subscriber


async def lock_subscriber(s: AsyncSession, subscriber_id: int) -> Subscriber | None:
    """The subscriber, row-locked on PostgreSQL (SQLite transactions are serialized already): what is
    decided for one account (a refund spending its credit, a call's reservation, a warning, a
    restriction, a termination) is decided one transaction at a time."""
    return await s.scalar(select(Subscriber).where(Subscriber.id == subscriber_id).with_for_update())


async def subscriber_by_number(s: AsyncSession, number: str) -> Subscriber | None:
    return await s.scalar(select(Subscriber).where(Subscriber.number == number))


async def ids_not_in_state(s: AsyncSession, service_state: str) -> Sequence[int]:
    """Every subscriber whose ``service_state`` is not ``service_state``, by id."""
    return (
        await s.scalars(select(Subscriber.id).where(Subscriber.service_state != service_state).order_by(Subscriber.id))
    ).all()


async def callers_and_limits(s: AsyncSession, call_ids: Sequence[str]) -> Sequence[Row[int, int | None]]:
    """``(caller_id, credit_limit_fen)`` of the callers of ``call_ids``."""
    return (
        await s.execute(
            select(CallRecord.caller_id, Subscriber.credit_limit_fen)
            .join(Subscriber, Subscriber.id == CallRecord.caller_id)
            .where(CallRecord.id.in_(list(call_ids)))
        )
    ).all()
