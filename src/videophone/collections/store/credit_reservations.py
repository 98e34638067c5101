"""The credit reservations of calls in progress (``credit_reservations``): what a limited caller's
answered calls hold, and their release."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import CallRecord, CreditReservation


async def held_by_calls_in_progress(
    s: AsyncSession, subscriber_id: int, *, exclude_call: str | None = None
) -> Sequence[Row[int, int | None, int]]:
    """``(reserved_fen, max_seconds, billable_seconds)`` of the subscriber's reservations not released
    whose call record is still open (once it has ended the call's charge is in the usage), but that
    of ``exclude_call``."""
    query = (
        select(CreditReservation.reserved_fen, CreditReservation.max_seconds, CallRecord.billable_seconds)
        .join(CallRecord, CallRecord.id == CreditReservation.call_id)
        .where(
            CreditReservation.subscriber_id == subscriber_id,
            CreditReservation.released_at.is_(None),
            CallRecord.ended_at.is_(None),
        )
    )
    if exclude_call is not None:
        query = query.where(CreditReservation.call_id != exclude_call)
    return (await s.execute(query)).all()


async def release(s: AsyncSession, call_id: str, now: datetime) -> int:
    """Mark the call's reservation released (if not yet); returns how many rows changed."""
    result = await s.execute(
        update(CreditReservation)
        .where(CreditReservation.call_id == call_id, CreditReservation.released_at.is_(None))
        .values(released_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def release_all(s: AsyncSession, call_ids: Sequence[str], now: datetime) -> None:
    """Mark the reservations of ``call_ids`` released (those not yet), in one statement."""
    await s.execute(
        update(CreditReservation)
        .where(CreditReservation.call_id.in_(list(call_ids)), CreditReservation.released_at.is_(None))
        .values(released_at=now)
    )
