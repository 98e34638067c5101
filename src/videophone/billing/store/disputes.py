"""Billing disputes (``disputes``; R-25).  ``collections`` reads the same rows for the arrears (an
open dispute's amount is excluded from them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from videophone.adapters.db.models import Bill, CallRecord, Dispute, Subscriber
from videophone.billing.domain.disputes import DisputeState

_OPEN = DisputeState.OPEN.value


async def open_dispute_of(s: AsyncSession, bill_id: int, call_id: str | None) -> int | None:
    """The open dispute about the bill (``call_id`` ``None``) or about one call charged on it."""
    stmt = select(Dispute.id).where(Dispute.bill_id == bill_id, Dispute.state == _OPEN)
    stmt = stmt.where(Dispute.call_id.is_(None) if call_id is None else Dispute.call_id == call_id)
    found = await s.scalar(stmt.limit(1))
    return int(found) if found is not None else None


async def open_disputes_of_bill(s: AsyncSession, bill_id: int) -> list[Row[int, str | None]]:
    """``(dispute id, call_id)`` of the bill's open disputes (``call_id`` ``None``: the whole bill)."""
    return list(
        await s.execute(select(Dispute.id, Dispute.call_id).where(Dispute.bill_id == bill_id, Dispute.state == _OPEN))
    )


async def disputes_of(s: AsyncSession, subscriber_id: int, limit: int) -> list[Row[Dispute, Bill, CallRecord]]:
    """The subscriber's disputes with their bills and calls, newest first."""
    return list(
        await s.execute(
            select(Dispute, Bill, CallRecord)
            .join(Bill, Bill.id == Dispute.bill_id)
            .outerjoin(CallRecord, CallRecord.id == Dispute.call_id)
            .where(Dispute.subscriber_id == subscriber_id)
            .order_by(Dispute.id.desc())
            .limit(limit)
        )
    )


async def queue(
    s: AsyncSession, *, state: str | None, number: str, now: datetime, offset: int, limit: int
) -> tuple[int, list[Row[Dispute, Bill, CallRecord, Subscriber]]]:
    """How many disputes match and one page of them with their bills, calls and subscribers: open ones
    first (nearest deadline first), then decided ones (newest first).  ``state``: a dispute state, or
    ``overdue`` (open and past the deadline at ``now``); ``number``: part of the subscriber's number."""
    stmt = (
        select(Dispute, Bill, CallRecord, Subscriber)
        .join(Bill, Bill.id == Dispute.bill_id)
        .outerjoin(CallRecord, CallRecord.id == Dispute.call_id)
        .join(Subscriber, Subscriber.id == Dispute.subscriber_id)
    )
    if state:
        if state == "overdue":
            stmt = stmt.where(Dispute.state == _OPEN, Dispute.due_at < now)
        else:
            stmt = stmt.where(Dispute.state == state)
    if number:
        stmt = stmt.where(Subscriber.number.contains(number, autoescape=True))
    is_open = Dispute.state == _OPEN
    total = int(await s.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = await s.execute(
        stmt.order_by(
            case((is_open, 0), else_=1),
            case((is_open, Dispute.due_at), else_=None),
            case((is_open, Dispute.id), else_=-Dispute.id),
        )
        .offset(offset)
        .limit(limit)
    )
    return total, list(rows)


async def open_and_overdue(s: AsyncSession, now: datetime) -> tuple[int, int]:
    """How many disputes are open, and how many of them are past their deadline at ``now``."""
    open_count, overdue_count = (
        await s.execute(
            select(
                func.count(Dispute.id),
                func.coalesce(func.sum(case((Dispute.due_at < now, 1), else_=0)), 0),
            ).where(Dispute.state == _OPEN)
        )
    ).one()
    return int(open_count or 0), int(overdue_count or 0)
