"""Bills and their lines (``bills``, ``bill_lines``; R-22): the unique (subscriber, period) index is the
last guard against billing an account twice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from videophone.adapters.db import writes
from videophone.adapters.db.bulk import among
from videophone.adapters.db.models import Bill, BillLine, Subscriber


# -- the bill run ------------------------------------------------------------------------------------------
async def billed_in(s: AsyncSession, period: str) -> set[int]:
    """The subscribers with a bill for ``period``."""
    return set(await s.scalars(select(Bill.subscriber_id).where(Bill.period == period)))


async def billed_among(s: AsyncSession, subscriber_ids: Sequence[int], period: str) -> set[int]:
    """Those of ``subscriber_ids`` with a bill for ``period`` (and others of their id range).  The
    chunk's queries select its accounts by id range where they are dense (``bulk.among``)."""
    return set(
        await s.scalars(
            select(Bill.subscriber_id).where(Bill.period == period, among(Bill.subscriber_id, subscriber_ids))
        )
    )


async def bills_before_among(s: AsyncSession, subscriber_ids: Sequence[int], period: str) -> list[Row[int, str, int]]:
    """``(subscriber_id, period, total_due_fen)`` of the bills of ``subscriber_ids`` (and others of their
    id range) for periods before ``period``."""
    return list(
        await s.execute(
            select(Bill.subscriber_id, Bill.period, Bill.total_due_fen).where(
                among(Bill.subscriber_id, subscriber_ids), Bill.period < period
            )
        )
    )


async def insert_bills(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Bulk insert of bills; returns ``(subscriber_id, id)`` of each.  A bill of the same subscriber and
    period made meanwhile raises ``IntegrityError``."""
    return await writes.write_rows(conn, Bill, rows, returning=("subscriber_id", "id"))


async def insert_lines(conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk insert of bill lines."""
    await writes.write_rows(conn, BillLine, rows)


# -- one subscriber's bills ------------------------------------------------------------------------------
async def last_period_of(s: AsyncSession, subscriber_id: int) -> str | None:
    """The latest period the subscriber has a bill for."""
    return await s.scalar(select(func.max(Bill.period)).where(Bill.subscriber_id == subscriber_id))


async def bill_of(s: AsyncSession, subscriber_id: int, period: str) -> Bill | None:
    return await s.scalar(select(Bill).where(Bill.subscriber_id == subscriber_id, Bill.period == period))


async def bills_of(s: AsyncSession, subscriber_id: int) -> list[Bill]:
    """The subscriber's bills, newest period first."""
    return list(await s.scalars(select(Bill).where(Bill.subscriber_id == subscriber_id).order_by(Bill.period.desc())))


async def lines_of(s: AsyncSession, bill_id: int) -> list[BillLine]:
    return list(await s.scalars(select(BillLine).where(BillLine.bill_id == bill_id)))


# -- staff search ----------------------------------------------------------------------------------------------
async def search(
    s: AsyncSession, *, number: str | None, period: str | None, offset: int, limit: int
) -> tuple[int, list[Row[Bill, Subscriber]]]:
    """How many bills match and one page of them with their subscribers, newest first: ``number`` is
    a bill number (exact) or part of a subscriber number, ``period`` a period (each ``None``: any)."""
    stmt = select(Bill, Subscriber).join(Subscriber, Subscriber.id == Bill.subscriber_id)
    if number:
        stmt = stmt.where(or_(Bill.number == number, Subscriber.number.contains(number, autoescape=True)))
    if period:
        stmt = stmt.where(Bill.period == period)
    total = int(await s.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = await s.execute(stmt.order_by(Bill.period.desc(), Bill.id.desc()).offset(offset).limit(limit))
    return total, list(rows)
